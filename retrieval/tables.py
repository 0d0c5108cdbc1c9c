"""Retrieval's own SQL tables: passage vectors for answer composition, and conversation turns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, Text
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
