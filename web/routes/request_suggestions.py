"""Suggested answers while a company types a request (deflection), and whether they helped."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import deflection
from web.core import portal_parts
from web.deps import AssistantDep, CurrentUser, LanguageDep, SessionDep
from web.exceptions import NotFound
from web.numbers import parse_int
from web.pages import page
from web.templating import is_htmx

router = APIRouter(tags=["requests"])


# --- deflection -----------------------------------------------------------------------------


@router.get("/requests/suggestions", response_class=HTMLResponse)
def suggestions(
    request: Request,
    user: CurrentUser,
    language: LanguageDep,
    assistant: AssistantDep,
    q: Annotated[str, Query(max_length=20000)] = "",
    description: Annotated[str, Query(max_length=20000)] = "",
) -> Response:
    """Up to three cited answers for a text, recording nothing (a GET changes nothing)."""
    found = portal_parts.deflect(assistant, q or description)
    context = {"found": found, "deflection_id": "", "feedback": None, "q": q or description}
    return page(
        request, "requests/suggestions.html", context, language=language, block="suggestions"
    )


@router.post("/requests/suggestions", response_class=HTMLResponse)
def record_suggestions(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    language: LanguageDep,
    assistant: AssistantDep,
    q: Annotated[str, Form(max_length=20000)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    service_code: Annotated[str | None, Form(max_length=60)] = None,
    deflection_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Up to three cited answers for what the company is typing, counted for the dashboard.

    A POST (with the CSRF token), so another site cannot skew the deflection figures by
    making a signed-in browser load a URL.
    """
    q = q or description
    found = portal_parts.deflect(assistant, q)
    row_id = parse_int(deflection_id, field="deflection_id", minimum=1)
    if found is not None:
        row_id = deflection.record_shown(
            session=session,
            user=user,
            deflection_id=row_id,
            service_code=service_code or None,
            query=found.query,
            shown=found.count,
        )
    context = {"found": found, "deflection_id": row_id or "", "feedback": None, "q": q}
    return page(
        request, "requests/suggestions.html", context, language=language, block="suggestions"
    )


@router.post("/requests/suggestions/{deflection_id}/feedback", response_class=HTMLResponse)
def suggestion_feedback(
    deflection_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    language: LanguageDep,
    helpful: Annotated[str, Form(max_length=3)] = "",
    service: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Record whether the suggested answers helped ("Did this answer your question?")."""
    said_yes = helpful == "yes"
    if not deflection.record_feedback(
        session=session, user=user, deflection_id=deflection_id, helpful=said_yes
    ):
        raise NotFound("suggestion", str(deflection_id))
    if is_htmx(request):
        context = {"found": None, "deflection_id": deflection_id, "feedback": helpful, "q": ""}
        return page(
            request, "requests/suggestions.html", context, language=language, block="suggestions"
        )
    if said_yes:
        return RedirectResponse("/requests?answered=1", status_code=303)
    target = f"/requests/new?service={quote(service)}" if service else "/requests/new"
    return RedirectResponse(target, status_code=303)
