"""The account page: rendered by its own route and again by the forms on it (with messages)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from portal import accounts, invitations
from portal.models import User
from web.clock import now
from web.deps import LanguageDep, SessionDep
from web.templating import render


def render_account(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: User,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The account page: profile, password, the company's members (owners manage them)."""
    user = accounts.get_user(session=session, user_id=user.id)  # this session's, up to date
    members = (
        invitations.members(session=session, company_id=user.company_id, now=now())
        if user.company_id is not None
        else []
    )
    owners = ", ".join(m.user.name for m in members if m.state == "owner")
    context = {
        "user": user,
        "company": user.company,
        "members": members,
        "owners": owners,
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
    }
    return render(
        request, "account/account.html", context, language=language, status_code=status_code
    )
