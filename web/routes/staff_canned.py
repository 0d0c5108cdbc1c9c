"""Canned replies: the staff's reusable reply texts, listed, created, edited and deleted."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import canned
from portal.errors import ValidationFailed
from web.deps import CurrentStaff, LanguageDep, SessionDep
from web.i18n import UiLanguage
from web.pages import page

router = APIRouter(prefix="/staff", tags=["staff"])


def _canned_page(
    request: Request,
    session: Any,
    user: Any,
    language: UiLanguage,
    *,
    editing: Any = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "replies": canned.list_replies(session=session, actor=user),
        "editing": editing,
        "values": values or ({"title": editing.title, "body": editing.body} if editing else {}),
        "errors": errors or {},
    }
    return page(request, "staff/canned.html", context, language=language, status_code=status_code)


@router.get("/canned", response_class=HTMLResponse)
def canned_list(
    request: Request, session: SessionDep, user: CurrentStaff, language: LanguageDep
) -> Response:
    """List the canned replies, with a form for a new one."""
    return _canned_page(request, session, user, language)


@router.post("/canned", response_class=HTMLResponse)
def canned_create(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    title: Annotated[str, Form(max_length=500)] = "",
    body: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Add a canned reply."""
    try:
        canned.create_reply(session=session, actor=user, title=title, body=body)
    except ValidationFailed as failure:
        return _canned_page(
            request,
            session,
            user,
            language,
            values={"title": title, "body": body},
            errors=failure.errors,
            status_code=422,
        )
    return RedirectResponse("/staff/canned", status_code=303)


@router.get("/canned/{reply_id}/edit", response_class=HTMLResponse)
def canned_edit(
    reply_id: int, request: Request, session: SessionDep, user: CurrentStaff, language: LanguageDep
) -> Response:
    """Show a canned reply in the edit form."""
    reply = canned.get_reply(session=session, actor=user, reply_id=reply_id)
    return _canned_page(request, session, user, language, editing=reply)


@router.post("/canned/{reply_id}", response_class=HTMLResponse)
def canned_update(
    reply_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    title: Annotated[str, Form(max_length=500)] = "",
    body: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Change a canned reply."""
    try:
        canned.update_reply(session=session, actor=user, reply_id=reply_id, title=title, body=body)
    except ValidationFailed as failure:
        reply = canned.get_reply(session=session, actor=user, reply_id=reply_id)
        return _canned_page(
            request,
            session,
            user,
            language,
            editing=reply,
            values={"title": title, "body": body},
            errors=failure.errors,
            status_code=422,
        )
    return RedirectResponse("/staff/canned", status_code=303)


@router.post("/canned/{reply_id}/delete")
def canned_delete(reply_id: int, session: SessionDep, user: CurrentStaff) -> Response:
    """Delete a canned reply."""
    canned.delete_reply(session=session, actor=user, reply_id=reply_id)
    return RedirectResponse("/staff/canned", status_code=303)
