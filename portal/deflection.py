"""Deflection: answers shown to a company while it described its request, and what followed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Deflection as DeflectionRow
from portal.models import User

MAX_QUERY_CHARS = 2000


def record_shown(
    *,
    session: Session,
    user: User,
    deflection_id: int | None,
    service_code: str | None,
    query: str,
    shown: int,
) -> int:
    """Record that answers were shown to a user; reuse their open row for the same form."""
    row = _own_open_row(session=session, user=user, deflection_id=deflection_id)
    if row is None:
        row = DeflectionRow(user_id=user.id, query=query, answers_shown=shown)
        session.add(row)
    row.service_code = service_code
    row.query, row.answers_shown = query[:MAX_QUERY_CHARS], max(row.answers_shown or 0, shown)
    session.commit()
    return row.id


def record_feedback(*, session: Session, user: User, deflection_id: int, helpful: bool) -> bool:
    """Record whether the answers helped; False when the row is not the user's."""
    row = _own_open_row(session=session, user=user, deflection_id=deflection_id)
    if row is None:
        return False
    row.helpful = helpful
    session.commit()
    return True


def link_request(
    *, session: Session, user: User, deflection_id: int | None, request_id: int
) -> int:
    """Tie the user's deflection row to the request they went on to submit; return shown."""
    row = _own_open_row(session=session, user=user, deflection_id=deflection_id)
    if row is None:
        return 0
    row.request_id = request_id
    session.commit()
    return row.answers_shown


def shown_count(*, session: Session, user: User, deflection_id: int | None) -> int:
    """How many answers the user's open deflection row showed (0 when none)."""
    row = _own_open_row(session=session, user=user, deflection_id=deflection_id)
    return row.answers_shown if row is not None else 0


def _own_open_row(
    *, session: Session, user: User, deflection_id: int | None
) -> DeflectionRow | None:
    if not deflection_id:
        return None
    row = session.get(DeflectionRow, deflection_id)
    if row is None or row.user_id != user.id or row.request_id is not None:
        return None
    return row
