"""Passwords: change one's own, reset a forgotten one by e-mail, staff send a reset link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import accounts, password_reset
from portal.errors import NotFound as DomainNotFound
from portal.errors import ValidationFailed
from web import auth, confirmation
from web.account_page import render_account
from web.deps import CurrentStaff, CurrentUser, LanguageDep, SessionDep
from web.templating import render

router = APIRouter(tags=["accounts"])
RESET_PATH = "/password/reset"


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: CurrentUser,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change the signed-in user's password; other sessions end, this one goes on."""
    me = accounts.get_user(session=session, user_id=user.id)
    errors = {"password_again": accounts.PASSWORDS_DIFFER} if password != password_again else {}
    if not errors:
        try:
            accounts.change_password(
                session=session, user=me, current=current_password, new=password
            )
        except ValidationFailed as failure:
            errors = failure.errors
    if errors:
        return render_account(request, session, language, user, errors=errors, status_code=422)
    response = RedirectResponse("/account?password=1", status_code=303)
    auth.start_session(request, response, me)  # the old cookie names the old version
    return response


# --- forgotten passwords ---------------------------------------------------------------------


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_page(request: Request, language: LanguageDep, sent: bool = False) -> HTMLResponse:
    """Ask for the e-mail to send a reset link to (or say that it was sent)."""
    context: dict[str, Any] = {"sent": sent, "values": {}, "errors": {}}
    return render(request, "account/forgot.html", context, language=language)


@router.post(
    "/password/forgot", response_class=HTMLResponse, dependencies=[Depends(auth.check_csrf)]
)
def forgot(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """Send a reset link if the address has an account; the answer is the same either way."""
    if problem := accounts.check_email(email):  # a typo reveals nothing about accounts
        context = {"sent": False, "values": {"email": email}, "errors": {"email": problem}}
        return render(request, "account/forgot.html", context, language=language, status_code=422)
    password_reset.request_reset(
        session=session,
        email=email,
        now=_now(),
        link=confirmation.link_maker(request, RESET_PATH),
    )
    return RedirectResponse("/password/forgot?sent=1", status_code=303)


def _reset_page(
    request: Request,
    language: LanguageDep,
    *,
    token: str,
    user: Any,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"token": token if user else "", "user": user, "errors": errors or {}, "values": {}}
    code = status_code if user is not None else 404
    return render(request, "account/reset.html", context, language=language, status_code=code)


@router.get(RESET_PATH, response_class=HTMLResponse)
def reset_page(
    request: Request, session: SessionDep, language: LanguageDep, token: str = ""
) -> HTMLResponse:
    """Show the new-password form of a reset link (a GET changes nothing)."""
    user = password_reset.holder(session=session, token=token[:200], now=_now())
    return _reset_page(request, language, token=token[:200], user=user)


@router.post(RESET_PATH, response_class=HTMLResponse, dependencies=[Depends(auth.check_csrf)])
def reset(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    token: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Set the new password, use the link up, end every session and sign in here."""
    user = password_reset.holder(session=session, token=token, now=_now())
    if user is not None and password != password_again:
        errors = {"password_again": accounts.PASSWORDS_DIFFER}
        return _reset_page(
            request, language, token=token, user=user, errors=errors, status_code=422
        )
    try:
        user = password_reset.reset(session=session, token=token, password=password, now=_now())
    except ValidationFailed as failure:
        return _reset_page(
            request, language, token=token, user=user, errors=failure.errors, status_code=422
        )
    except DomainNotFound:
        return _reset_page(request, language, token="", user=None)
    response = RedirectResponse("/account?reset=1", status_code=303)
    auth.start_session(request, response, user)
    return response


# --- staff -----------------------------------------------------------------------------------


@router.get("/staff/password-reset", response_class=HTMLResponse)
def staff_reset_page(
    request: Request, language: LanguageDep, staff: CurrentStaff, sent: str = ""
) -> HTMLResponse:
    """Staff: the form that sends a reset link to a user's own e-mail."""
    context = {"sent": sent[:254], "values": {}, "errors": {}}
    return render(request, "account/staff_reset.html", context, language=language)


@router.post("/staff/password-reset", response_class=HTMLResponse)
def staff_reset(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    staff: CurrentStaff,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """Staff: send a reset link to the account with this e-mail (recorded in the audit trail)."""
    target = accounts.get_user_by_email(session=session, email=email)
    try:
        if target is None:
            raise DomainNotFound(email)
        password_reset.send_for(
            session=session,
            actor=staff,
            user_id=target.id,
            now=_now(),
            link=confirmation.link_maker(request, RESET_PATH),
        )
    except DomainNotFound:
        context = {"sent": "", "values": {"email": email}, "errors": {"email": "unknown"}}
        return render(
            request, "account/staff_reset.html", context, language=language, status_code=422
        )
    address = quote(target.email)
    return RedirectResponse(f"/staff/password-reset?sent={address}", status_code=303)
