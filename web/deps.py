"""Request dependencies, every one: the portal's parts, who asks, their language, the form,
and what the path names (requests, documents) loaded or 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.tables import DocumentRow
from portal import dashboard, saved_views, service_requests, service_specs
from portal.models import ServiceRequest, User
from portal.sla import WorkingCalendar
from portal.workflow import Priority, Status
from retrieval.assistant import Assistant
from retrieval.knowledge_admin import KnowledgeAdmin
from web import auth
from web.core.components import Components
from web.core.portal_parts import PortalParts
from web.exceptions import NotFound, NotReady
from web.forms import SubmittedForm, submitted_form
from web.i18n import LANGUAGES, UiLanguage, negotiate
from web.numbers import parse_int

LANGUAGE_COOKIE = "lang"


def get_components(request: Request) -> Components:
    """The running parts of the portal."""
    return request.app.state.components


def get_session(request: Request) -> Iterator[Session]:
    """A database session for the request, closed after the response (services commit)."""
    with get_components(request).sessions() as session:
        yield session


def get_ready_assistant(request: Request) -> Assistant:
    """The assistant, once the index is ready (503 before)."""
    if not request.app.state.ready.is_set():
        raise NotReady()
    return get_components(request).assistant


def get_assistant_if_ready(request: Request) -> Assistant | None:
    """The assistant when its index is loaded, else None (the reply is then sent unchecked)."""
    if not request.app.state.ready.is_set():
        return None
    return get_components(request).assistant


def get_language(request: Request, lang: Annotated[str | None, Query()] = None) -> UiLanguage:
    """The interface language: ?lang=, then the cookie, then Accept-Language."""
    for candidate in (lang, request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return negotiate(request.headers.get("accept-language"))


def get_document(
    document_id: str, components: Annotated[Components, Depends(get_components)]
) -> DocumentRow:
    """The document named in the path, or 404."""
    with components.sessions() as session:
        row = registry.get(session=session, document_id=document_id)
    if row is None:
        raise NotFound("document", document_id)
    return row


def get_knowledge(request: Request) -> KnowledgeAdmin:
    """The knowledge-maintenance service of the running app."""
    return request.app.state.knowledge


ComponentsDep = Annotated[Components, Depends(get_components)]
AssistantDep = Annotated[Assistant, Depends(get_ready_assistant)]
LanguageDep = Annotated[UiLanguage, Depends(get_language)]
KnowledgeDep = Annotated[KnowledgeAdmin, Depends(get_knowledge)]
DocumentDep = Annotated[DocumentRow, Depends(get_document)]
SessionDep = Annotated[Session, Depends(get_session)]
# Who is asking: pages redirect visitors to /login (303), the API answers 401;
# CurrentStaff and CurrentAdmin answer 403 to everyone else.
OptionalUser = Annotated[User | None, Depends(auth.optional_user)]
CurrentUser = Annotated[User, Depends(auth.require_user)]
CurrentStaff = Annotated[User, Depends(auth.require_staff)]
CurrentAdmin = Annotated[User, Depends(auth.require_admin)]


def get_portal(request: Request) -> PortalParts:
    """The portal's file store and catalog matcher."""
    return request.app.state.portal


def get_calendar(session: SessionDep) -> WorkingCalendar:
    """The working calendar that SLA clocks count on."""
    return WorkingCalendar.load(session=session)


def visible_request(tracking_number: str, session: SessionDep, user: CurrentUser) -> ServiceRequest:
    """The request named in the path, if the user may see it; 404 otherwise (no leak)."""
    if len(tracking_number) > 30:
        raise NotFound("request", tracking_number[:30])
    return service_requests.get_for_user(
        session=session, user=user, tracking_number=tracking_number
    )


def staff_request(tracking_number: str, session: SessionDep, user: CurrentStaff) -> ServiceRequest:
    """The request named in the path, for staff (404 when there is none)."""
    return service_requests.get_for_user(
        session=session, user=user, tracking_number=tracking_number[:30]
    )


def staff_document(document_id: str, knowledge: KnowledgeDep, user: CurrentStaff) -> DocumentRow:
    """The document named in the path, withdrawn ones included (404 when there is none)."""
    return knowledge.get(document_id[:120])


def queue_filters(
    user: CurrentStaff,
    status: Annotated[list[str] | None, Query()] = None,
    service: Annotated[str, Query(max_length=60)] = "",
    priority: Annotated[str, Query(max_length=10)] = "",
    assignee: Annotated[str, Query(max_length=12)] = "",
    team: Annotated[str, Query(max_length=40)] = "",
    sla: Annotated[str, Query(max_length=10)] = "",
    company: Annotated[str, Query(max_length=12)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(max_length=10)] = "sla",
) -> dashboard.QueueFilters:
    """The queue's filters from the query string; unknown values are ignored, not errors."""
    statuses = tuple(Status(s) for s in (status or []) if s in Status._value2member_map_)
    if "all" in (status or []):
        statuses = tuple(Status)  # "all of a company's requests" from the customer panel
    chosen_assignee: Any = None
    if assignee in ("me", "unassigned"):
        chosen_assignee = assignee
    else:
        chosen_assignee = parse_int(assignee, field="assignee", minimum=1)
    return dashboard.QueueFilters(
        status=statuses,
        service=service if service in service_specs.SPECS else None,
        priority=Priority(priority) if priority in Priority._value2member_map_ else None,
        assignee=chosen_assignee,
        team=team if re.fullmatch(r"[a-z0-9_]{2,40}", team) else None,
        sla_state=sla if sla in saved_views.SLA_STATES else None,
        company_id=parse_int(company, field="company", minimum=1),
        text=q.strip() or None,
        sort=sort if sort in saved_views.SORTS else "sla",  # type: ignore[arg-type]
        limit=500,
    )


PortalDep = Annotated[PortalParts, Depends(get_portal)]
CalendarDep = Annotated[WorkingCalendar, Depends(get_calendar)]
FormDep = Annotated[SubmittedForm, Depends(submitted_form)]
VisibleRequest = Annotated[ServiceRequest, Depends(visible_request)]
StaffRequest = Annotated[ServiceRequest, Depends(staff_request)]
StaffDocument = Annotated[DocumentRow, Depends(staff_document)]
FiltersDep = Annotated[dashboard.QueueFilters, Depends(queue_filters)]
