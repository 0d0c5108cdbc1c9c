"""Every table of the knowledge package: documents, their chunks and versions, the index's state
and the indexing jobs.

Importing this module registers them all on `KnowledgeBase.metadata`, which the migrations and
the tests that make a schema need; knowledge.registry and knowledge.jobs work on the rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import KnowledgeBase
from knowledge.documents import DocumentMeta

# The metadata fields with a column of their own; the rest are kept in `extra`.
META_COLUMNS = (
    "id",
    "title",
    "language",
    "translation_of",
    "category",
    "issuer",
    "doc_number",
    "issued",
    "effective",
    "status",
    "jurisdiction",
    "source_url",
    "verified",
)

SUPERSEDED_BY = "superseded_by"  # metadata key naming the replacing document
CHANGES = ("created", "content", "metadata", "superseded", "withdrawn", "restored")


class DocumentRow(KnowledgeBase):
    """One document of the knowledge base, as last ingested."""

    __tablename__ = "kb_documents"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8), index=True)
    translation_of: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20), index=True)
    issuer: Mapped[str | None] = mapped_column(String(200))
    doc_number: Mapped[str | None] = mapped_column(String(120))
    issued: Mapped[str | None] = mapped_column(String(10))
    effective: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    jurisdiction: Mapped[str | None] = mapped_column(String(20), index=True)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(20), default="bundled", index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def superseded_by(self) -> str | None:
        """The id of the document that replaces this one, when staff named it."""
        value = (self.extra or {}).get(SUPERSEDED_BY)
        return str(value) if value else None

    @property
    def withdrawn(self) -> bool:
        """Whether staff withdrew the document (it has no chunks and answers never cite it)."""
        return self.withdrawn_at is not None

    @property
    def meta(self) -> DocumentMeta:
        """The document's metadata as the validated model."""
        return DocumentMeta.model_validate(
            {
                **(self.extra or {}),
                **{name: getattr(self, name) for name in META_COLUMNS},
            }
        )


class ChunkRow(KnowledgeBase):
    """One citable chunk of a document."""

    __tablename__ = "kb_chunks"
    __table_args__ = (Index("ix_kb_chunks_document_article", "document_id", "article_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("kb_documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    # The article of a legal text the chunk belongs to ("19", "10-1"; "第十九条" as written) and
    # the 款 its text starts at; None for preambles and for documents without articles.
    article_key: Mapped[str | None] = mapped_column(String(16))
    article_label: Mapped[str | None] = mapped_column(String(40))
    paragraph_start: Mapped[int | None] = mapped_column(Integer)


class DocumentVersionRow(KnowledgeBase):
    """One version of a document: its full text and metadata, who made it, when and why."""

    __tablename__ = "kb_document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign key: a version outlives its document (provenance of past answers).
    document_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    change: Mapped[str] = mapped_column(String(20))  # one of CHANGES
    changed_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StateRow(KnowledgeBase):
    """Small key/value facts about the index (its generation, the model it was built with)."""

    __tablename__ = "kb_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class JobStatus(StrEnum):
    """Where a job stands: queued -> indexing -> ready | failed."""

    QUEUED = "queued"
    INDEXING = "indexing"
    READY = "ready"
    FAILED = "failed"


class IndexJobRow(KnowledgeBase):
    """One request to (re)index a document from an uploaded file."""

    __tablename__ = "kb_index_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "upload" (new document) | "replace"
    status: Mapped[str] = mapped_column(String(20), index=True, default=JobStatus.QUEUED)
    target_version: Mapped[int] = mapped_column(Integer)  # the version a success creates
    filename: Mapped[str] = mapped_column(String(300))  # as uploaded, for messages
    staged_path: Mapped[str] = mapped_column(String(500))  # the file, under the data folder
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
