"""Service requests: submitting one, finding and reading them, and the company's rating.

The rest of a request's life has its own module:

- `portal.request_messages`: replies, company messages and internal notes (`add_message`);
- `portal.request_files`: storing a request's files and downloading them (`get_attachment`);
- `portal.request_transitions`: status changes (`transition`, `stage_transition`, `withdraw`);
- `portal.request_assignment`: staff handling (`assign`, `claim`, `set_priority`, `set_service`);
- `portal.dashboard`: the staff queue (`queue`, `QueueFilters`).

Every mutating function checks who may do it, writes an Event per change and commits.
A company user asking about another company's request gets NotFound, exactly as if the
request did not exist.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import catalog, notifications, service_specs, texts, triage
from portal.attachments import AttachmentStore, Content, StoredFile
from portal.completeness import slot_name
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attachment, Event, Message, ServiceRequest, User
from portal.request_files import attach_files, store_files
from portal.request_messages import MAX_TEXT
from portal.sla import as_utc, moment_or_now
from portal.tracking import ensure_visible, next_tracking_number, record_event
from portal.workflow import Status

# Events a company may see on its timeline; the rest (assignment, priority, triage …) are internal.
PUBLIC_EVENTS = frozenset({"submitted", "status", "rated", "attachment_added"})
MAX_TITLE = 200


def _by_key(*, session: Session, company_id: int, key: str) -> ServiceRequest | None:
    return session.scalar(
        select(ServiceRequest).where(
            ServiceRequest.company_id == company_id, ServiceRequest.idempotency_key == key
        )
    )


def submit(
    *,
    session: Session,
    user: User,
    service_code: str,
    title: str,
    description: str,
    fields: dict[str, Any],
    idempotency_key: str,
    files: Sequence[tuple[str, Content]] = (),
    store: AttachmentStore | None = None,
    deflection_shown: int = 0,
    catalog_match: triage.CatalogMatch | None = None,
    now: datetime | None = None,
    materials: Mapping[str, StoredFile] | None = None,
) -> ServiceRequest:
    """Create a request (or return the one already made with this key) and notify the company.

    `materials` are the guide's named materials by key, already checked and stored (the
    form's upload slots); each required one must be there. Without them (the API), `files`
    stand for the materials as before.
    """
    if user.is_staff or user.company_id is None or not user.active:
        raise PermissionDenied("only company users submit requests")
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise ValidationFailed({"idempotency_key": "required"})
    existing = _by_key(session=session, company_id=user.company_id, key=key)
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        errors["title"] = "required"
    elif len(title) > MAX_TITLE:
        errors["title"] = "too_long"
    if not description:
        errors["description"] = "required"
    elif len(description) > MAX_TEXT:
        errors["description"] = "too_long"
    try:
        service = catalog.get_service(session=session, service_code=service_code)
    except NotFound:
        raise ValidationFailed({**errors, "service_code": "unknown_service"}) from None
    try:
        clean = catalog.validate_fields(service_code=service_code, raw=fields)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    spec = service_specs.spec_for(service_code=service_code)
    if materials is not None:
        for a in spec.attachments:
            if a.required and a.key not in materials:
                errors[slot_name(a.key)] = "required"
        materials = {k: f for k, f in materials.items() if k in {a.key for a in spec.attachments}}
    elif any(a.required for a in spec.attachments) and not files:
        # Whatever the channel (page, JSON API, multipart API): no request without its files.
        errors["files"] = "attachment_required"
    if errors:
        raise ValidationFailed(errors)
    stored = store_files(
        files,
        store,
        session=session,
        company_id=user.company_id,
        stored_bytes=sum(f.size for f in (materials or {}).values()),
    )
    moment = moment_or_now(now)
    try:
        request = ServiceRequest(
            tracking_number=f"pending-{secrets.token_hex(8)}",  # the real one is taken last
            company_id=user.company_id,
            created_by_id=user.id,
            service_code=service_code,
            title=title,
            description=description,
            fields=clean,
            status=Status.SUBMITTED,
            priority=spec.default_priority,
            team_code=service.team_code or spec.team_code,
            idempotency_key=key,
            created_at=moment,
            updated_at=moment,
            paused_seconds=0,
            deflection_shown=max(0, int(deflection_shown)),
        )
        session.add(request)
        session.flush()
    except IntegrityError:  # the same key won a race: that request is the answer
        session.rollback()
        existing = _by_key(session=session, company_id=user.company_id, key=key)
        if existing is None:
            raise
        return existing
    record_event(
        session=session,
        request=request,
        actor=user,
        kind="submitted",
        after={"status": "submitted", "service_code": service_code},
    )
    attach_files(session=session, request=request, user=user, stored=stored, message=None)
    for key, kept in (materials or {}).items():
        stored_file = [(kept.filename, kept.content_type, kept.size, kept.sha256)]
        rows = attach_files(
            session=session, request=request, user=user, message=None, stored=stored_file
        )
        rows[0].material = key
    # The number comes last: bumping the counter write-locks it (its row on PostgreSQL) until
    # the commit, so every other submission waits only for these few statements. Nobody can see
    # the placeholder (uncommitted), and a rollback gives the number back: no gaps.
    number = next_tracking_number(session=session, year=moment.astimezone(catalog.SHANGHAI).year)
    request.tracking_number = number
    session.flush()
    text = texts.submitted(title=title, number=number)
    notifications.notify_company(
        session=session, request=request, actor=None, subject=text.subject, body=text.body
    )
    session.commit()
    triage.suggest(session=session, request=request, catalog_match=catalog_match)
    return request


def list_for_user(
    *, session: Session, user: User, status: Status | None = None, limit: int = 200
) -> list[ServiceRequest]:
    """Return the requests the user may see (a company's own; all for staff), newest first."""
    if not user.active:
        raise PermissionDenied("this account is disabled")
    stmt = select(ServiceRequest).order_by(ServiceRequest.id.desc()).limit(limit)
    if not user.is_staff:
        if user.company_id is None:
            return []
        stmt = stmt.where(ServiceRequest.company_id == user.company_id)
    if status is not None:
        stmt = stmt.where(ServiceRequest.status == status)
    return list(session.scalars(stmt))


def get_for_user(*, session: Session, user: User, tracking_number: str) -> ServiceRequest:
    """Return a request by tracking number, or raise NotFound if it is missing or not theirs."""
    request = session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_number == tracking_number)
    )
    if request is None:
        raise NotFound("no such request")
    ensure_visible(user=user, request=request)
    return request


@dataclass(frozen=True)
class TimelineItem:
    """One entry of a request's timeline: an event, a message or an attachment."""

    at: datetime
    kind: Literal["event", "message", "attachment"]
    internal: bool
    event: Event | None = None
    message: Message | None = None
    attachment: Attachment | None = None


def timeline(*, session: Session, user: User, request: ServiceRequest) -> list[TimelineItem]:
    """Return events, messages and attachments in time order; companies see public ones only."""
    ensure_visible(user=user, request=request)
    staff = user.is_staff
    items: list[TimelineItem] = []
    messages = {
        m.id: m for m in session.scalars(select(Message).where(Message.request_id == request.id))
    }
    for m in messages.values():
        if staff or m.visibility == "public":
            items.append(
                TimelineItem(as_utc(m.created_at), "message", m.visibility != "public", message=m)
            )
    for a in session.scalars(select(Attachment).where(Attachment.request_id == request.id)):
        parent = messages.get(a.message_id) if a.message_id else None
        internal = parent is not None and parent.visibility != "public"
        if staff or not internal:
            items.append(TimelineItem(as_utc(a.created_at), "attachment", internal, attachment=a))
    for e in session.scalars(select(Event).where(Event.request_id == request.id)):
        if e.kind.endswith("attachment_added") or e.kind.startswith("message"):
            continue  # the attachment or message itself is on the timeline
        internal = e.kind not in PUBLIC_EVENTS
        if staff or not internal:
            items.append(TimelineItem(as_utc(e.at), "event", internal, event=e))
    order = {"event": 0, "message": 1, "attachment": 2}
    items.sort(key=lambda i: (i.at, order[i.kind]))
    return items


def rate(
    *,
    session: Session,
    user: User,
    request: ServiceRequest,
    rating: int,
    comment: str | None = None,
) -> ServiceRequest:
    """Record the company's 1-5 rating of a resolved or closed request, once."""
    ensure_visible(user=user, request=request)
    if user.is_staff:
        raise PermissionDenied("only the company rates its request")
    if request.status not in (Status.RESOLVED, Status.CLOSED):
        raise PermissionDenied("only resolved or closed requests can be rated")
    if request.rating is not None:
        raise PermissionDenied("this request has already been rated")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed({"rating": "out_of_range"})
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_TEXT:
        raise ValidationFailed({"rating_comment": "too_long"})
    request.rating, request.rating_comment = rating, comment
    record_event(
        session=session, request=request, actor=user, kind="rated", after=rating, note=comment
    )
    session.commit()
    return request
