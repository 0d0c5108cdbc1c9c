"""Feedback on answers (chat form and JSON API), attaching answers to requests, the staff list."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import attached_answers, service_requests
from portal.errors import NotFound as DomainNotFound
from retrieval import feedback
from retrieval.answer_log import Turn
from retrieval.curated import CitationDraft
from web.deps import (
    CurrentStaff,
    CurrentUser,
    LanguageDep,
    OptionalUser,
    SessionDep,
    get_ready_assistant,
)
from web.exceptions import NotFound
from web.forms import CITATION_ROWS
from web.pages import page as request_page
from web.schemas import FeedbackIn, FeedbackOut
from web.templating import is_htmx, render
from web.views import answers
from web.views.display import local_time

router = APIRouter(tags=["feedback"])
_ERROR_KEYS = {"reason": "feedback.error.reason", "comment": "feedback.error.comment"}


def _give(
    session: SessionDep,
    user: OptionalUser,
    answer_id: str,
    *,
    helpful: bool,
    reason: str | None,
    comment: str | None,
) -> feedback.Feedback:
    if len(answer_id) > 32:
        raise NotFound("answer", answer_id[:32])
    return feedback.give_feedback(
        session=session,
        answer_id=answer_id,
        helpful=helpful,
        reason=reason,
        comment=comment,
        user_id=user.id if user else None,
        company_id=user.company_id if user else None,
        staff=bool(user and user.is_staff),
    )


@router.post(
    "/api/v1/answers/{answer_id}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    tags=["assistant"],
    responses={404: {"description": "no such answer"}, 422: {"description": "invalid input"}},
)
def api_feedback(
    answer_id: str, body: FeedbackIn, session: SessionDep, user: OptionalUser
) -> FeedbackOut:
    """Rate an answer: helpful or not, and for "not" optionally why; a later verdict replaces it."""
    stored = _give(
        session, user, answer_id, helpful=body.helpful, reason=body.reason, comment=body.comment
    )
    return FeedbackOut(
        id=stored.id,
        answer_id=stored.answer_id,
        helpful=stored.helpful,
        reason=stored.reason,
        comment=stored.comment,
        created_at=stored.created_at,
    )


@router.post("/chat/answers/{answer_id}/feedback", response_class=HTMLResponse)
def chat_feedback(
    answer_id: str,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    language: LanguageDep,
    helpful: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    comment: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Thumbs up or down from the chat page: the thanks fragment for htmx, else back (303)."""
    turn = answers.visible_answer(session=session, user=user, answer_id=answer_id[:33])
    error = None
    if helpful not in ("yes", "no"):
        error = "feedback.error.helpful"
    else:
        try:
            _give(
                session,
                user,
                answer_id,
                helpful=helpful == "yes",
                reason=None if helpful == "yes" else reason,
                comment=comment,
            )
        except feedback.InvalidFeedback as failure:
            error = _ERROR_KEYS.get(failure.field, "error.invalid")
    if error is None and not is_htmx(request):
        target = f"/chat?c={quote(turn.conversation_id)}&rated={answer_id}#a-{answer_id}"
        return RedirectResponse(target, status_code=303)
    actions = answers.chat_actions(
        request,
        session,
        rated=answer_id if error is None else None,
        feedback_error={answer_id: error} if error else None,
    )
    status = 422 if error else 200
    if is_htmx(request):
        context: dict[str, Any] = {"answer_id": answer_id, "actions": actions}
        return render(
            request, "answers/feedback.html", context, language=language, status_code=status
        )
    # Without JavaScript: the conversation again, the message next to this answer's form.
    turns = get_ready_assistant(request).history(turn.conversation_id)
    context = {
        "turns": turns,
        "conversation_id": turn.conversation_id,
        "question": "",
        "error": None,
        "actions": actions,
    }
    return render(request, "chat.html", context, language=language, status_code=status)


@router.post("/chat/answers/{answer_id}/attach")
def attach_from_chat(
    answer_id: str,
    session: SessionDep,
    user: CurrentUser,
    tracking_number: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Attach an answer to one of the company's open requests, then show that request (303)."""
    try:
        item = service_requests.get_for_user(
            session=session, user=user, tracking_number=tracking_number
        )
    except DomainNotFound:
        raise NotFound("request", tracking_number) from None
    answers.attach(session=session, user=user, request=item, answer_id=answer_id[:33])
    return RedirectResponse(
        f"/requests/{quote(item.tracking_number)}?attached=1#answers", status_code=303
    )


@router.get("/staff/feedback", response_class=HTMLResponse)
def feedback_list(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    verdict: Annotated[Literal["", "helpful", "unhelpful"], Query()] = "",
    reason: Annotated[Literal["", "wrong", "outdated", "incomplete", "wrong_source"], Query()] = "",
    handled: Annotated[Literal["", "open", "handled"], Query()] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """Feedback on answers with the question, answer and citations; filters; newest first."""
    helpful = {"helpful": True, "unhelpful": False}.get(verdict)
    found = feedback.list_feedback(
        session=session,
        helpful=helpful,
        reason=reason or None,
        handled={"open": False, "handled": True}.get(handled),
        page=page,
    )
    people = attached_answers.users_by_id(
        session=session, user_ids=[fb.user_id for fb, _ in found.items if fb.user_id]
    )
    context = {
        "found": found,
        "people": people,
        "verdict": verdict,
        "reason": reason,
        "handled": handled,
        "reasons": feedback.REASONS,
        "local_time": local_time,
        "back": request.url.query,
    }
    return render(request, "staff/feedback.html", context, language=language)


def _feedback_item(session: SessionDep, feedback_id: int) -> tuple[feedback.Feedback, Turn]:
    return feedback.get_feedback(session=session, feedback_id=feedback_id)


@router.post("/staff/feedback/{feedback_id}/handled")
def mark_handled(
    feedback_id: int,
    session: SessionDep,
    user: CurrentStaff,
    handled: Annotated[str, Form(max_length=5)] = "yes",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Mark a piece of feedback handled (or open it again), then back to the list (303)."""
    _feedback_item(session, feedback_id)
    feedback.set_handled(
        session=session,
        feedback_id=feedback_id,
        handled=handled == "yes",
        by=user.name or user.email,
    )
    query = back if re.fullmatch(r"[\w=&%.+-]*", back) else ""
    return RedirectResponse(f"/staff/feedback?{query}#fb-{feedback_id}", status_code=303)


@router.get("/staff/feedback/{feedback_id}/answer", response_class=HTMLResponse)
def staff_answer_from_feedback(
    feedback_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
) -> Response:
    """The staff-answer form with the asked question filled in, in the asker's language."""
    _, turn = _feedback_item(session, feedback_id)
    values = {
        "questions": turn.question,
        "answer": "",
        "language": turn.answer.language,
        "citations": [CitationDraft("", "")] * CITATION_ROWS,
    }
    context = {
        "values": values,
        "editing": None,
        "group": None,
        "errors": {},
        "passages": None,
        "q": turn.question,
        "from_feedback": feedback_id,
    }
    return request_page(request, "staff/curated_form.html", context, language=language)
