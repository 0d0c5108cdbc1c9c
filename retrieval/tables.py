"""Retrieval's own SQL tables: passage vectors for answer composition, and conversation turns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class RetrievalBase(DeclarativeBase):
    """Declarative base of the retrieval tables."""


class PassageVectorsRow(RetrievalBase):
    """A chunk's vector and its sentences' vectors under one model (row 0 is the chunk)."""

    __tablename__ = "rt_passage_vectors"

    chunk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    dimensions: Mapped[int] = mapped_column(Integer)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)


class PassageTokensRow(RetrievalBase):
    """A passage's jieba tokens, in text order, for the engine's full-text index (fulltext.py)."""

    __tablename__ = "rt_passage_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chunk_id: Mapped[str] = mapped_column(String(32), unique=True)
    document_id: Mapped[str] = mapped_column(String(120), index=True)
    tokens: Mapped[str] = mapped_column(Text)  # distinct, space-joined
    # Each quotable unit's tokens, one line per unit (composition weighs word overlap per unit).
    unit_tokens: Mapped[str] = mapped_column(Text, default="")


class TermRow(RetrievalBase):
    """How many passages use a token (and, under reserved names, the index's totals)."""

    __tablename__ = "rt_terms"

    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    passages: Mapped[int] = mapped_column(Integer)


class ConversationTurnRow(RetrievalBase):
    """One question and answer of a conversation, so that follow-ups have context."""

    __tablename__ = "rt_conversation_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    question: Mapped[str] = mapped_column(Text)
    search_query: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(4))
    refused: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(default=0.0)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Provenance (issue 4): the answer's public id, and who asked (portal ids, opaque here).
    answer_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    asker_id: Mapped[int | None] = mapped_column(Integer)
    company_id: Mapped[int | None] = mapped_column(Integer, index=True)


class AnswerSourceRow(RetrievalBase):
    """One passage an answer quoted: chunk, document and the document's version at the time."""

    __tablename__ = "rt_answer_sources"
    __table_args__ = (Index("ix_rt_answer_sources_document", "document_id", "document_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(String(32), index=True)
    n: Mapped[int] = mapped_column(Integer)
    chunk_id: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[str] = mapped_column(String(120))
    document_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    section: Mapped[str | None] = mapped_column(String(500))
    quote: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerFeedbackRow(RetrievalBase):
    """Thumbs up or down on an answer, one per giver (a later opinion replaces the earlier)."""

    __tablename__ = "rt_answer_feedback"
    __table_args__ = (UniqueConstraint("answer_id", "giver"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(String(32), index=True)
    giver: Mapped[str] = mapped_column(String(40))  # "user:<id>" or "anonymous"
    user_id: Mapped[int | None] = mapped_column(Integer)
    company_id: Mapped[int | None] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean, index=True)
    reason: Mapped[str | None] = mapped_column(String(20), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Staff marked it dealt with (who, when); a giver's new verdict clears it.
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    handled_by: Mapped[str | None] = mapped_column(String(200))


class GapGroupRow(RetrievalBase):
    """Similar questions the assistant refused or answered with low confidence (retrieval.gaps)."""

    __tablename__ = "rt_gap_groups"
    __table_args__ = (Index("ix_rt_gap_groups_status_size", "status", "size"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    representative: Mapped[str] = mapped_column(Text)  # the first question of the group
    model_id: Mapped[str] = mapped_column(String(60))
    vector_sum: Mapped[bytes] = mapped_column(LargeBinary)  # float32 sum of member vectors
    leader: Mapped[bytes] = mapped_column(LargeBinary)  # float32 vector of the representative
    size: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[str] = mapped_column(String(20), default="")  # "en,zh"
    first_asked: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_asked: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open|answered|dismissed
    curated_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status_by: Mapped[str | None] = mapped_column(String(200))
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GapQuestionRow(RetrievalBase):
    """One refused or low-confidence question (a conversation turn) and its group."""

    __tablename__ = "rt_gap_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int] = mapped_column(Integer, unique=True)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(String(20))  # "no_match", "low_confidence", "unmentioned"
    confidence: Mapped[float] = mapped_column(default=0.0)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CuratedAnswerRow(RetrievalBase):
    """An answer written by the center's staff, with its own citations (retrieval.curated)."""

    __tablename__ = "rt_curated_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(4))
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class ConversationRow(RetrievalBase):
    """Who owns a conversation: a signed-in user, or a visitor's browser (issue 14).

    Ids are made by the server only; a turn may be read or added only by the owner.
    `visitor_key` is the SHA-256 of the visitor cookie's random token, never the token.
    """

    __tablename__ = "rt_conversations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    visitor_key: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
