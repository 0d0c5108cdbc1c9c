"""A company's members: the owner invites by e-mail and removes; the invited person joins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import accounts, invitations
from portal.errors import NotFound as DomainNotFound
from portal.errors import ValidationFailed
from web import auth, confirmation
from web.account_page import render_account
from web.deps import CurrentUser, LanguageDep, SessionDep
from web.templating import render

router = APIRouter(tags=["accounts"])
INVITATION_PATH = "/invitation"


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/account/members", response_class=HTMLResponse)
def invite(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """Invite a colleague by e-mail (the company's owner only); they choose their password."""
    try:
        invitations.invite(
            session=session,
            actor=user,
            email=email,
            name=name,
            now=_now(),
            link=confirmation.link_maker(request, INVITATION_PATH),
        )
    except ValidationFailed as failure:
        return render_account(
            request,
            session,
            language,
            user,
            values={"name": name, "email": email},
            errors=failure.errors,
            status_code=422,
        )
    address = quote(accounts.normalise_email(email)[:254])
    return RedirectResponse(f"/account?invited={address}", status_code=303)


@router.post("/account/members/{member_id}/remove", response_class=HTMLResponse)
def remove(
    request: Request, session: SessionDep, language: LanguageDep, user: CurrentUser, member_id: int
) -> Response:
    """Remove a member: the account is disabled and signed out (the last owner stays)."""
    try:
        member = invitations.remove(session=session, actor=user, member_id=member_id, now=_now())
    except ValidationFailed as failure:
        return render_account(
            request, session, language, user, errors=failure.errors, status_code=422
        )
    if member.id == user.id:  # an owner who left: their own session ended with it
        response = RedirectResponse("/login", status_code=303)
        auth.end_session(request, response)
        return response
    return RedirectResponse(f"/account?removed={quote(member.name)}", status_code=303)


@router.post("/account/members/{member_id}/owner")
def make_owner(session: SessionDep, user: CurrentUser, member_id: int) -> Response:
    """Make a member an owner too (owners only)."""
    member = invitations.make_owner(session=session, actor=user, member_id=member_id)
    return RedirectResponse(f"/account?owner={quote(member.name)}", status_code=303)


def _invitation_page(
    request: Request,
    language: LanguageDep,
    *,
    token: str,
    member: Any,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "token": token if member is not None else "",
        "member": member,
        "company": member.company.name if member is not None and member.company else "",
        "errors": errors or {},
        "values": {},
    }
    code = status_code if member is not None else 404
    return render(request, "account/invitation.html", context, language=language, status_code=code)


@router.get(INVITATION_PATH, response_class=HTMLResponse)
def invitation_page(
    request: Request, session: SessionDep, language: LanguageDep, token: str = ""
) -> HTMLResponse:
    """Show the form that sets an invited colleague's password (a GET changes nothing)."""
    member = invitations.holder(session=session, token=token[:200], now=_now())
    return _invitation_page(request, language, token=token[:200], member=member)


@router.post(INVITATION_PATH, response_class=HTMLResponse, dependencies=[Depends(auth.check_csrf)])
def accept_invitation(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    token: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_again: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Set the password, activate the account and sign in; a refused password keeps the link."""
    member = invitations.holder(session=session, token=token, now=_now())
    if member is not None and password != password_again:
        errors = {"password_again": accounts.PASSWORDS_DIFFER}
        return _invitation_page(
            request, language, token=token, member=member, errors=errors, status_code=422
        )
    try:
        member = invitations.accept(session=session, token=token, password=password, now=_now())
    except ValidationFailed as failure:
        return _invitation_page(
            request, language, token=token, member=member, errors=failure.errors, status_code=422
        )
    except DomainNotFound:
        return _invitation_page(request, language, token="", member=None)
    response = RedirectResponse("/account?welcome=1", status_code=303)
    auth.start_session(request, response, member)
    return response
