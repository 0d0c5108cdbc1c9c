"""JSON API, version 1: the service catalog and service requests (companies and staff)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from portal import (
    catalog,
    request_assignment,
    request_messages,
    request_transitions,
    service_requests,
    service_specs,
)
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import ServiceRequest
from portal.sla import SlaStatus
from portal.workflow import Priority, Status
from web.clock import sla_of
from web.deps import CalendarDep, CurrentUser, PortalDep, SessionDep, VisibleRequest
from web.forms import MAX_FILES

router = APIRouter(prefix="/api/v1", tags=["requests"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in"},
    404: {"description": "no such request (or not yours: the two are indistinguishable)"},
    422: {"description": "field errors: [{field, message}]"},
}


# --- shapes ---------------------------------------------------------------------------------


class FieldOut(BaseModel):
    """One typed field of a service's form."""

    name: str
    label_zh: str
    label_en: str
    kind: str
    required: bool
    choices: list[str]


class ServiceOut(BaseModel):
    """A service of the catalog and its form."""

    code: str
    name_zh: str
    name_en: str
    team_code: str | None
    turnaround_days: int | None
    fields: list[FieldOut]
    required_attachments: list[str]


class RequestIn(BaseModel):
    """A new service request; `fields` holds the service's typed fields by name."""

    model_config = ConfigDict(extra="forbid")

    service_code: str = Field(max_length=60)
    title: str = Field(max_length=200)
    description: str = Field(max_length=20000)
    fields: dict[str, str | list[str] | int | bool | None] = Field(default_factory=dict)


class SlaOut(BaseModel):
    """Where the request's SLA clocks stand (business seconds)."""

    state: str
    clock: str
    remaining_seconds: int
    first_response_due: datetime
    resolution_due: datetime

    @classmethod
    def of(cls, sla: SlaStatus) -> SlaOut:
        """The API view of SLA clocks."""
        return cls(
            state=sla.state,
            clock=sla.clock,
            remaining_seconds=sla.remaining_seconds,
            first_response_due=sla.first_response_due,
            resolution_due=sla.resolution_due,
        )


class RequestOut(BaseModel):
    """A service request as its company (or staff) sees it."""

    tracking_number: str
    service_code: str
    title: str
    description: str
    fields: dict[str, Any]
    status: Status
    priority: Priority
    created_at: datetime
    updated_at: datetime
    rating: int | None
    sla: SlaOut
    assignee_id: int | None = None

    @classmethod
    def of(cls, item: ServiceRequest, sla: SlaStatus, *, staff: bool) -> RequestOut:
        """The API view of a request (the assignee only for staff)."""
        return cls(
            tracking_number=item.tracking_number,
            service_code=item.service_code,
            title=item.title,
            description=item.description,
            fields=item.fields or {},
            status=item.status,
            priority=item.priority,
            created_at=item.created_at,
            updated_at=item.updated_at,
            rating=item.rating,
            sla=SlaOut.of(sla),
            assignee_id=item.assignee_id if staff else None,
        )


class TimelineEntryOut(BaseModel):
    """One entry of the timeline: a status change, a message or an attachment."""

    at: datetime
    kind: str
    internal: bool
    summary: str
    body: str | None = None
    author: str | None = None


class RequestDetailOut(RequestOut):
    """A request with its timeline (public entries only for companies)."""

    timeline: list[TimelineEntryOut]


class MessageIn(BaseModel):
    """A message on a request; staff may write internal notes."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20000)
    visibility: str = Field(default="public", pattern="^(public|internal)$")


class MessageOut(BaseModel):
    """A posted message."""

    id: int
    body: str
    visibility: str
    created_at: datetime


class RequestPatch(BaseModel):
    """What staff may change: status (by the transition table), priority, assignee."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | None = Field(default=None, description="a staff user's id; 0 unassigns")
    note: str | None = Field(default=None, max_length=20000)


# --- routes ---------------------------------------------------------------------------------


@router.get("/services", response_model=list[ServiceOut])
def list_services(session: SessionDep) -> list[ServiceOut]:
    """List the service catalog with each service's form fields."""
    out = []
    for service in catalog.list_services(session=session):
        spec = service_specs.spec_for(service_code=service.code)
        out.append(
            ServiceOut(
                code=service.code,
                name_zh=service.name_zh,
                name_en=service.name_en,
                team_code=service.team_code,
                turnaround_days=service.turnaround_days,
                fields=[
                    FieldOut(
                        name=f.name,
                        label_zh=f.label_zh,
                        label_en=f.label_en,
                        kind=f.kind,
                        required=f.required,
                        choices=[c.value for c in f.choices],
                    )
                    for f in spec.fields
                ],
                required_attachments=[a.key for a in spec.attachments if a.required],
            )
        )
    return out


@router.post("/requests", status_code=201, response_model=RequestOut, responses=_ERRORS)
def create_request(
    body: RequestIn,
    session: SessionDep,
    user: CurrentUser,
    portal: PortalDep,
    calendar: CalendarDep,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> RequestOut:
    """Submit a request; a repeated Idempotency-Key returns the request made the first time."""
    raw = {k: _as_form_value(v) for k, v in body.fields.items()}
    item = service_requests.submit(
        session=session,
        user=user,
        service_code=body.service_code,
        title=body.title,
        description=body.description,
        fields=raw,
        idempotency_key=idempotency_key or secrets.token_urlsafe(24),
        catalog_match=portal.catalog_match,
    )
    return RequestOut.of(item, sla_of(item, calendar), staff=user.is_staff)


@router.post("/requests/with-files", status_code=201, response_model=RequestOut, responses=_ERRORS)
async def create_request_with_files(
    session: SessionDep,
    user: CurrentUser,
    portal: PortalDep,
    calendar: CalendarDep,
    service_code: Annotated[str, Form(max_length=60)],
    title: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=20000)],
    files: Annotated[list[UploadFile], File(description="the service's attachments")],
    fields: Annotated[
        str, Form(max_length=50000, description="the typed fields as a JSON object")
    ] = "{}",
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> RequestOut:
    """Submit a request with its attachments (multipart), for services that require files."""
    try:
        parsed = json.loads(fields)
    except ValueError:
        raise ValidationFailed({"fields": "not_a_json_object"}) from None
    if not isinstance(parsed, dict):
        raise ValidationFailed({"fields": "not_a_json_object"})
    if len(files) > MAX_FILES:
        raise ValidationFailed({"files": "too_many_files"})
    uploads = [(f.filename or "", f.file) for f in files]  # spooled files, read in chunks
    item = service_requests.submit(
        session=session,
        user=user,
        service_code=service_code,
        title=title,
        description=description,
        fields={k: _as_form_value(v) for k, v in parsed.items()},
        idempotency_key=idempotency_key or secrets.token_urlsafe(24),
        files=uploads,
        store=portal.store,
        catalog_match=portal.catalog_match,
    )
    return RequestOut.of(item, sla_of(item, calendar), staff=user.is_staff)


def _as_form_value(value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@router.get("/requests", response_model=list[RequestOut], responses=_ERRORS)
def list_requests(
    session: SessionDep, user: CurrentUser, calendar: CalendarDep, status: Status | None = None
) -> list[RequestOut]:
    """List the requests the caller may see (a company's own), newest first."""
    items = service_requests.list_for_user(session=session, user=user, status=status)
    return [RequestOut.of(i, sla_of(i, calendar), staff=user.is_staff) for i in items]


@router.get("/requests/{tracking_number}", response_model=RequestDetailOut, responses=_ERRORS)
def get_request(
    item: VisibleRequest, session: SessionDep, user: CurrentUser, calendar: CalendarDep
) -> RequestDetailOut:
    """One request with its timeline."""
    entries = []
    for entry in service_requests.timeline(session=session, user=user, request=item):
        if entry.message is not None:
            author = entry.message.author
            entries.append(
                TimelineEntryOut(
                    at=entry.at,
                    kind="message",
                    internal=entry.internal,
                    summary=entry.message.visibility,
                    body=entry.message.body,
                    author=author.name if (user.is_staff or not author.is_staff) else "center",
                )
            )
        elif entry.attachment is not None:
            entries.append(
                TimelineEntryOut(
                    at=entry.at,
                    kind="attachment",
                    internal=entry.internal,
                    summary=entry.attachment.filename,
                )
            )
        elif entry.event is not None:
            e = entry.event
            summary = f"{e.before} -> {e.after}"
            entries.append(
                TimelineEntryOut(
                    at=entry.at, kind=e.kind, internal=entry.internal, summary=summary, body=e.note
                )
            )
    base = RequestOut.of(item, sla_of(item, calendar), staff=user.is_staff)
    return RequestDetailOut(**base.model_dump(), timeline=entries)


@router.post(
    "/requests/{tracking_number}/messages",
    status_code=201,
    response_model=MessageOut,
    responses=_ERRORS,
)
def post_message(
    body: MessageIn,
    item: VisibleRequest,
    session: SessionDep,
    user: CurrentUser,
    calendar: CalendarDep,
) -> MessageOut:
    """Add a message (a company answering the center moves the request back to in progress)."""
    message = request_messages.add_message(
        session=session,
        user=user,
        request=item,
        body=body.body,
        visibility=body.visibility,  # type: ignore[arg-type]
        calendar=calendar,
    )
    return MessageOut(
        id=message.id,
        body=message.body,
        visibility=message.visibility,
        created_at=message.created_at,
    )


@router.patch(
    "/requests/{tracking_number}",
    response_model=RequestOut,
    responses={
        **_ERRORS,
        403: {"description": "staff only"},
        409: {"description": "the transition table does not allow this status"},
    },
)
def update_request(
    patch: RequestPatch,
    item: VisibleRequest,
    session: SessionDep,
    user: CurrentUser,
    calendar: CalendarDep,
) -> RequestOut:
    """Change status, priority or assignee (staff only; 409 for an illegal transition)."""
    if not user.is_staff:
        raise PermissionDenied("only the center's staff may change a request")
    if (
        patch.status is None
        and patch.priority is None
        and "assignee_id" not in patch.model_fields_set
    ):
        raise ValidationFailed({"body": "nothing to change"})
    # The status first: an illegal transition (409) then leaves everything else unchanged.
    if patch.status is not None and patch.status != item.status:
        request_transitions.transition(
            session=session,
            actor=user,
            request=item,
            target=patch.status,
            note=patch.note,
            calendar=calendar,
        )
    if "assignee_id" in patch.model_fields_set:
        request_assignment.assign(
            session=session, actor=user, request=item, assignee_id=patch.assignee_id or None
        )
    if patch.priority is not None:
        request_assignment.set_priority(
            session=session, actor=user, request=item, priority=patch.priority
        )
    return RequestOut.of(item, sla_of(item, calendar), staff=True)
