"""Assistant answers attached to requests, and telling companies that a cited document changed.

The portal never reads the assistant's tables: the web layer hands over a snapshot of the
answer (question, text, citations with document id, version, section and quote) and, for
impact recall, the ids of the affected answers and companies.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import notifications, texts
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Company, ImpactNotice, RequestAnswer, ServiceRequest, User
from portal.tracking import ensure_visible, record_event
from portal.workflow import FINAL, OPEN

Change = Literal["edited", "superseded", "withdrawn"]
_CITATION_KEYS = ("n", "document_id", "version", "chunk_id", "title", "section", "quote", "url")


@dataclass(frozen=True)
class AnswerSnapshot:
    """What the assistant told the company, copied when it is attached."""

    answer_id: str
    question: str
    answer: str
    language: str
    refused: bool
    asked_at: datetime | None
    citations: list[dict[str, Any]] = field(default_factory=list)


def attach(
    *, session: Session, user: User, request: ServiceRequest, snapshot: AnswerSnapshot
) -> RequestAnswer:
    """Attach an answer to the company's own open request (again: the same row); audited."""
    ensure_visible(user=user, request=request)
    if user.is_staff or user.company_id is None:
        raise PermissionDenied("only the company attaches the assistant's answers")
    if request.status in FINAL:
        raise PermissionDenied("this request is closed")
    answer_id = (snapshot.answer_id or "").strip()
    if not answer_id or len(answer_id) > 32:
        raise ValidationFailed({"answer_id": "invalid"})
    existing = session.scalar(
        select(RequestAnswer).where(
            RequestAnswer.request_id == request.id, RequestAnswer.answer_id == answer_id
        )
    )
    if existing is not None:
        return existing
    citations = [{key: c.get(key) for key in _CITATION_KEYS} for c in snapshot.citations]
    row = RequestAnswer(
        request_id=request.id,
        answer_id=answer_id,
        question=snapshot.question,
        answer=snapshot.answer,
        language=snapshot.language[:4],
        refused=snapshot.refused,
        asked_at=snapshot.asked_at,
        citations=citations,
        attached_by_id=user.id,
    )
    session.add(row)
    session.flush()
    record_event(
        session=session,
        request=request,
        actor=user,
        kind="answer_attached",
        after={
            "answer_id": answer_id,
            "question": snapshot.question[:300],
            "sources": [
                {"document_id": c["document_id"], "version": c["version"]} for c in citations
            ],
        },
    )
    if request.assignee_id is not None:
        notifications.enqueue(
            session=session,
            user_ids=[request.assignee_id],
            subject=texts.ANSWER_ATTACHED_SUBJECT.format(number=request.tracking_number),
            body=snapshot.question[:2000],
            request_id=request.id,
        )
    session.commit()
    return row


def list_for_request(
    *, session: Session, user: User, request: ServiceRequest
) -> list[RequestAnswer]:
    """The answers attached to a request the user may see, oldest first."""
    ensure_visible(user=user, request=request)
    return list(
        session.scalars(
            select(RequestAnswer)
            .where(RequestAnswer.request_id == request.id)
            .order_by(RequestAnswer.id)
        )
    )


def open_requests_with(
    *, session: Session, answer_ids: Collection[str]
) -> list[tuple[ServiceRequest, RequestAnswer]]:
    """Open requests that have one of these answers attached, newest request first."""
    ids = sorted(set(answer_ids))
    found: list[tuple[ServiceRequest, RequestAnswer]] = []
    for start in range(0, len(ids), 500):  # bounded IN lists
        rows = session.execute(
            select(ServiceRequest, RequestAnswer)
            .join(RequestAnswer, RequestAnswer.request_id == ServiceRequest.id)
            .where(
                RequestAnswer.answer_id.in_(ids[start : start + 500]),
                ServiceRequest.status.in_(list(OPEN)),
            )
        )
        found.extend((request, answer) for request, answer in rows)
    found.sort(key=lambda pair: (pair[0].id, pair[1].id), reverse=True)
    return found


def users_by_id(*, session: Session, user_ids: Iterable[int]) -> dict[int, User]:
    """Users by id (the ones that exist)."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def companies_by_id(*, session: Session, company_ids: Iterable[int]) -> dict[int, Company]:
    """Companies by id (the ones that exist)."""
    ids = sorted({i for i in company_ids if i is not None})
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Company).where(Company.id.in_(ids)))}


# --- impact recall ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactReport:
    """What one "notify the affected companies" did."""

    notified_requests: int
    notified_companies: int
    already_notified: int

    @property
    def notified(self) -> int:
        """Notices sent now (requests and companies)."""
        return self.notified_requests + self.notified_companies


def _already(*, session: Session, document_id: str, version: int, target: str) -> bool:
    return (
        session.scalar(
            select(ImpactNotice.id).where(
                ImpactNotice.document_id == document_id,
                ImpactNotice.document_version == version,
                ImpactNotice.target == target,
            )
        )
        is not None
    )


def notify_impact(
    *,
    session: Session,
    actor: User,
    document_id: str,
    document_version: int,
    title: str,
    change: Change,
    requests: Iterable[ServiceRequest],
    company_ids: Iterable[int],
) -> ImpactReport:
    """Tell each affected request's company, and each other affected company, once per version.

    A request's notice names the document and the request and is recorded on its audit trail;
    a company whose answers are attached to no open request gets one notice naming the
    document (audited without a request). Notices already sent for this version are skipped.
    """
    if not actor.active or not actor.is_staff:
        raise PermissionDenied("only center staff may do this")
    if change not in texts.DOCUMENT_CHANGES:
        raise ValidationFailed({"change": "invalid_choice"})
    sent_requests = sent_companies = skipped = 0
    covered: set[int] = set()
    after = {"document_id": document_id, "version": document_version, "change": change}
    for request in {r.id: r for r in requests}.values():
        covered.add(request.company_id)
        target = f"request:{request.id}"
        if _already(
            session=session, document_id=document_id, version=document_version, target=target
        ):
            skipped += 1
            continue
        text = texts.document_changed(
            title=title, version=document_version, change=change, number=request.tracking_number
        )
        notifications.enqueue(
            session=session,
            user_ids=notifications.company_user_ids(session=session, company_id=request.company_id),
            subject=text.subject,
            body=text.body,
            request_id=request.id,
        )
        session.add(
            ImpactNotice(
                document_id=document_id,
                document_version=document_version,
                target=target,
                company_id=request.company_id,
                request_id=request.id,
                notified_by_id=actor.id,
            )
        )
        record_event(
            session=session, request=request, actor=actor, kind="impact_notified", after=after
        )
        sent_requests += 1
    for company_id in sorted(set(company_ids) - covered):
        if session.get(Company, company_id) is None:
            continue
        target = f"company:{company_id}"
        if _already(
            session=session, document_id=document_id, version=document_version, target=target
        ):
            skipped += 1
            continue
        text = texts.document_changed(
            title=title, version=document_version, change=change, number=None
        )
        notifications.enqueue(
            session=session,
            user_ids=notifications.company_user_ids(session=session, company_id=company_id),
            subject=text.subject,
            body=text.body,
        )
        session.add(
            ImpactNotice(
                document_id=document_id,
                document_version=document_version,
                target=target,
                company_id=company_id,
                request_id=None,
                notified_by_id=actor.id,
            )
        )
        record_event(
            session=session,
            request=None,
            actor=actor,
            kind="impact_notified",
            after={**after, "company_id": company_id},
        )
        sent_companies += 1
    session.commit()
    return ImpactReport(sent_requests, sent_companies, skipped)


def notices_for(*, session: Session, document_id: str, document_version: int) -> list[ImpactNotice]:
    """The notices already sent about this version of a document."""
    return list(
        session.scalars(
            select(ImpactNotice).where(
                ImpactNotice.document_id == document_id,
                ImpactNotice.document_version == document_version,
            )
        )
    )
