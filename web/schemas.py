"""Shapes of the JSON API (they become the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.tables import DocumentRow
from retrieval.answer_log import Turn
from retrieval.assistant import MAX_QUESTION_CHARS
from retrieval.cited_answer import Answer, Citation
from retrieval.knowledge_admin import IndexState


class ChatRequest(BaseModel):
    """A question, optionally continuing a conversation."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    conversation_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value.strip()


class CitationOut(BaseModel):
    """One source of an answer: the document, the passage and the exact quote."""

    n: int
    document_id: str
    chunk_id: str
    title: str
    section: str | None
    quote: str = Field(description="verbatim text of the document (GET /api/v1/documents/{id})")
    url: str = Field(description="the passage in the document viewer, highlighted")
    source_url: str | None
    status: str
    issued: str | None
    version: int = Field(description="the document version quoted (its text is kept)")
    article: str | None = Field(None, description="the article quoted, as written: 第十九条")
    paragraph: int | None = Field(None, description="its paragraph (款), 1-based")
    item: int | None = Field(None, description="its item (项) within the paragraph")
    locator: str | None = Field(None, description="where, in Chinese legal style: 第十九条第一款")
    excerpt: str | None = Field(
        None,
        description="what the answer shows when not the whole quote: verbatim parts of it"
        " joined by ……",
    )

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        """The API view of a citation."""
        return cls(**{name: getattr(citation, name) for name in cls.model_fields})


class ChatResponse(BaseModel):
    """The assistant's answer, or its refusal, with citations."""

    answer: str
    refused: bool
    language: Literal["zh", "en"]
    citations: list[CitationOut]
    conversation_id: str
    answer_id: str = Field(
        description="this answer's id: POST /api/v1/answers/{answer_id}/feedback rates it"
    )
    source: Literal["assistant", "staff"] = Field(
        default="assistant",
        description='"staff": a curated answer written by the center\'s staff (Staff answer)',
    )

    @classmethod
    def of(cls, answer: Answer, conversation_id: str, answer_id: str = "") -> ChatResponse:
        """The API view of an answer."""
        return cls(
            answer=answer.answer,
            refused=answer.refused,
            language=answer.language,
            citations=[CitationOut.of(c) for c in answer.citations],
            conversation_id=conversation_id,
            answer_id=answer_id,
            source="staff" if answer.curated else "assistant",
        )

    @classmethod
    def of_turn(cls, turn: Turn) -> ChatResponse:
        """The API view of a stored answer (Assistant.ask's result)."""
        return cls.of(turn.answer, turn.conversation_id, turn.answer_id or "")


class DocumentOut(BaseModel):
    """A document's metadata."""

    id: str
    title: str
    language: str
    translation_of: str | None
    category: str
    issuer: str | None
    doc_number: str | None
    issued: str | None
    effective: str | None
    status: str
    jurisdiction: str | None
    source_url: str | None
    verified: bool
    version: int = Field(default=1, description="grows by one with every change")
    superseded_by: str | None = Field(default=None, description="the replacing document's id")
    withdrawn: bool = Field(default=False, description="withdrawn: no answer cites it any more")

    @classmethod
    def of(cls, row: DocumentRow) -> DocumentOut:
        """The API view of a document's metadata."""
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


IndexStatus = Literal["queued", "indexing", "ready", "failed"]


class DocumentWithText(DocumentOut):
    """A document's metadata, its full text (citations quote it verbatim) and index status."""

    text: str
    index_status: IndexStatus = Field(
        default="ready", description="the latest upload's indexing: queued|indexing|ready|failed"
    )
    index_error: str | None = Field(default=None, description="why indexing failed")
    index_done: int = Field(default=0, description="chunks embedded so far")
    index_total: int = Field(default=0, description="chunks to embed")

    @classmethod
    def of(cls, row: DocumentRow, state: IndexState | None = None) -> DocumentWithText:
        """The API view of a document with its text and its indexing state."""
        values: dict[str, Any] = {name: getattr(row, name) for name in DocumentOut.model_fields}
        values["text"] = row.text
        if state is not None:
            values.update(
                index_status=str(state.status),
                index_error=state.error,
                index_done=state.done,
                index_total=state.total,
            )
        return cls(**values)


class FeedbackIn(BaseModel):
    """A verdict on an answer: helpful or not, and for "not", optionally why."""

    model_config = ConfigDict(extra="forbid")

    helpful: bool
    reason: Literal["wrong", "outdated", "incomplete", "wrong_source"] | None = None
    comment: str | None = Field(default=None, max_length=1000)


class FeedbackOut(BaseModel):
    """The stored verdict."""

    id: int
    answer_id: str
    helpful: bool
    reason: str | None
    comment: str | None
    created_at: datetime
