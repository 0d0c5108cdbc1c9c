"""The document registry: every document, its content hash, its chunks and its versions, in SQL.

A document's `version` starts at 1 and grows by one whenever its text or its metadata changes, or
staff supersede or withdraw it; every version is kept in `kb_document_versions` with its full
text, so what an answer quoted can always be shown again. Withdrawal removes a document's chunks
(it leaves every index) but keeps its row and its versions. The tables are in knowledge.tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import delete, distinct, func, select
from sqlalchemy.orm import Session, defer

from knowledge.chunking import Chunk
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.tables import (
    CHANGES,
    META_COLUMNS,
    ChunkRow,
    DocumentRow,
    DocumentVersionRow,
    StateRow,
)

log = logging.getLogger(__name__)

STAFF_ORIGIN = "staff"  # documents uploaded or edited by staff: file syncs leave them alone


@dataclass
class SyncPlan:
    """What an ingest must do: documents to (re)index, to keep, and to remove."""

    changed: list[SourceDocument] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stored:
    """What a sync compares of a stored document: its hash and who owns it (no text)."""

    content_hash: str
    origin: str
    withdrawn: bool


def stored_documents(*, session: Session) -> dict[str, Stored]:
    """Every document's hash, origin and withdrawal, by id.

    Three columns, not rows: one upload into a library of thousands of texts must not read
    them all into memory (the ORM rows alone, without their texts, weigh ~15 MB at 3,500).
    """
    rows = session.execute(
        select(
            DocumentRow.id,
            DocumentRow.content_hash,
            DocumentRow.origin,
            DocumentRow.withdrawn_at.is_not(None),
        )
    )
    return {
        doc_id: Stored(content_hash, origin, bool(withdrawn))
        for doc_id, content_hash, origin, withdrawn in rows
    }


def plan_sync(
    *, session: Session, documents: Sequence[SourceDocument], origin: str, prune: bool
) -> SyncPlan:
    """Compare documents with the registry; with prune, same-origin documents not given go."""
    known = stored_documents(session=session)
    plan = SyncPlan()
    seen: set[str] = set()
    for document in documents:
        if document.id in seen:
            raise ValueError(f"two documents share the id {document.id!r}")
        seen.add(document.id)
        row = known.get(document.id)
        if row is not None and row.content_hash == document.content_hash:
            plan.unchanged.append(document.id)
        elif (
            row is not None
            and origin != STAFF_ORIGIN
            and (row.origin == STAFF_ORIGIN or row.withdrawn)
        ):
            # Staff edited or withdrew it in the portal: a file sync must not undo that.
            plan.unchanged.append(document.id)
        else:
            plan.changed.append(document)
    if prune:
        plan.removed = sorted(
            doc_id for doc_id, row in known.items() if row.origin == origin and doc_id not in seen
        )
    return plan


def save_document(
    *,
    session: Session,
    document: SourceDocument,
    chunks: Iterable[Chunk],
    origin: str,
    changed_by: str | None = None,
    note: str | None = None,
    change: str | None = None,
) -> list[str]:
    """Insert or replace a document and its chunks; return the ids of the chunks it replaced.

    A new document is version 1; a changed text or metadata makes the next version (`change`
    overrides the kind recorded, e.g. "superseded"); the same content keeps the version.
    """
    old_ids = chunk_ids(session=session, document_id=document.id)
    session.execute(delete(ChunkRow).where(ChunkRow.document_id == document.id))
    values = document.meta.model_dump()
    row = session.get(DocumentRow, document.id)
    now = datetime.now(UTC)
    kind: str | None
    if row is None:
        row = DocumentRow(id=document.id, version=_next_version(session, document.id))
        kind = "created" if row.version == 1 else "content"
    elif row.content_hash != document.content_hash or row.withdrawn:
        kind = (
            "restored" if row.withdrawn else "content" if row.text != document.text else "metadata"
        )
        row.version = (row.version or 1) + 1
    else:
        kind = None  # re-saved unchanged (e.g. embedded under a new model): same version
    for name in META_COLUMNS:
        setattr(row, name, values[name])
    row.extra = document.meta.extra
    row.text = document.text
    row.content_hash = document.content_hash
    row.origin = origin
    row.updated_at = now
    row.withdrawn_at = None
    session.add(row)
    session.flush()
    if kind is not None:
        _record_version(
            session, row, change=change or kind, changed_by=changed_by, note=note, at=now
        )
    session.add_all(
        ChunkRow(
            id=c.id,
            document_id=c.document_id,
            ordinal=c.ordinal,
            section=c.section,
            text=c.text,
            start=c.start,
            article_key=c.article_key,
            article_label=c.article_label,
            paragraph_start=c.paragraph_start,
        )
        for c in chunks
    )
    return old_ids


def remove_document(*, session: Session, document_id: str) -> list[str]:
    """Delete a document and its chunks; return the removed chunk ids."""
    old_ids = chunk_ids(session=session, document_id=document_id)
    session.execute(delete(ChunkRow).where(ChunkRow.document_id == document_id))
    session.execute(delete(DocumentRow).where(DocumentRow.id == document_id))
    return old_ids


def withdraw_document(
    *, session: Session, document_id: str, changed_by: str | None = None, note: str | None = None
) -> list[str]:
    """Withdraw a document: its chunks go, its row and versions stay; return the chunk ids."""
    row = session.get(DocumentRow, document_id)
    if row is None or row.withdrawn:
        return []
    old_ids = chunk_ids(session=session, document_id=document_id)
    session.execute(delete(ChunkRow).where(ChunkRow.document_id == document_id))
    now = datetime.now(UTC)
    row.withdrawn_at = now
    row.updated_at = now
    row.version = (row.version or 1) + 1
    session.flush()
    _record_version(session, row, change="withdrawn", changed_by=changed_by, note=note, at=now)
    return old_ids


def _next_version(session: Session, document_id: str) -> int:
    """1 for a new id; after a hard removal, the version after the last one recorded."""
    last = session.scalar(
        select(DocumentVersionRow.version)
        .where(DocumentVersionRow.document_id == document_id)
        .order_by(DocumentVersionRow.version.desc())
        .limit(1)
    )
    return (last or 0) + 1


def _record_version(
    session: Session,
    row: DocumentRow,
    *,
    change: str,
    changed_by: str | None,
    note: str | None,
    at: datetime,
) -> None:
    if change not in CHANGES:
        raise ValueError(f"unknown change kind {change!r}")
    session.add(
        DocumentVersionRow(
            document_id=row.id,
            version=row.version,
            content_hash=row.content_hash,
            text=row.text,
            meta=row.meta.model_dump(mode="json"),
            change=change,
            changed_by=changed_by,
            note=note,
            created_at=at,
        )
    )


def versions_of(*, session: Session, document_id: str) -> list[DocumentVersionRow]:
    """Every recorded version of a document, newest first (also after it was removed)."""
    return list(
        session.scalars(
            select(DocumentVersionRow)
            .where(DocumentVersionRow.document_id == document_id)
            .order_by(DocumentVersionRow.version.desc())
        )
    )


def get_version(*, session: Session, document_id: str, version: int) -> DocumentVersionRow | None:
    """One recorded version of a document, or None."""
    return session.scalar(
        select(DocumentVersionRow).where(
            DocumentVersionRow.document_id == document_id, DocumentVersionRow.version == version
        )
    )


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
    include_withdrawn: bool = False,
    with_text: bool = False,
) -> list[DocumentRow]:
    """Documents matching the filters, newest issue date first; withdrawn ones only if asked.

    Without `with_text` the rows' texts are not loaded (reading one raises): a listing of a
    library of thousands of laws would otherwise carry all of them into the worker's memory.
    """
    stmt = select(DocumentRow)
    if not with_text:
        stmt = stmt.options(defer(DocumentRow.text, raiseload=True))
    if not include_withdrawn:
        stmt = stmt.where(DocumentRow.withdrawn_at.is_(None))
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


def article_chunks(*, session: Session, document_id: str, article_key: str) -> list[ChunkRow]:
    """The chunks of one article of a document, in reading order (several when it was split)."""
    return list(
        session.scalars(
            select(ChunkRow)
            .where(ChunkRow.document_id == document_id, ChunkRow.article_key == article_key)
            .order_by(ChunkRow.ordinal)
        )
    )


def article_keys(*, session: Session, document_id: str) -> list[str]:
    """The keys of a document's articles in reading order, each once (empty without articles)."""
    keys = session.scalars(
        select(ChunkRow.article_key)
        .where(ChunkRow.document_id == document_id, ChunkRow.article_key.is_not(None))
        .order_by(ChunkRow.ordinal)
    )
    return list(dict.fromkeys(key for key in keys if key is not None))


def all_documents(*, session: Session) -> list[DocumentRow]:
    """Every document."""
    return list(session.scalars(select(DocumentRow).order_by(DocumentRow.id)))


def document_metas(
    *, session: Session, include_withdrawn: bool = False, title_contains: str | None = None
) -> list[DocumentRow]:
    """Every document without its text (which a large library would carry into memory); with
    `title_contains`, only those whose title contains it (a text's editions, among others).

    The rows' `text` is not loaded; reading it raises rather than querying once per row.
    """
    stmt = (
        select(DocumentRow)
        .options(defer(DocumentRow.text, raiseload=True))
        .order_by(DocumentRow.id)
    )
    if not include_withdrawn:
        stmt = stmt.where(DocumentRow.withdrawn_at.is_(None))
    if title_contains is not None:
        stmt = stmt.where(DocumentRow.title.contains(title_contains, autoescape=True))
    return list(session.scalars(stmt))


def valid_metas(rows: Iterable[DocumentRow]) -> dict[str, DocumentMeta]:
    """Each row's metadata, by id; a row whose metadata fails validation (written past the
    portal: a hand edit, a migration) is left out with an error in the log, so that one bad
    row neither keeps the index from reloading nor a page from showing."""
    metas: dict[str, DocumentMeta] = {}
    for row in rows:
        try:
            metas[row.id] = row.meta
        except ValidationError as error:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            log.error("document %s left out of the index: invalid metadata (%s)", row.id, reasons)
    return metas


def article_counts(*, session: Session) -> dict[str, int]:
    """How many articles each document with articles has."""
    rows = session.execute(
        select(ChunkRow.document_id, func.count(distinct(ChunkRow.article_key)))
        .where(ChunkRow.article_key.is_not(None))
        .group_by(ChunkRow.document_id)
    )
    return {document_id: int(count) for document_id, count in rows}


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
