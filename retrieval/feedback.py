"""Feedback on answers: one verdict per giver (helpful or not, a reason, a comment), the staff
list of it, and marking it handled (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retrieval.answer_log import Turn, aware, get, get_visible, turn_of
from retrieval.tables import AnswerFeedbackRow, ConversationTurnRow

REASONS = ("wrong", "outdated", "incomplete", "wrong_source")
MAX_COMMENT = 1000
ANONYMOUS = "anonymous"


class InvalidFeedback(ValueError):
    """Feedback that breaks a rule; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Feedback:
    """One giver's verdict on an answer."""

    id: int
    answer_id: str
    helpful: bool
    reason: str | None
    comment: str | None
    user_id: int | None
    company_id: int | None
    created_at: datetime
    handled_at: datetime | None = None
    handled_by: str | None = None


def _feedback(row: AnswerFeedbackRow) -> Feedback:
    return Feedback(
        id=row.id,
        answer_id=row.answer_id,
        helpful=row.helpful,
        reason=row.reason,
        comment=row.comment,
        user_id=row.user_id,
        company_id=row.company_id,
        created_at=aware(row.created_at),
        handled_at=aware(row.handled_at) if row.handled_at else None,
        handled_by=row.handled_by,
    )


class FeedbackNotFound(LookupError):
    """No feedback has this id."""


def get_feedback(*, session: Session, feedback_id: int) -> tuple[Feedback, Turn]:
    """One piece of feedback with the answer it is about (FeedbackNotFound when none)."""
    row = session.get(AnswerFeedbackRow, feedback_id)
    turn = get(session=session, answer_id=row.answer_id) if row is not None else None
    if row is None or turn is None:
        raise FeedbackNotFound(feedback_id)
    return _feedback(row), turn


def set_handled(*, session: Session, feedback_id: int, handled: bool, by: str) -> Feedback:
    """Mark feedback dealt with by a member of staff, or open it again."""
    row = session.get(AnswerFeedbackRow, feedback_id)
    if row is None:
        raise FeedbackNotFound(feedback_id)
    row.handled_at = datetime.now(UTC) if handled else None
    row.handled_by = by[:200] if handled else None
    session.commit()
    return _feedback(row)


def check_feedback(
    *, helpful: bool, reason: str | None, comment: str | None
) -> tuple[str | None, str | None]:
    """The cleaned reason and comment, or InvalidFeedback."""
    reason = (reason or "").strip() or None
    if reason is not None and reason not in REASONS:
        raise InvalidFeedback("reason", f"must be one of {', '.join(REASONS)}")
    if helpful and reason is not None:
        raise InvalidFeedback("reason", "a reason is given only with helpful=false")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise InvalidFeedback("comment", f"at most {MAX_COMMENT} characters")
    return reason, comment


def give_feedback(
    *,
    session: Session,
    answer_id: str,
    helpful: bool,
    reason: str | None = None,
    comment: str | None = None,
    user_id: int | None = None,
    company_id: int | None = None,
    staff: bool = False,
) -> Feedback:
    """Record a verdict on an answer the giver may see; a giver's later verdict replaces theirs.

    Signed-in users give one verdict each; anonymous visitors share one per answer (the last).
    """
    reason, comment = check_feedback(helpful=helpful, reason=reason, comment=comment)
    get_visible(session=session, answer_id=answer_id, company_id=company_id, staff=staff)
    giver = f"user:{user_id}" if user_id is not None else ANONYMOUS
    for attempt in range(2):
        row = session.scalar(
            select(AnswerFeedbackRow).where(
                AnswerFeedbackRow.answer_id == answer_id, AnswerFeedbackRow.giver == giver
            )
        )
        if row is None:
            row = AnswerFeedbackRow(answer_id=answer_id, giver=giver)
            session.add(row)
        row.user_id, row.company_id = user_id, company_id
        row.helpful, row.reason, row.comment = bool(helpful), reason, comment
        row.created_at = datetime.now(UTC)
        row.handled_at, row.handled_by = None, None  # a new verdict needs a new look
        try:
            session.commit()
        except IntegrityError:  # the same giver, at the same moment: update theirs instead
            session.rollback()
            if attempt:
                raise
            continue
        break
    assert row is not None  # the first pass always binds it
    return _feedback(row)


@dataclass(frozen=True)
class FeedbackPage:
    """One page of the staff feedback list, newest first."""

    items: list[tuple[Feedback, Turn]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def list_feedback(
    *,
    session: Session,
    helpful: bool | None = None,
    reason: str | None = None,
    handled: bool | None = None,
    page: int = 1,
    per_page: int = 25,
) -> FeedbackPage:
    """Feedback with its answer, newest first, filtered by verdict, reason and handling."""
    if reason is not None and reason not in REASONS:
        raise InvalidFeedback("reason", f"must be one of {', '.join(REASONS)}")
    page, per_page = max(1, page), min(max(1, per_page), 100)
    stmt = select(AnswerFeedbackRow, ConversationTurnRow).join(
        ConversationTurnRow, ConversationTurnRow.answer_id == AnswerFeedbackRow.answer_id
    )
    if helpful is not None:
        stmt = stmt.where(AnswerFeedbackRow.helpful.is_(helpful))
    if reason is not None:
        stmt = stmt.where(AnswerFeedbackRow.reason == reason)
    if handled is not None:
        column = AnswerFeedbackRow.handled_at
        stmt = stmt.where(column.is_not(None) if handled else column.is_(None))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(AnswerFeedbackRow.created_at.desc(), AnswerFeedbackRow.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [(_feedback(fb), turn_of(turn)) for fb, turn in rows]
    return FeedbackPage(items=items, total=int(total), page=page, per_page=per_page)
