"""A request's conversation: replies, company messages and internal notes (with @mentions).

A company's message on a request awaiting it moves the request back to the center; the
center's first public reply is recorded as its first response (an SLA clock).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import notifications, texts
from portal.attachments import AttachmentStore, Content
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Mention, Message, ServiceRequest, User
from portal.request_files import attach_files, store_files
from portal.request_transitions import move
from portal.sla import WorkingCalendar, moment_or_now
from portal.tracking import ensure_visible, record_event
from portal.workflow import FINAL, Status

Visibility = Literal["public", "internal"]
MAX_TEXT = 20000
_MENTION = re.compile(r"@([^\s@,;:!?，。；：！？()（）]+(?:@[^\s,;:!?，。；：！？()（）]+)?)")


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
    stored = store_files(
        files, store, session=session, company_id=None if user.is_staff else request.company_id
    )
    moment = moment_or_now(now)
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
    attach_files(session=session, request=request, user=user, stored=stored, message=message)
    if not user.is_staff:
        if request.status == Status.AWAITING_COMPANY:
            move(
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
        notifications.notify_company(
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
