"""Answer records: every answer's id, who asked, the exact passages and document versions it
quoted, the feedback it got, and which past answers a changed document affects (issue 4).

The asker and company ids are the portal's, passed in by the web layer; they are opaque here.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from retrieval.cited_answer import Answer, Citation
from retrieval.tables import (
    AnswerFeedbackRow,
    AnswerSourceRow,
    ConversationRow,
    ConversationTurnRow,
)

REASONS = ("wrong", "outdated", "incomplete", "wrong_source")
MAX_COMMENT = 1000
ANONYMOUS = "anonymous"


class AnswerNotFound(LookupError):
    """No answer has this id, or the caller may not see it."""


class InvalidFeedback(ValueError):
    """Feedback that breaks a rule; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Turn:
    """One stored answer: the question, what the assistant said, its id, and who asked."""

    question: str
    answer: Answer
    conversation_id: str
    answer_id: str | None  # None only for turns stored before answers had ids
    asked_at: datetime
    asker_id: int | None = None
    company_id: int | None = None


def new_answer_id() -> str:
    """An unguessable answer id (128 random bits, hex)."""
    return uuid.uuid4().hex


def citation_version(citation: Citation) -> int:
    """The document version a citation quoted (1 for citations made before versions)."""
    return int(getattr(citation, "version", 1) or 1)


_CITATION_FIELDS = {f.name: f for f in dataclasses.fields(Citation)}


def citation_from_json(data: dict[str, Any]) -> Citation:
    """A stored citation as the dataclass, tolerating fields added or removed since."""
    values = {name: value for name, value in data.items() if name in _CITATION_FIELDS}
    for name, spec in _CITATION_FIELDS.items():
        no_default = (
            spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        )
        if name not in values and no_default:
            values[name] = 1 if name == "version" else False if name == "verified" else None
    return Citation(**values)


def turn_of(row: ConversationTurnRow) -> Turn:
    """A stored turn as a Turn."""
    answer = Answer(
        answer=row.answer,
        refused=row.refused,
        language="zh" if row.language == "zh" else "en",
        citations=[citation_from_json(c) for c in row.citations or []],
        confidence=row.confidence,
        reason=row.reason,
    )
    return Turn(
        question=row.question,
        answer=answer,
        conversation_id=row.conversation_id,
        answer_id=row.answer_id,
        asked_at=_aware(row.created_at),
        asker_id=row.asker_id,
        company_id=row.company_id,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_sources(
    *, session: Session, answer_id: str, citations: Sequence[Citation], at: datetime
) -> None:
    """Store the exact chunk, document and version of each citation (the caller commits)."""
    session.add_all(
        AnswerSourceRow(
            answer_id=answer_id,
            n=c.n,
            chunk_id=c.chunk_id,
            document_id=c.document_id,
            document_version=citation_version(c),
            title=c.title[:300],
            section=c.section[:500] if c.section else None,
            quote=c.quote,
            created_at=at,
        )
        for c in citations
    )


def get(*, session: Session, answer_id: str) -> Turn | None:
    """The answer with this id, or None."""
    if not answer_id or len(answer_id) > 32:
        return None
    row = session.scalar(
        select(ConversationTurnRow).where(ConversationTurnRow.answer_id == answer_id)
    )
    return turn_of(row) if row is not None else None


def visible(turn: Turn, *, company_id: int | None, staff: bool) -> bool:
    """Whether a viewer may see an answer: staff always; a company its own or anonymous ones.

    An anonymous answer is seen by whoever holds its (unguessable) id, as its conversation is.
    """
    return staff or turn.company_id is None or turn.company_id == company_id


def get_visible(*, session: Session, answer_id: str, company_id: int | None, staff: bool) -> Turn:
    """The answer if the viewer may see it; AnswerNotFound otherwise (the same as missing)."""
    turn = get(session=session, answer_id=answer_id)
    if turn is None or not visible(turn, company_id=company_id, staff=staff):
        raise AnswerNotFound(answer_id)
    return turn


# --- feedback ---------------------------------------------------------------------------------


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
        created_at=_aware(row.created_at),
        handled_at=_aware(row.handled_at) if row.handled_at else None,
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


# --- impact of a changed document ---------------------------------------------------------------


@dataclass(frozen=True)
class AffectedAnswer:
    """A past answer that quoted a document at a version that is no longer current."""

    turn: Turn
    versions: list[int] = field(default_factory=list)  # the versions it quoted
    sections: list[str] = field(default_factory=list)


def answers_citing(
    *, session: Session, document_id: str, before_version: int | None, limit: int = 500
) -> list[AffectedAnswer]:
    """Answers that quoted the document below `before_version` (any when None), newest first."""
    stmt = select(AnswerSourceRow).where(AnswerSourceRow.document_id == document_id)
    if before_version is not None:
        stmt = stmt.where(AnswerSourceRow.document_version < before_version)
    versions: dict[str, set[int]] = {}
    sections: dict[str, list[str]] = {}
    for source in session.scalars(stmt):
        versions.setdefault(source.answer_id, set()).add(source.document_version)
        if source.section and source.section not in sections.setdefault(source.answer_id, []):
            sections[source.answer_id].append(source.section)
    if not versions:
        return []
    found: list[AffectedAnswer] = []
    ids = list(versions)
    for start in range(0, len(ids), 500):  # bounded IN lists
        rows = session.scalars(
            select(ConversationTurnRow).where(
                ConversationTurnRow.answer_id.in_(ids[start : start + 500])
            )
        )
        for row in rows:
            key = row.answer_id or ""
            found.append(AffectedAnswer(turn_of(row), sorted(versions[key]), sections.get(key, [])))
    found.sort(key=lambda a: a.turn.asked_at, reverse=True)
    return found[:limit]


# --- a user's past conversations (issue 12: "My questions") -------------------------------------


@dataclass(frozen=True)
class ConversationSummary:
    """One of a user's conversations as the list shows it."""

    conversation_id: str
    first_question: str
    last_question: str
    turns: int
    started_at: datetime
    last_asked_at: datetime


@dataclass(frozen=True)
class ConversationPage:
    """One page of a user's conversations, the most recently asked first."""

    items: list[ConversationSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_conversations(
    *, session: Session, user_id: int, query: str = "", page: int = 1, per_page: int = 20
) -> ConversationPage:
    """The user's conversations, newest first; with `query`, those whose questions or answers
    contain it (case-insensitive)."""
    page, per_page = max(1, page), min(max(1, per_page), 100)
    turns = ConversationTurnRow
    stmt = (
        select(
            turns.conversation_id,
            func.count(turns.id).label("turns"),
            func.min(turns.id).label("first_id"),
            func.max(turns.id).label("last_id"),
            func.min(turns.created_at).label("started_at"),
            func.max(turns.created_at).label("last_at"),
        )
        .join(ConversationRow, ConversationRow.id == turns.conversation_id)
        .where(ConversationRow.owner_user_id == user_id)
        .group_by(turns.conversation_id)
    )
    query = query.strip()[:200]
    if query:
        pattern = _like(query)
        matching = select(turns.conversation_id).where(
            turns.question.ilike(pattern, escape="\\") | turns.answer.ilike(pattern, escape="\\")
        )
        stmt = stmt.where(turns.conversation_id.in_(matching))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(func.max(turns.created_at).desc(), func.max(turns.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    wanted = {row.first_id for row in rows} | {row.last_id for row in rows}
    questions = dict(
        session.execute(select(turns.id, turns.question).where(turns.id.in_(wanted))).all()
    )
    items = [
        ConversationSummary(
            conversation_id=row.conversation_id,
            first_question=questions.get(row.first_id, ""),
            last_question=questions.get(row.last_id, ""),
            turns=int(row.turns),
            started_at=_aware(row.started_at),
            last_asked_at=_aware(row.last_at),
        )
        for row in rows
    ]
    return ConversationPage(items=items, total=int(total), page=page, per_page=per_page)


def conversation_turns(*, session: Session, conversation_id: str, limit: int = 200) -> list[Turn]:
    """The turns of one conversation as they were stored, oldest first (the caller checks
    that the reader owns it)."""
    rows = session.scalars(
        select(ConversationTurnRow)
        .where(ConversationTurnRow.conversation_id == conversation_id[:40])
        .order_by(ConversationTurnRow.id)
        .limit(limit)
    )
    return [turn_of(row) for row in rows]
