"""The notification outbox: rows written with the change, delivered later (SMTP is wired in web)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.models import OutboxMessage, User

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
) -> list[OutboxMessage]:
    """Add one outbox message per active user (duplicates dropped); the caller commits."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    active = set(session.scalars(select(User.id).where(User.id.in_(ids), User.active.is_(True))))
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


def deliver_pending(
    *,
    session: Session,
    send: Callable[[OutboxMessage], None] | None,
    limit: int = 100,
) -> DeliveryReport:
    """Send unsent messages with `send`; record each failure and give up after MAX_ATTEMPTS."""
    pending_stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
    )
    if send is None:  # no mail transport: the messages stay visible in the portal only
        return DeliveryReport(sent=0, failed=0, pending=len(list(session.scalars(pending_stmt))))
    sent = failed = 0
    for message in list(session.scalars(pending_stmt.limit(limit))):
        message.attempts = (message.attempts or 0) + 1
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
    pending = len(list(session.scalars(pending_stmt)))
    return DeliveryReport(sent=sent, failed=failed, pending=pending)


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
    count = session.execute(stmt.values(read=True)).rowcount
    session.commit()
    return int(count or 0)
