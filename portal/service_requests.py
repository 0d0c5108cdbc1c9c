"""Service requests from submission to closing: the company's side and the staff's actions.

Every mutating function checks who may do it, writes an Event per change and commits.
A company user asking about another company's request gets NotFound, exactly as if the
request did not exist.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import catalog, notifications, texts, triage
from portal.attachments import AttachmentStore, Content, StoredFile, sanitise_filename, size_of
from portal.completeness import slot_name
from portal.dashboard import QueueFilters as QueueFilters  # the staff queue lives there
from portal.dashboard import QueueResult as QueueResult
from portal.dashboard import queue as queue
from portal.db import utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attachment, Event, Mention, Message, ServiceRequest, User
from portal.sla import WorkingCalendar, as_utc
from portal.tracking import ensure_staff, ensure_visible, next_tracking_number, record_event
from portal.workflow import COMPANY_STEPS, FINAL, Priority, Status, check_transition

Visibility = Literal["public", "internal"]
# Events a company may see on its timeline; the rest (assignment, priority, triage …) are internal.
PUBLIC_EVENTS = frozenset({"submitted", "status", "rated", "attachment_added"})
MAX_TITLE = 200
MAX_TEXT = 20000
_MENTION = re.compile(r"@([^\s@,;:!?，。；：！？()（）]+(?:@[^\s,;:!?，。；：！？()（）]+)?)")
# Staff steps that answer the company count as the first response.
_RESPONDING = frozenset({Status.AWAITING_COMPANY, Status.RESOLVED, Status.REJECTED})


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def _store_files(
    files: Sequence[tuple[str, Content]],
    store: AttachmentStore | None,
    *,
    session: Session | None = None,
    company_id: int | None = None,
    stored_bytes: int = 0,
) -> list[tuple[str, str, int, str]]:
    """Check every file, then write each under its hash: (name, content type, size, sha256).

    Called before the transaction: the tracking number's lock is then never held across a
    file's fsync. A transaction that fails afterwards leaves only an unreferenced blob, which
    nobody can reach (files are served through their rows). With a `company_id`, the files
    (and `stored_bytes` of files already in the store for this request) must fit in what is
    left of that company's storage quota.
    """
    if files and store is None:
        raise ValueError("files given without an attachment store")
    checked = [
        (sanitise_filename(name), store.inspect(name, data), data)  # type: ignore[union-attr]
        for name, data in files
    ]
    quota = store.company_quota_bytes if store is not None else None
    if (checked or stored_bytes) and quota is not None and session is not None and company_id:
        used = session.scalar(
            select(func.coalesce(func.sum(Attachment.size), 0))
            .join(ServiceRequest, Attachment.request_id == ServiceRequest.id)
            .where(ServiceRequest.company_id == company_id)
        )
        if int(used or 0) + stored_bytes + sum(size_of(data) for _, _, data in checked) > quota:
            raise ValidationFailed({"files": "quota_exceeded"})
    return [
        (name, content_type, size_of(data), store.save(data))  # type: ignore[union-attr]
        for name, content_type, data in checked
    ]


def _attach(
    *,
    session: Session,
    request: ServiceRequest,
    user: User,
    stored: list[tuple[str, str, int, str]],
    message: Message | None,
) -> list[Attachment]:
    rows = []
    for name, content_type, size, sha in stored:
        row = Attachment(
            request_id=request.id,
            message_id=message.id if message else None,
            uploaded_by_id=user.id,
            filename=name,
            content_type=content_type,
            size=size,
            sha256=sha,
            created_at=utcnow(),
        )
        session.add(row)
        rows.append(row)
        internal = message is not None and message.visibility == "internal"
        record_event(
            session=session,
            request=request,
            actor=user,
            kind="internal_attachment_added" if internal else "attachment_added",
            after={"filename": name, "size": size},
        )
    return rows


def _notify_company(
    *, session: Session, request: ServiceRequest, actor: User | None, subject: str, body: str
) -> None:
    ids = notifications.company_user_ids(session=session, company_id=request.company_id)
    notifications.enqueue(
        session=session,
        user_ids=[i for i in ids if actor is None or i != actor.id],
        subject=f"[{request.tracking_number}] {subject}",
        body=body,
        request_id=request.id,
    )


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
    spec = catalog.spec_for(service_code=service_code)
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
    stored = _store_files(
        files,
        store,
        session=session,
        company_id=user.company_id,
        stored_bytes=sum(f.size for f in (materials or {}).values()),
    )
    moment = _now(now)
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
    _attach(session=session, request=request, user=user, stored=stored, message=None)
    for key, kept in (materials or {}).items():
        stored_file = [(kept.filename, kept.content_type, kept.size, kept.sha256)]
        rows = _attach(
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
    _notify_company(
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


def get_attachment(*, session: Session, user: User, attachment_id: int) -> Attachment:
    """Return an attachment the user may download, or raise NotFound."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("no such file")
    request = session.get(ServiceRequest, row.request_id)
    if request is None:
        raise NotFound("no such file")
    ensure_visible(user=user, request=request)
    if not user.is_staff and row.message_id is not None:
        message = session.get(Message, row.message_id)
        if message is None or message.visibility != "public":
            raise NotFound("no such file")
    return row


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


def _mentioned(*, session: Session, body: str) -> list[User]:
    wanted = {m.group(1).rstrip(".").lower() for m in _MENTION.finditer(body)}
    if not wanted:
        return []
    staff = session.scalars(
        select(User).where(User.role.in_(("staff", "admin")), User.active.is_(True))
    )
    return [
        u for u in staff if u.email.lower() in wanted or u.name.replace(" ", "").lower() in wanted
    ]


def add_message(
    *,
    session: Session,
    user: User,
    request: ServiceRequest,
    body: str,
    visibility: Visibility = "public",
    files: Sequence[tuple[str, Content]] = (),
    store: AttachmentStore | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Message:
    """Post a reply, a company message or an internal note, with optional files."""
    ensure_visible(user=user, request=request)
    if visibility not in ("public", "internal"):
        raise ValidationFailed({"visibility": "invalid_choice"})
    if not user.is_staff:
        if visibility != "public":
            raise PermissionDenied("companies cannot write internal notes")
        if request.status in FINAL:
            raise PermissionDenied("this request is closed")
    body = (body or "").strip()
    if not body and not files:
        raise ValidationFailed({"body": "required"})
    if len(body) > MAX_TEXT:
        raise ValidationFailed({"body": "too_long"})
    # Staff files never hit the company's quota: only what the company uploads counts down.
    stored = _store_files(
        files, store, session=session, company_id=None if user.is_staff else request.company_id
    )
    moment = _now(now)
    message = Message(
        request_id=request.id,
        author_id=user.id,
        visibility=visibility,
        body=body,
        created_at=moment,
    )
    session.add(message)
    session.flush()
    record_event(
        session=session,
        request=request,
        actor=user,
        kind=f"message_{visibility}",
        after={"message_id": message.id},
    )
    _attach(session=session, request=request, user=user, stored=stored, message=message)
    if not user.is_staff:
        if request.status == Status.AWAITING_COMPANY:
            _move(
                session=session,
                actor=user,
                request=request,
                target=Status.IN_PROGRESS,
                note=None,
                now=moment,
                calendar=calendar,
            )
        if request.assignee_id is not None:
            notifications.enqueue(
                session=session,
                user_ids=[request.assignee_id],
                subject=texts.COMPANY_REPLIED_SUBJECT.format(number=request.tracking_number),
                body=body[:2000],
                request_id=request.id,
            )
    elif visibility == "public":
        if request.first_response_at is None:
            request.first_response_at = moment
            record_event(
                session=session,
                request=request,
                actor=user,
                kind="first_response",
                after=moment.isoformat(),
            )
        _notify_company(
            session=session,
            request=request,
            actor=user,
            subject=texts.CENTER_REPLIED_SUBJECT,
            body=body[:2000],
        )
    else:
        for colleague in _mentioned(session=session, body=body):
            session.add(Mention(message_id=message.id, user_id=colleague.id))
            notifications.enqueue(
                session=session,
                user_ids=[colleague.id],
                subject=texts.MENTIONED_SUBJECT.format(
                    number=request.tracking_number, name=user.name
                ),
                body=body[:2000],
                request_id=request.id,
            )
    session.commit()
    return message


def _move(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    target: Status,
    note: str | None,
    now: datetime,
    calendar: WorkingCalendar | None,
) -> None:
    current = Status(request.status)
    check_transition(current, target)
    if not actor.is_staff and (current, target) not in COMPANY_STEPS:
        raise PermissionDenied(f"only the center can move a request from {current} to {target}")
    if current == Status.AWAITING_COMPANY and request.awaiting_since is not None:
        cal = calendar or WorkingCalendar.load(session=session)
        request.paused_seconds = (request.paused_seconds or 0) + cal.business_seconds(
            request.awaiting_since, now
        )
        request.awaiting_since = None
    if target == Status.AWAITING_COMPANY:
        request.awaiting_since = now
    if target == Status.RESOLVED:
        request.resolved_at = now
    elif target == Status.IN_PROGRESS and current == Status.RESOLVED:
        request.resolved_at = None  # reopened: the resolution clock runs again
    if target in FINAL:
        request.closed_at = now
    if actor.is_staff and target in _RESPONDING and request.first_response_at is None:
        request.first_response_at = now
    request.status = target
    record_event(
        session=session,
        request=request,
        actor=actor,
        kind="status",
        before=current.value,
        after=target.value,
        note=note,
    )
    text = texts.status_changed(number=request.tracking_number, status=target, note=note)
    _notify_company(
        session=session, request=request, actor=actor, subject=text.subject, body=text.body
    )


def transition(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    target: Status,
    note: str | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> ServiceRequest:
    """Move a request to another status if the table and the actor's role allow it."""
    ensure_visible(user=actor, request=request)
    _move(
        session=session,
        actor=actor,
        request=request,
        target=Status(target),
        note=note,
        now=_now(now),
        calendar=calendar,
    )
    session.commit()
    return request


def stage_transition(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    target: Status,
    note: str | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """Move a request like `transition` but leave the commit to the caller (bulk actions)."""
    ensure_visible(user=actor, request=request)
    _move(
        session=session,
        actor=actor,
        request=request,
        target=Status(target),
        note=note,
        now=_now(now),
        calendar=calendar,
    )


def withdraw(
    *, session: Session, user: User, request: ServiceRequest, note: str | None = None
) -> ServiceRequest:
    """Withdraw the company's own open request."""
    ensure_visible(user=user, request=request)
    if user.is_staff:
        raise PermissionDenied("staff reject requests; only the company withdraws")
    return transition(
        session=session, actor=user, request=request, target=Status.WITHDRAWN, note=note
    )


def assign(
    *, session: Session, actor: User, request: ServiceRequest, assignee_id: int | None
) -> ServiceRequest:
    """Assign the request to a staff member (None unassigns)."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.is_staff or not assignee.active:
            raise ValidationFailed({"assignee_id": "not_staff"})
    before = request.assignee_id
    if before == assignee_id:
        return request
    request.assignee_id = assignee_id
    record_event(
        session=session,
        request=request,
        actor=actor,
        kind="assigned",
        before=before,
        after=assignee_id,
    )
    if assignee_id is not None and assignee_id != actor.id:
        notifications.enqueue(
            session=session,
            user_ids=[assignee_id],
            subject=texts.ASSIGNED_SUBJECT.format(number=request.tracking_number),
            body=request.title,
            request_id=request.id,
        )
    session.commit()
    session.refresh(request)
    return request


def claim(*, session: Session, actor: User, request: ServiceRequest) -> ServiceRequest:
    """Assign the request to the acting staff member."""
    return assign(session=session, actor=actor, request=request, assignee_id=actor.id)


def set_priority(
    *, session: Session, actor: User, request: ServiceRequest, priority: Priority
) -> ServiceRequest:
    """Change the request's priority (and so its SLA targets)."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    priority = Priority(priority)
    if request.priority != priority:
        before = Priority(request.priority).value
        request.priority = priority
        record_event(
            session=session,
            request=request,
            actor=actor,
            kind="priority",
            before=before,
            after=priority.value,
        )
        session.commit()
    return request


def set_service(
    *, session: Session, actor: User, request: ServiceRequest, service_code: str
) -> ServiceRequest:
    """Move the request to another service, and to that service's team."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    service = catalog.get_service(session=session, service_code=service_code)
    if request.service_code != service_code:
        record_event(
            session=session,
            request=request,
            actor=actor,
            kind="service",
            before=request.service_code,
            after=service_code,
        )
        request.service_code = service_code
        if service.team_code and service.team_code != request.team_code:
            record_event(
                session=session,
                request=request,
                actor=actor,
                kind="team",
                before=request.team_code,
                after=service.team_code,
            )
            request.team_code = service.team_code
        session.commit()
        session.refresh(request)
    return request


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
