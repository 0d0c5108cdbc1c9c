"""Answer records: every answer's id, who asked, the exact passages and document versions it
quoted, and which past answers a changed document affects (issue 4). The feedback an answer
gets is in retrieval.feedback, a user's past conversations in retrieval.conversations.

The asker and company ids are the portal's, passed in by the web layer; they are opaque here.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrieval.cited_answer import Answer, Citation
from retrieval.tables import AnswerSourceRow, ConversationTurnRow


class AnswerNotFound(LookupError):
    """No answer has this id, or the caller may not see it."""


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
        asked_at=aware(row.created_at),
        asker_id=row.asker_id,
        company_id=row.company_id,
    )


def aware(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite keeps none)."""
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


def record(*, session: Session, turn: Turn, search_query: str) -> None:
    """Store an answered turn with the exact sources it quoted (the caller commits)."""
    result = turn.answer
    session.add(
        ConversationTurnRow(
            conversation_id=turn.conversation_id,
            question=turn.question,
            search_query=search_query,
            answer=result.answer,
            language=result.language,
            refused=result.refused,
            reason=result.reason,
            confidence=result.confidence,
            citations=[dataclasses.asdict(c) for c in result.citations],
            created_at=turn.asked_at,
            answer_id=turn.answer_id,
            asker_id=turn.asker_id,
            company_id=turn.company_id,
        )
    )
    assert turn.answer_id is not None  # a new turn always has one
    record_sources(
        session=session, answer_id=turn.answer_id, citations=result.citations, at=turn.asked_at
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
