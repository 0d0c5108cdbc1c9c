"""Accounts: company registration, sign-in and sign-out, the account page; pages and JSON API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from portal import accounts, registration
from portal.errors import NotFound as DomainNotFound
from portal.errors import RateLimited, ValidationFailed
from portal.models import User
from web import auth, confirmation
from web.account_page import render_account
from web.deps import CurrentUser, LanguageDep, OptionalUser, SessionDep
from web.i18n import translate, translate_plural
from web.settings import Settings
from web.templating import render

router = APIRouter(tags=["accounts"])
api = APIRouter(prefix="/api/v1/auth", tags=["accounts"])

REGISTER_FIELDS = ("company_name", "credit_code", "contact_name", "phone", "email")


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _settings(request: Request) -> Settings:
    return request.app.state.components.settings


def _now() -> datetime:
    return datetime.now(UTC)


# --- shapes of the JSON API ----------------------------------------------------------------


class RegisterIn(BaseModel):
    """A company's registration: the company, its contact person and their sign-in."""

    model_config = ConfigDict(extra="forbid")

    company_name: str = Field(max_length=200)
    credit_code: str = Field(max_length=40, description="统一社会信用代码, 18 characters")
    contact_name: str = Field(max_length=100)
    phone: str = Field(max_length=40)
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class LoginIn(BaseModel):
    """Credentials for signing in."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class CompanyOut(BaseModel):
    """A company account."""

    id: int
    name: str
    credit_code: str


class UserOut(BaseModel):
    """A signed-in user."""

    id: int
    email: str
    name: str
    role: str
    company: CompanyOut | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        """The API view of a user."""
        company = user.company
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            company=CompanyOut(id=company.id, name=company.name, credit_code=company.credit_code)
            if company
            else None,
        )


class SessionOut(BaseModel):
    """The signed-in user, and the CSRF token for non-JSON requests (e.g. file uploads)."""

    user: UserOut
    csrf_token: str


# --- pages ---------------------------------------------------------------------------------


def landing_page(user: User) -> str:
    """Where signing in leads without a `next`: admins the dashboard, staff the queue."""
    return {"admin": "/staff/dashboard", "staff": "/staff/queue"}.get(user.role, "/account")


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, language: LanguageDep, user: OptionalUser, next: str | None = None
) -> Response:
    """Show the sign-in form (signed-in users go straight on)."""
    if user is not None:
        return RedirectResponse(auth.safe_next(next, landing_page(user)), status_code=303)
    context: dict[str, Any] = {"next": auth.safe_next(next, ""), "values": {}, "error": None}
    return render(request, "account/login.html", context, language=language)


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(auth.check_csrf)])
def login(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sign in and go to `next` (a path on this site) or one's landing page."""
    context = {"next": auth.safe_next(next, ""), "values": {"email": email}}
    try:
        user = accounts.authenticate(
            session=session,
            email=email,
            password=password,
            client_ip=_client_ip(request),
            now=_now(),
        )
    except RateLimited as limited:
        message = translate_plural(
            "account.login.limited", language, max(1, -(-limited.retry_after // 60))
        )
        response = render(
            request,
            "account/login.html",
            {**context, "error": message},
            language=language,
            status_code=429,
        )
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    if user is None:
        message = translate("account.login.failed", language)
        return render(
            request,
            "account/login.html",
            {**context, "error": message},
            language=language,
            status_code=401,
        )
    signed_in = RedirectResponse(auth.safe_next(next, landing_page(user)), status_code=303)
    auth.start_session(request, signed_in, user)
    return signed_in


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, language: LanguageDep, user: OptionalUser) -> Response:
    """Show the company registration form."""
    if user is not None:
        return RedirectResponse("/account", status_code=303)
    context: dict[str, Any] = {"values": {}, "errors": {}}
    return render(request, "account/register.html", context, language=language)


@router.post("/register", response_class=HTMLResponse, dependencies=[Depends(auth.check_csrf)])
def register(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    company_name: Annotated[str, Form(max_length=200)] = "",
    credit_code: Annotated[str, Form(max_length=40)] = "",
    contact_name: Annotated[str, Form(max_length=100)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Register a company; errors come back next to their fields, with what was typed."""
    values = {
        "company_name": company_name,
        "credit_code": credit_code,
        "contact_name": contact_name,
        "phone": phone,
        "email": email,
    }
    confirm = _settings(request).confirms_registration
    try:
        if confirm:
            waiting = registration.register_quietly(session=session, password=password, **values)
        else:
            user = accounts.register_company(session=session, password=password, **values)
    except ValidationFailed as failure:
        return render(
            request,
            "account/register.html",
            {"values": values, "errors": failure.errors},
            language=language,
            status_code=422,
        )
    if confirm:  # the same answer whether the e-mail or the company existed or not
        if waiting is not None:
            confirmation.send(request, session, waiting)
        return RedirectResponse("/register/sent", status_code=303)
    response = RedirectResponse("/account?registered=1", status_code=303)
    auth.start_session(request, response, user)
    return response


@router.get("/register/sent", response_class=HTMLResponse)
def register_sent(request: Request, language: LanguageDep) -> Response:
    """Say that a confirmation e-mail is on its way."""
    return render(request, "account/confirm.html", {"sent": True}, language=language)


@router.get("/register/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, language: LanguageDep, token: str = "") -> Response:
    """Show the button that confirms a registration (a GET changes nothing)."""
    valid = confirmation.read(_settings(request), token[:500]) is not None
    return render(
        request,
        "account/confirm.html",
        {"sent": False, "token": token[:500], "valid": valid},
        language=language,
        status_code=200 if valid else 404,
    )


@router.post(
    "/register/confirm", response_class=HTMLResponse, dependencies=[Depends(auth.check_csrf)]
)
def confirm_registration(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Activate the account the link names and sign it in."""
    named = confirmation.read(_settings(request), token)
    try:
        if named is None:
            raise DomainNotFound("no such link")
        user = registration.confirm(session=session, user_id=named[0], version=named[1])
    except DomainNotFound:
        return render(
            request,
            "account/confirm.html",
            {"sent": False, "token": "", "valid": False},
            language=language,
            status_code=404,
        )
    response = RedirectResponse("/account?registered=1", status_code=303)
    auth.start_session(request, response, user)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """Sign out of this browser (CSRF-checked when signed in)."""
    response = RedirectResponse("/chat", status_code=303)
    auth.end_session(request, response)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Sign out of every browser and device: all earlier session cookies stop working."""
    accounts.logout_everywhere(session=session, user_id=user.id)
    response = RedirectResponse("/login", status_code=303)
    auth.end_session(request, response)
    return response


# What a redirect back to /account may announce (?invited=<e-mail>, ?password=1 …).
NOTICES = {
    "registered": "account.registered",
    "invited": "account.members.invited_notice",
    "removed": "account.members.removed",
    "owner": "account.members.made_owner",
    "password": "account.password.changed",
    "reset": "account.reset.done",
    "welcome": "account.invitation.welcome",
}


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: CurrentUser,
) -> HTMLResponse:
    """Show the profile, the password form, the company's members and sign-out-everywhere."""
    notice = None
    for name, key in NOTICES.items():
        if value := request.query_params.get(name):
            notice = translate(key, language, email=value[:254], name=value[:100])
            break
    return render_account(request, session, language, user, notice=notice)


# --- JSON API ------------------------------------------------------------------------------


@api.post("/register", status_code=201, response_model=SessionOut)
def api_register(
    body: RegisterIn, request: Request, session: SessionDep, response: Response
) -> SessionOut:
    """Register a company and its first user (422 with every field's error); signs in.

    With e-mail confirmation on (the default outside tests) the answer is 202 and the same
    whether the e-mail or the company existed: the link in the e-mail activates the account.
    """
    if _settings(request).confirms_registration:
        waiting = registration.register_quietly(session=session, **body.model_dump())
        if waiting is not None:
            confirmation.send(request, session, waiting)
        return JSONResponse(  # type: ignore[return-value]
            {"detail": "check your e-mail: its link confirms the registration"}, status_code=202
        )
    user = accounts.register_company(session=session, **body.model_dump())
    token = auth.start_session(request, response, user)
    return SessionOut(user=UserOut.of(user), csrf_token=token)


@api.post(
    "/login",
    response_model=SessionOut,
    responses={401: {"description": "wrong email or password"}, 429: {"description": "wait"}},
)
def api_login(body: LoginIn, request: Request, session: SessionDep, response: Response) -> Any:
    """Sign in with email and password; sets the session cookie (429 when rate limited)."""
    user = accounts.authenticate(
        session=session,
        email=body.email,
        password=body.password,
        client_ip=_client_ip(request),
        now=_now(),
    )
    if user is None:
        return JSONResponse({"detail": "wrong email or password"}, status_code=401)
    token = auth.start_session(request, response, user)
    return SessionOut(user=UserOut.of(user), csrf_token=token)


@api.post("/logout", status_code=204)
def api_logout(request: Request) -> Response:
    """Sign out (send Content-Type application/json, or the X-CSRF-Token header)."""
    response = Response(status_code=204)
    auth.end_session(request, response)
    return response


@api.get("/me", response_model=UserOut)
def api_me(user: CurrentUser) -> UserOut:
    """The signed-in user (401 when nobody is)."""
    return UserOut.of(user)


router.include_router(api)
