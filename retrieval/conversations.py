"""Conversation ownership: server-made ids, each owned by a user or by a visitor's browser.

A conversation used to be named by the client and readable by anyone who knew its id; now
only its owner may read its turns or add to it. The web layer names the owner (a user id,
or the hash of the visitor cookie's token) and calls `open_for` before Assistant.ask.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from retrieval.tables import ConversationRow


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
