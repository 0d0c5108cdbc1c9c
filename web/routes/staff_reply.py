"""The staff reply box's help from the knowledge base: a cited draft to edit before sending."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from web.core import reply_drafting
from web.deps import (
    CalendarDep,
    CurrentStaff,
    LanguageDep,
    SessionDep,
    StaffRequest,
    get_assistant_if_ready,
)
from web.i18n import translate
from web.pages import page
from web.views.request_detail import staff_context

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post("/requests/{tracking_number}/reply/suggest", response_class=HTMLResponse)
def suggest_reply(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    body: Annotated[str, Form(max_length=20000)] = "",
    question: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Fill the reply box with the assistant's cited answer to the request (nothing is sent)."""
    asked = question.strip() or reply_drafting.default_question(item)
    assistant = get_assistant_if_ready(request)
    notice = "reply.draft.not_ready"
    if assistant is not None:
        answer = assistant.answer(asked)
        if answer.refused:
            notice = "reply.draft.no_answer"
        else:
            label = translate("reply.draft.sources", language)
            body = reply_drafting.with_draft(
                body, reply_drafting.draft_text(answer, sources_label=label)
            )
            notice = "reply.draft.filled"
    context = staff_context(
        session=session, user=user, item=item, calendar=calendar, language=language
    )
    context.update(values={"body": body}, draft_question=asked, draft_notice=notice)
    # The whole page: htmx picks the reply form and, out of band, the draft box with its notice.
    return page(request, "staff/request.html", context, language=language)
