"""Impact recall: past answers and open requests that quoted an old version of a document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from knowledge import registry
from portal import attached_answers
from portal.models import RequestAnswer, ServiceRequest
from retrieval import answer_log, curated
from retrieval.tables import CuratedAnswerRow
from web.deps import CurrentStaff, LanguageDep, SessionDep
from web.exceptions import NotFound
from web.templating import render
from web.views.display import local_time

router = APIRouter(tags=["staff"])


@dataclass(frozen=True)
class Impact:
    """What a document's change affects."""

    document_id: str
    title: str
    version: int
    change: attached_answers.Change
    answers: list[answer_log.AffectedAnswer]
    requests: list[tuple[ServiceRequest, RequestAnswer]]
    curated: list[tuple[CuratedAnswerRow, str | None]]  # staff answers citing it; why stale

    @property
    def company_ids(self) -> set[int]:
        """Companies whose users asked the affected answers."""
        return {a.turn.company_id for a in self.answers if a.turn.company_id is not None}


def impact_of(*, session: Session, document_id: str) -> Impact:
    """The answers and open requests a document's change affects; 404 for an unknown document."""
    if not document_id or len(document_id) > 120:
        raise NotFound("document", document_id[:120])
    row = registry.get(session=session, document_id=document_id)
    if row is not None:
        title, version = row.title, row.version or 1
        change: attached_answers.Change = (
            "withdrawn"
            if row.withdrawn
            else "superseded"
            if row.status == "superseded"
            else "edited"
        )
    else:  # removed outright: its versions (and the answers that quoted it) remain
        versions = registry.versions_of(session=session, document_id=document_id)
        if not versions:
            raise NotFound("document", document_id)
        title, version, change = (
            versions[0].meta.get("title", document_id),
            versions[0].version,
            "withdrawn",
        )
    before = version if change == "edited" else None
    affected = answer_log.answers_citing(
        session=session, document_id=document_id, before_version=before
    )
    ids = [a.turn.answer_id for a in affected if a.turn.answer_id]
    requests = attached_answers.open_requests_with(session=session, answer_ids=ids)
    staff_answers = curated.citing(session=session, document_id=document_id)
    return Impact(document_id, title, version, change, affected, requests, staff_answers)


@router.get("/staff/knowledge/{document_id}/impact", response_class=HTMLResponse)
def impact_page(
    document_id: str,
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    requests_notified: Annotated[int | None, Query(alias="notified", ge=0)] = None,
    companies: Annotated[int, Query(ge=0)] = 0,
    skipped: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Past answers that quoted an old version of the document, and open requests attaching them."""
    impact = impact_of(session=session, document_id=document_id)
    turns = [a.turn for a in impact.answers]
    people = attached_answers.users_by_id(
        session=session, user_ids=[t.asker_id for t in turns if t.asker_id is not None]
    )
    firms = attached_answers.companies_by_id(
        session=session, company_ids=[t.company_id for t in turns if t.company_id is not None]
    )
    sent = attached_answers.notices_for(
        session=session, document_id=document_id, document_version=impact.version
    )
    context: dict[str, Any] = {
        "impact": impact,
        "people": people,
        "firms": firms,
        "already": len(sent),
        "report": None
        if requests_notified is None
        else {
            "requests": requests_notified,
            "companies": companies,
            "skipped": skipped,
        },
        "local_time": local_time,
    }
    return render(request, "staff/impact.html", context, language=language)


@router.post("/staff/knowledge/{document_id}/impact/notify")
def notify_affected(document_id: str, session: SessionDep, user: CurrentStaff) -> Response:
    """Notify every affected company once (per request, or per company), through the outbox."""
    impact = impact_of(session=session, document_id=document_id)
    report = attached_answers.notify_impact(
        session=session,
        actor=user,
        document_id=document_id,
        document_version=impact.version,
        title=impact.title,
        change=impact.change,
        requests=[r for r, _ in impact.requests],
        company_ids=impact.company_ids,
    )
    query = (
        f"notified={report.notified_requests}&companies={report.notified_companies}"
        f"&skipped={report.already_notified}"
    )
    return RedirectResponse(
        f"/staff/knowledge/{quote(document_id)}/impact?{query}", status_code=303
    )
