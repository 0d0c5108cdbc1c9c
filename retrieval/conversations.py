"""Conversations: server-made ids, each owned by a user or by a visitor's browser, and the
list of a user's past conversations (issue 12: "My questions").

A conversation used to be named by the client and readable by anyone who knew its id; now
only its owner may read its turns or add to it. The web layer names the owner (a user id,
or the hash of the visitor cookie's token) and calls `open_for` before Assistant.ask.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from retrieval.answer_log import Turn, aware, turn_of
from retrieval.tables import ConversationRow, ConversationTurnRow


class NotYours(LookupError):
    """The conversation exists but belongs to someone else (the web answers 404)."""


@dataclass(frozen=True)
class Owner:
    """Who is asking: a signed-in user's id and/or the visitor cookie's token."""

    user_id: int | None = None
    visitor_token: str | None = None

    @property
    def visitor_key(self) -> str | None:
        """What is stored of the visitor token: its SHA-256."""
        if not self.visitor_token:
            return None
        return hashlib.sha256(self.visitor_token.encode()).hexdigest()


def _owns(row: ConversationRow, owner: Owner) -> bool:
    if row.owner_user_id is not None and row.owner_user_id == owner.user_id:
        return True
    return row.visitor_key is not None and row.visitor_key == owner.visitor_key


def is_owner(*, session: Session, conversation_id: str, owner: Owner) -> bool | None:
    """Whether `owner` owns this conversation; None when there is no such conversation."""
    row = session.get(ConversationRow, conversation_id[:40])
    return None if row is None else _owns(row, owner)


def open_for(*, session: Session, conversation_id: str | None, owner: Owner) -> str:
    """The id to ask in: the owner's conversation, or a new server-made one.

    An unknown id (made up by a client, or from before conversations had owners) starts a
    new conversation; someone else's raises NotYours.
    """
    if conversation_id:
        row = session.get(ConversationRow, conversation_id[:40])
        if row is not None:
            if not _owns(row, owner):
                raise NotYours(conversation_id)
            return row.id
    new = ConversationRow(
        id=uuid.uuid4().hex,
        owner_user_id=owner.user_id,
        visitor_key=None if owner.user_id is not None else owner.visitor_key,
        created_at=datetime.now(UTC),
    )
    session.add(new)
    session.commit()
    return new.id


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
            started_at=aware(row.started_at),
            last_asked_at=aware(row.last_at),
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


def previous_context(*, session: Session, conversation_id: str) -> str | None:
    """What a follow-up is searched with: the last turn's search query, unless it was refused."""
    previous = session.scalars(
        select(ConversationTurnRow)
        .where(ConversationTurnRow.conversation_id == conversation_id)
        .order_by(ConversationTurnRow.id.desc())
        .limit(1)
    ).first()
    return previous.search_query if previous and not previous.refused else None


def latest_turns(*, session: Session, conversation_id: str, limit: int = 50) -> list[Turn]:
    """The last `limit` turns of a conversation, oldest first."""
    rows = session.scalars(
        select(ConversationTurnRow)
        .where(ConversationTurnRow.conversation_id == conversation_id)
        .order_by(ConversationTurnRow.id.desc())
        .limit(limit)
    ).all()
    return [turn_of(row) for row in reversed(rows)]
