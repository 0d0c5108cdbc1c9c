"""The document registry: every ingested document, its content hash and its chunks, in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from knowledge.chunking import Chunk
from knowledge.documents import DocumentMeta, SourceDocument


class KnowledgeBase(DeclarativeBase):
    """Declarative base of the knowledge tables."""


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

    @property
    def meta(self) -> DocumentMeta:
        """The document's metadata as the validated model."""
        return DocumentMeta.model_validate(
            {
                **(self.extra or {}),
                **{name: getattr(self, name) for name in _META_COLUMNS},
            }
        )


class ChunkRow(KnowledgeBase):
    """One citable chunk of a document."""

    __tablename__ = "kb_chunks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("kb_documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)


class StateRow(KnowledgeBase):
    """Small key/value facts about the index (its generation, the model it was built with)."""

    __tablename__ = "kb_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


_META_COLUMNS = (
    "id", "title", "language", "translation_of", "category", "issuer", "doc_number",
    "issued", "effective", "status", "jurisdiction", "source_url", "verified",
)  # fmt: skip


@dataclass
class SyncPlan:
    """What an ingest must do: documents to (re)index, to keep, and to remove."""

    changed: list[SourceDocument] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def plan_sync(
    *, session: Session, documents: Sequence[SourceDocument], origin: str, prune: bool
) -> SyncPlan:
    """Compare documents with the registry; with prune, same-origin documents not given go."""
    known = {row.id: row for row in session.scalars(select(DocumentRow))}
    plan = SyncPlan()
    seen: set[str] = set()
    for document in documents:
        if document.id in seen:
            raise ValueError(f"two documents share the id {document.id!r}")
        seen.add(document.id)
        row = known.get(document.id)
        if row is not None and row.content_hash == document.content_hash:
            plan.unchanged.append(document.id)
        else:
            plan.changed.append(document)
    if prune:
        plan.removed = sorted(
            doc_id for doc_id, row in known.items() if row.origin == origin and doc_id not in seen
        )
    return plan


def save_document(
    *, session: Session, document: SourceDocument, chunks: Iterable[Chunk], origin: str
) -> list[str]:
    """Insert or replace a document and its chunks; return the ids of the chunks it replaced."""
    old_ids = chunk_ids(session=session, document_id=document.id)
    session.execute(delete(ChunkRow).where(ChunkRow.document_id == document.id))
    values = document.meta.model_dump()
    row = session.get(DocumentRow, document.id) or DocumentRow(id=document.id)
    for name in _META_COLUMNS:
        setattr(row, name, values[name])
    row.extra = document.meta.extra
    row.text = document.text
    row.content_hash = document.content_hash
    row.origin = origin
    row.updated_at = datetime.now(UTC)
    session.add(row)
    session.flush()
    session.add_all(
        ChunkRow(
            id=c.id,
            document_id=c.document_id,
            ordinal=c.ordinal,
            section=c.section,
            text=c.text,
            start=c.start,
        )  # fmt: skip
        for c in chunks
    )
    return old_ids


def remove_document(*, session: Session, document_id: str) -> list[str]:
    """Delete a document and its chunks; return the removed chunk ids."""
    old_ids = chunk_ids(session=session, document_id=document_id)
    session.execute(delete(ChunkRow).where(ChunkRow.document_id == document_id))
    session.execute(delete(DocumentRow).where(DocumentRow.id == document_id))
    return old_ids


def chunk_ids(*, session: Session, document_id: str) -> list[str]:
    """Ids of a document's chunks."""
    return list(session.scalars(select(ChunkRow.id).where(ChunkRow.document_id == document_id)))


def get(*, session: Session, document_id: str) -> DocumentRow | None:
    """One document, or None."""
    return session.get(DocumentRow, document_id)


def list_documents(
    *,
    session: Session,
    category: str | None = None,
    jurisdiction: str | None = None,
    status: str | None = None,
    language: str | None = None,
    query: str | None = None,
) -> list[DocumentRow]:
    """Documents matching the filters, newest issue date first."""
    stmt = select(DocumentRow)
    for column, value in (
        (DocumentRow.category, category),
        (DocumentRow.jurisdiction, jurisdiction),
        (DocumentRow.status, status),
        (DocumentRow.language, language),
    ):
        if value:
            stmt = stmt.where(column == value)
    if query:
        escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.where(
            DocumentRow.title.ilike(like, escape="\\")
            | DocumentRow.doc_number.ilike(like, escape="\\")
            | DocumentRow.issuer.ilike(like, escape="\\")
            | DocumentRow.text.ilike(like, escape="\\")
        )
    rows = list(session.scalars(stmt))
    rows.sort(key=lambda r: (r.issued or "", r.id), reverse=True)
    return rows


def all_chunks(*, session: Session) -> list[ChunkRow]:
    """Every chunk, in document and reading order."""
    return list(session.scalars(select(ChunkRow).order_by(ChunkRow.document_id, ChunkRow.ordinal)))


def chunks_of(*, session: Session, document_id: str) -> list[ChunkRow]:
    """A document's chunks in reading order."""
    return list(
        session.scalars(
            select(ChunkRow).where(ChunkRow.document_id == document_id).order_by(ChunkRow.ordinal)
        )
    )


def all_documents(*, session: Session) -> list[DocumentRow]:
    """Every document."""
    return list(session.scalars(select(DocumentRow).order_by(DocumentRow.id)))


def get_state(*, session: Session, key: str) -> str | None:
    """A state value, or None."""
    row = session.get(StateRow, key)
    return row.value if row else None


def set_state(*, session: Session, key: str, value: str) -> None:
    """Set a state value."""
    row = session.get(StateRow, key)
    if row is None:
        session.add(StateRow(key=key, value=value))
    else:
        row.value = value


def bump_generation(*, session: Session) -> int:
    """Mark the index as changed, so that every worker reloads it; return the new generation."""
    generation = int(get_state(session=session, key="generation") or 0) + 1
    set_state(session=session, key="generation", value=str(generation))
    return generation
