"""The notification outbox: rows written with the change, delivered later (SMTP is wired in web)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, not_, or_, select, update
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.models import OutboxMessage, ServiceRequest, User

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did."""

    sent: int
    failed: int
    pending: int


def enqueue(
    *,
    session: Session,
    user_ids: Iterable[int],
    subject: str,
    body: str,
    request_id: int | None = None,
    include_inactive: bool = False,
) -> list[OutboxMessage]:
    """Add one outbox message per active user (duplicates dropped); the caller commits.

    `include_inactive` reaches users who are not active yet (a registration's confirmation).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return []
    wanted = select(User.id).where(User.id.in_(ids))
    if not include_inactive:
        wanted = wanted.where(User.active.is_(True))
    active = set(session.scalars(wanted))
    rows = [
        OutboxMessage(user_id=uid, request_id=request_id, subject=subject[:200], body=body)
        for uid in ids
        if uid in active
    ]
    session.add_all(rows)
    return rows


def company_user_ids(*, session: Session, company_id: int) -> list[int]:
    """Return the ids of a company's active users."""
    return list(
        session.scalars(select(User.id).where(User.company_id == company_id, User.active.is_(True)))
    )


def notify_company(
    *, session: Session, request: ServiceRequest, actor: User | None, subject: str, body: str
) -> None:
    """Tell a request's company (its active users but the actor); the subject gets "[number] "."""
    ids = company_user_ids(session=session, company_id=request.company_id)
    enqueue(
        session=session,
        user_ids=[i for i in ids if actor is None or i != actor.id],
        subject=f"[{request.tracking_number}] {subject}",
        body=body,
        request_id=request.id,
    )


def deliver_pending(
    *,
    session: Session,
    send: Callable[[OutboxMessage], None] | None,
    limit: int = 100,
) -> DeliveryReport:
    """Send unsent messages with `send`; record each failure and give up after MAX_ATTEMPTS.

    Each message is claimed before it is sent, so several workers (or processes) may run
    this at once and never send the same message twice: see `_claim`.
    """
    if send is None:  # no mail transport: the messages stay visible in the portal only
        return DeliveryReport(sent=0, failed=0, pending=_count_pending(session))
    sent = failed = 0
    candidates = list(
        session.execute(
            select(OutboxMessage.id, OutboxMessage.attempts)
            .where(_deliverable(utcnow()))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    for message_id, seen in candidates:
        if not _claim(session=session, message_id=message_id, seen=seen or 0):
            continue  # another worker took it (or it was sent) since we looked
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        try:
            send(message)
        except Exception as exc:  # any transport error is recorded and retried later
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        session.commit()
    return DeliveryReport(sent=sent, failed=failed, pending=_count_pending(session))


# A claimed message carries this lease in last_error until its send finishes, so a worker
# that reads it meanwhile skips it; a lease left by a crashed worker expires.
LEASE_PREFIX = "sending; lease until "
LEASE_SECONDS = 300


def _deliverable(now: datetime) -> ColumnElement[bool]:
    lease = OutboxMessage.last_error
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.attempts < MAX_ATTEMPTS,
        or_(
            lease.is_(None),
            not_(lease.startswith(LEASE_PREFIX)),
            lease < LEASE_PREFIX + _stamp(now),
        ),
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _claim(*, session: Session, message_id: int, seen: int) -> bool:
    """Take a message for sending: UPDATE ... WHERE sent_at IS NULL AND attempts = :seen."""
    now = utcnow()
    # An UPDATE's result is a CursorResult (it has a rowcount); Session.execute says Result.
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id, OutboxMessage.attempts == seen, _deliverable(now)
            )
            .values(
                attempts=seen + 1,
                last_error=LEASE_PREFIX + _stamp(now + timedelta(seconds=LEASE_SECONDS)),
            )
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    session.commit()  # the claim is visible to other workers before the (slow) send
    return claimed == 1


def _count_pending(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        )
        or 0
    )


def recipient_email(*, session: Session, message: OutboxMessage) -> str:
    """Return the address of the message's user."""
    user = session.get(User, message.user_id)
    if user is None:
        raise LookupError(f"user {message.user_id} of outbox message {message.id} is gone")
    return user.email


def tracking_numbers(*, session: Session, messages: Iterable[OutboxMessage]) -> dict[int, str]:
    """Return the tracking number of each request the messages are about, by request id."""
    ids = {m.request_id for m in messages if m.request_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(ServiceRequest.id, ServiceRequest.tracking_number).where(ServiceRequest.id.in_(ids))
    )
    return {rid: number for rid, number in rows}


def unread_for(*, session: Session, user: User) -> list[OutboxMessage]:
    """Return the user's unread notifications, newest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == user.id, OutboxMessage.read.is_(False))
            .order_by(OutboxMessage.id.desc())
        )
    )


def list_for(*, session: Session, user: User, limit: int = 50) -> list[OutboxMessage]:
    """Return the user's latest notifications, read or not."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def mark_read(*, session: Session, user: User, message_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ones) read; return how many changed."""
    stmt = update(OutboxMessage).where(
        OutboxMessage.user_id == user.id, OutboxMessage.read.is_(False)
    )
    if message_ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(list(message_ids)))
    count = cast(CursorResult[Any], session.execute(stmt.values(read=True))).rowcount
    session.commit()
    return int(count or 0)
