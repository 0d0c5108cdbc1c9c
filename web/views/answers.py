"""Where answers meet the portal: who may see one, its snapshot for a request, chat actions.

The portal never imports the assistant; this module copies what a request keeps of an answer.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from portal import attached_answers, service_requests
from portal.models import RequestAnswer, ServiceRequest, User
from portal.workflow import OPEN, Status
from retrieval import answer_log, feedback
from retrieval.answer_log import Turn
from web import auth
from web.exceptions import NotFound


def asker(user: User | None) -> dict[str, int | None]:
    """The asker and company ids Assistant.ask records for this user (None for visitors)."""
    return {
        "asker_id": user.id if user else None,
        "company_id": user.company_id if user else None,
    }


def visible_answer(*, session: Session, user: User | None, answer_id: str) -> Turn:
    """The answer if this user may see it, else 404 (exactly as for a missing one)."""
    return answer_log.get_visible(
        session=session,
        answer_id=answer_id,
        company_id=user.company_id if user else None,
        staff=bool(user and user.is_staff),
    )


def snapshot(turn: Turn) -> attached_answers.AnswerSnapshot:
    """What a request keeps of an answer: question, text and every citation with its version."""
    return attached_answers.AnswerSnapshot(
        answer_id=turn.answer_id or "",
        question=turn.question,
        answer=turn.answer.answer,
        language=turn.answer.language,
        refused=turn.answer.refused,
        asked_at=turn.asked_at,
        citations=[
            {**asdict(c), "version": answer_log.citation_version(c)} for c in turn.answer.citations
        ],
    )


def attach(
    *, session: Session, user: User, request: ServiceRequest, answer_id: str
) -> RequestAnswer:
    """Attach an answer the company may see to one of its requests (404 for anything else)."""
    turn = visible_answer(session=session, user=user, answer_id=answer_id)
    if user.is_staff:
        raise NotFound("answer", answer_id[:32])  # staff answers are not the company's
    return attached_answers.attach(
        session=session, user=user, request=request, snapshot=snapshot(turn)
    )


def chat_actions(
    request: Request,
    session: Session,
    *,
    rated: str | None = None,
    feedback_error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What each answer's action bar needs: the CSRF token and the company's open requests."""
    user = auth.current_user(request)
    company = user is not None and not user.is_staff and user.company_id is not None
    open_requests: list[ServiceRequest] = []
    if company and user is not None:
        open_requests = [
            r
            for r in service_requests.list_for_user(session=session, user=user)
            if Status(r.status) in OPEN
        ]
    viewer_company = user.company_id if user else None
    staff = bool(user and user.is_staff)
    return {
        # Another company's answer (a shared conversation link) gets no action bar.
        "can_act": lambda turn: answer_log.visible(turn, company_id=viewer_company, staff=staff),
        "csrf": auth.csrf_token(request),
        "company": company,
        "open_requests": open_requests,
        "rated": rated,
        "errors": feedback_error or {},
        "reasons": feedback.REASONS,
        "max_comment": feedback.MAX_COMMENT,
    }
