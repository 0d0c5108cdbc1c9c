"""Ingest: bring the registry, the vector store and the passage vectors in line with the sources.

Only documents whose content hash changed are chunked and embedded. Vectors are written before
the SQL commit (their ids derive from content, so a retry is harmless) and stale vectors are
deleted after it, so a crash at any point leaves a serving index and the next ingest repairs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge import registry
from knowledge.chunking import CHUNKING_VERSION, Chunk, chunk_document
from knowledge.documents import SourceDocument
from retrieval.embeddings import EmbeddingModel
from retrieval.index import chunk_units, pack_vectors
from retrieval.tables import PassageVectorsRow
from retrieval.units import UNITS_VERSION, embedding_texts
from retrieval.vector_store import VectorStore

Progress = Callable[[str, int], None]  # (document id, chunks embedded)
ChunkProgress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
GROUP = 24  # documents embedded and written together
BATCH = 16  # chunks embedded per call when chunk progress is reported


@dataclass
class IngestReport:
    """What an ingest did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    texts_embedded: int = 0

    @property
    def changed(self) -> bool:
        """Whether the index changed at all."""
        return bool(self.added or self.updated or self.removed)


class Indexer:
    """Keeps SQL, Chroma and the passage vectors of one embedding model in step."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        embeddings: EmbeddingModel,
        vector_store: VectorStore,
    ) -> None:
        self.sessions = sessions
        self.embeddings = embeddings
        self.vector_store = vector_store

    def ingest(
        self,
        documents: Sequence[SourceDocument],
        *,
        origin: str,
        prune: bool,
        progress: Progress | None = None,
        chunk_progress: ChunkProgress | None = None,
        changed_by: str | None = None,
        note: str | None = None,
        change: str | None = None,
        force: bool = False,
    ) -> IngestReport:
        """Index new and changed documents; with prune, drop same-origin documents not given.

        `changed_by`, `note` and `change` are recorded on the versions this ingest creates;
        `chunk_progress` is told how many chunks are embedded, batch by batch. With `force`,
        the given documents are chunked and saved even when their content is unchanged.
        """
        report = IngestReport()
        with self.sessions() as session:
            # Chunks and their unit vectors depend on the model, the chunker and the units: when
            # any of them changes, every document given is cut and embedded again.
            model_key = f"model:{self.embeddings.model_id}:c{CHUNKING_VERSION}u{UNITS_VERSION}"
            rows = {row.id: row for row in registry.all_documents(session=session)}
            if registry.get_state(session=session, key=model_key) is None:
                # First ingest under this model (or chunker): every document must be cut and
                # embedded for it; those staff changed since are left alone, as by any sync.
                known: set[str] = set()
                force = force or bool(rows)
                documents = [
                    d for d in documents
                    if d.id not in rows or rows[d.id].content_hash == d.content_hash
                    or origin == registry.STAFF_ORIGIN
                    or not (rows[d.id].origin == registry.STAFF_ORIGIN or rows[d.id].withdrawn)
                ]  # fmt: skip
            else:
                known = set(rows)
            plan = registry.plan_sync(
                session=session, documents=documents, origin=origin, prune=prune
            )
            todo = list(plan.changed) + [
                d for d in documents if d.id in set(plan.unchanged) - known
            ]
            if force:
                todo = list(documents)
            report.unchanged = [
                doc_id for doc_id in plan.unchanged if doc_id in known and not force
            ]
            stale: list[str] = []
            for group_start in range(0, len(todo), GROUP):
                group = [(d, chunk_document(d)) for d in todo[group_start : group_start + GROUP]]
                embedded = self._embed(session, group, chunk_progress)
                report.chunks_embedded += embedded[0]
                report.texts_embedded += embedded[1]
                for document, chunks in group:
                    old = registry.save_document(
                        session=session, document=document, chunks=chunks, origin=origin,
                        changed_by=changed_by, note=note, change=change,
                    )  # fmt: skip
                    stale.extend(set(old) - {c.id for c in chunks})
                    (report.updated if document.id in known else report.added).append(document.id)
                    if progress:
                        progress(document.id, len(chunks))
            for document_id in plan.removed:
                stale.extend(registry.remove_document(session=session, document_id=document_id))
                report.removed.append(document_id)
            if stale:
                session.execute(
                    delete(PassageVectorsRow).where(PassageVectorsRow.chunk_id.in_(stale))
                )
            registry.set_state(session=session, key=model_key, value="ready")
            if report.changed:
                registry.bump_generation(session=session)
            session.commit()
        if stale:
            self.vector_store.delete(stale)
        return report

    def withdraw(
        self, document_id: str, *, changed_by: str | None = None, note: str | None = None
    ) -> bool:
        """Withdraw a document: its chunks leave every index, its row and versions stay."""
        with self.sessions() as session:
            row = registry.get(session=session, document_id=document_id)
            if row is None or row.withdrawn:
                return False
            stale = registry.withdraw_document(
                session=session, document_id=document_id, changed_by=changed_by, note=note
            )
            if stale:
                session.execute(
                    delete(PassageVectorsRow).where(PassageVectorsRow.chunk_id.in_(stale))
                )
            registry.bump_generation(session=session)
            session.commit()
        if stale:
            self.vector_store.delete(stale)
        return True

    def discard_unsaved(self, document: SourceDocument) -> list[str]:
        """After a failed ingest: drop the document's vectors that SQL never committed."""
        ids = {c.id for c in chunk_document(document)}
        with self.sessions() as session:
            known = set(registry.chunk_ids(session=session, document_id=document.id))
        orphans = sorted(ids - known)
        if orphans:
            self.vector_store.delete(orphans)
        return orphans

    def remove(self, document_ids: Sequence[str]) -> list[str]:
        """Withdraw documents: their chunks leave SQL, the passage vectors and Chroma."""
        with self.sessions() as session:
            stale: list[str] = []
            removed = []
            for document_id in document_ids:
                if registry.get(session=session, document_id=document_id) is None:
                    continue
                stale.extend(registry.remove_document(session=session, document_id=document_id))
                removed.append(document_id)
            if stale:
                session.execute(
                    delete(PassageVectorsRow).where(PassageVectorsRow.chunk_id.in_(stale))
                )
            if removed:
                registry.bump_generation(session=session)
            session.commit()
        if stale:
            self.vector_store.delete(stale)
        return removed

    def _embed(
        self,
        session: Session,
        group: list[tuple[SourceDocument, list[Chunk]]],
        chunk_progress: ChunkProgress | None = None,
    ) -> tuple[int, int]:
        """Embed the group's chunks not yet embedded under this model: (chunks, texts) embedded."""
        model_id = self.embeddings.model_id
        ids = [c.id for _, chunks in group for c in chunks]
        stored: dict[str, int] = {
            chunk_id: rows
            for chunk_id, rows in session.execute(
                select(PassageVectorsRow.chunk_id, PassageVectorsRow.rows).where(
                    PassageVectorsRow.model_id == model_id, PassageVectorsRow.chunk_id.in_(ids)
                )
            )
        }
        # Vectors of a chunk whose units changed since (another splitter) are computed again.
        have = {
            c.id
            for _, chunks in group
            for c in chunks
            if stored.get(c.id) == len(chunk_units(c)) + 1  # type: ignore[arg-type]
        }
        outdated = [chunk_id for chunk_id in stored if chunk_id not in have]
        if outdated:
            session.execute(
                delete(PassageVectorsRow).where(
                    PassageVectorsRow.model_id == model_id,
                    PassageVectorsRow.chunk_id.in_(outdated),
                )
            )
        missing = [(d, c) for d, chunks in group for c in chunks if c.id not in have]
        if chunk_progress is None:
            return self._embed_batch(session, missing)
        chunk_progress(0, len(missing))
        done = texts = 0
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            texts += self._embed_batch(session, batch)[1]
            done += len(batch)
            chunk_progress(done, len(missing))
        return done, texts

    def _embed_batch(
        self, session: Session, missing: list[tuple[SourceDocument, Chunk]]
    ) -> tuple[int, int]:
        """Embed these chunks and their sentences; write Chroma and the passage vectors."""
        model_id = self.embeddings.model_id
        if not missing:
            return 0, 0
        sentences = [embedding_texts(c.text, chunk_units(c)) for _, c in missing]  # type: ignore[arg-type]
        # Few large calls: USE pays a fixed cost per call, Chroma per upsert.
        flat = [c.embedding_text(d.meta.title) for d, c in missing]
        flat += [s for group_sentences in sentences for s in group_sentences]
        vectors = self.embeddings.embed_array(flat)
        chunk_vectors, sentence_vectors = vectors[: len(missing)], vectors[len(missing) :]
        self.vector_store.add_vectors(
            ids=[c.id for _, c in missing],
            texts=[c.text for _, c in missing],
            vectors=chunk_vectors,
            metadatas=[
                {
                    "document_id": c.document_id,
                    "section": c.section or "",
                    "language": d.meta.language,
                }
                for d, c in missing
            ],  # fmt: skip
        )
        offset = 0
        for (_, chunk), chunk_vector, chunk_sentences in zip(
            missing, chunk_vectors, sentences, strict=True
        ):
            rows = np.vstack(
                [chunk_vector[None, :], sentence_vectors[offset : offset + len(chunk_sentences)]]
            )
            offset += len(chunk_sentences)
            session.add(  # only rows known to be missing: no per-row SELECT as merge() would do
                PassageVectorsRow(
                    chunk_id=chunk.id,
                    model_id=model_id,
                    rows=rows.shape[0],
                    dimensions=rows.shape[1],
                    vectors=pack_vectors(rows),
                )  # fmt: skip
            )
        return len(missing), len(flat)
