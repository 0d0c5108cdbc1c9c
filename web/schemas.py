"""Shapes of the JSON API (they become the OpenAPI schema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.registry import DocumentRow
from retrieval.answer import Answer, Citation
from retrieval.assistant import MAX_QUESTION_CHARS


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

    @classmethod
    def of(cls, answer: Answer, conversation_id: str) -> ChatResponse:
        """The API view of an answer."""
        return cls(
            answer=answer.answer, refused=answer.refused, language=answer.language,
            citations=[CitationOut.of(c) for c in answer.citations],
            conversation_id=conversation_id,
        )  # fmt: skip


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

    @classmethod
    def of(cls, row: DocumentRow) -> DocumentOut:
        """The API view of a document's metadata."""
        return cls(**{name: getattr(row, name) for name in cls.model_fields})


class DocumentWithText(DocumentOut):
    """A document's metadata and its full text (every citation quotes it verbatim)."""

    text: str

    @classmethod
    def of(cls, row: DocumentRow) -> DocumentWithText:
        """The API view of a document with its text."""
        return cls(**{name: getattr(row, name) for name in cls.model_fields})
