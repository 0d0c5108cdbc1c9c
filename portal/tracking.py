"""What makes a request traceable: its tracking number, the audit trail, and who may see it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.errors import NotFound, PermissionDenied
from portal.models import Event, ServiceRequest, TrackingCounter, User

PREFIX = "GBA-CGT"


def format_tracking_number(*, year: int, number: int) -> str:
    """Format a year and a sequence number as a tracking number."""
    return f"{PREFIX}-{year}-{number:06d}"


def next_tracking_number(*, session: Session, year: int) -> str:
    """Take the next number of the year inside the caller's transaction."""
    # One atomic UPDATE bumps the counter, so the row (PostgreSQL) or the database (SQLite)
    # stays write-locked until the caller commits or rolls back: concurrent submissions queue
    # behind it, and a rolled-back submission gives its number back (no gaps).
    _ensure_row(session=session, year=year)
    bumped = session.execute(
        update(TrackingCounter)
        .where(TrackingCounter.year == year)
        .values(last=TrackingCounter.last + 1)
        .returning(TrackingCounter.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return format_tracking_number(year=year, number=bumped)


def _ensure_row(*, session: Session, year: int) -> None:
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        session.execute(insert(TrackingCounter).values(year=year, last=0).on_conflict_do_nothing())
        return
    if session.scalar(select(TrackingCounter.year).where(TrackingCounter.year == year)) is None:
        try:
            with session.begin_nested():
                session.add(TrackingCounter(year=year, last=0))
        except IntegrityError:
            pass  # another transaction created it first


def record_event(
    *,
    session: Session,
    request: ServiceRequest | None,
    actor: User | None,
    kind: str,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> Event:
    """Add an audit event (who, when, what, before, after); the caller commits."""
    event = Event(
        request_id=request.id if request is not None else None,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        before=before,
        after=after,
        note=note,
        at=utcnow(),
    )
    session.add(event)
    if request is not None:
        request.updated_at = event.at
    return event


def ensure_visible(*, user: User, request: ServiceRequest) -> None:
    """Raise NotFound unless the user may know the request exists (staff, or its company)."""
    if not user.active:
        raise PermissionDenied("this account is disabled")
    if user.is_staff:
        return
    if user.company_id is None or user.company_id != request.company_id:
        raise NotFound("no such request")


def ensure_staff(*, user: User) -> None:
    """Raise PermissionDenied unless the user is active center staff."""
    if not user.active or not user.is_staff:
        raise PermissionDenied("only center staff may do this")
