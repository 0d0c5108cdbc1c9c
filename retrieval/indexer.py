"""Ingest: bring the registry, the vector store and the passage vectors in line with the sources.

Only documents whose content hash changed are chunked and embedded. Vectors are written before
the SQL commit (their ids derive from content, so a retry is harmless) and stale vectors are
deleted after it, so a crash at any point leaves a serving index and the next ingest repairs it.

Documents are embedded in groups across documents (few large calls: the model pays a fixed cost
per call) and every group is committed on its own: an interrupted ingest keeps what it finished,
and running it again starts where it stopped. Each commit is searchable at once (the keyword
index lives in the database, the vectors in Chroma), so workers see a new document as soon as
its group commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge import jobs, registry
from knowledge.chunking import CHUNKING_VERSION, Chunk, chunk_document
from knowledge.documents import SourceDocument
from knowledge.tables import ChunkRow, IndexJobRow
from retrieval import fulltext
from retrieval.embeddings import EmbeddingModel
from retrieval.index import chunk_units, pack_vectors, passage_spans
from retrieval.ingest_groups import GROUP_PASSAGES, ahead, groups, index_tokens
from retrieval.tables import PassageVectorsRow
from retrieval.units import UNITS_VERSION
from retrieval.vector_store import VectorStore

Progress = Callable[[str, int], None]  # (document id, chunks embedded)
ChunkProgress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
BATCH = 16  # chunks embedded per call when chunk progress is reported
FULLTEXT_STATE = "fulltext"  # kb_state key: "1" once every chunk is in the keyword index


def unit_rows(units: int) -> int:
    """How many vectors a passage of `units` units stores: itself, plus one per unit if several.

    A passage of one unit (most articles of a law) lets the unit borrow the passage's vector:
    measured on both development sets, a separate sentence vector bought nothing there
    (real texts 0.895 -> 0.901 correct, bundled key facts 0.879 either way) and cost one
    embedding per passage at ingest.
    """
    return 1 if units <= 1 else units + 1


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
        group_passages: int = GROUP_PASSAGES,
    ) -> None:
        self.sessions = sessions
        self.embeddings = embeddings
        self.vector_store = vector_store
        self.group_passages = group_passages

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
        self.ensure_fulltext()
        # Chunks and their unit vectors depend on the model, the chunker and the units: when
        # any of them changes, every document given is cut and embedded again.
        model_key = f"model:{self.embeddings.model_id}:c{CHUNKING_VERSION}u{UNITS_VERSION}"
        with self.sessions() as session:
            rows = registry.stored_documents(session=session)
            upgrade = registry.get_state(session=session, key=model_key) is None and bool(rows)
            if upgrade:
                # First ingest under this model (or chunker): every document must be cut and
                # embedded for it; those staff changed since are left alone, as by any sync.
                known: set[str] = set()
                force = True
                documents = [
                    d
                    for d in documents
                    if d.id not in rows
                    or rows[d.id].content_hash == d.content_hash
                    or origin == registry.STAFF_ORIGIN
                    or not (rows[d.id].origin == registry.STAFF_ORIGIN or rows[d.id].withdrawn)
                ]
            else:
                known = set(rows)
            plan = registry.plan_sync(
                session=session, documents=documents, origin=origin, prune=prune
            )
        todo = list(plan.changed) + [d for d in documents if d.id in set(plan.unchanged) - known]
        if force:
            todo = list(documents)
        report.unchanged = [doc_id for doc_id in plan.unchanged if doc_id in known and not force]
        for prepared in ahead(groups(todo, self.group_passages)):
            group = [(p.document, p.chunks) for p in prepared]
            # One transaction per group: an interruption loses at most the group under way.
            with self.sessions() as session:
                embedded = self._embed(session, group, chunk_progress)
                report.chunks_embedded += embedded[0]
                report.texts_embedded += embedded[1]
                stale: list[str] = []
                for document, chunks, tokens in (
                    (p.document, p.chunks, p.tokens) for p in prepared
                ):
                    old = registry.save_document(
                        session=session,
                        document=document,
                        chunks=chunks,
                        origin=origin,
                        changed_by=changed_by,
                        note=note,
                        change=change,
                    )
                    stale.extend(set(old) - {c.id for c in chunks})
                    fulltext.remove_documents(session, [document.id])
                    fulltext.add(session, tokens)
                self._forget_vectors(session, stale)
                if not upgrade:
                    registry.set_state(session=session, key=model_key, value="ready")
                registry.bump_generation(session=session)
                session.commit()
            self._delete_vectors(stale)
            for document, chunks in group:
                (report.updated if document.id in known else report.added).append(document.id)
                if progress:
                    progress(document.id, len(chunks))
        with self.sessions() as session:
            stale = []
            for document_id in plan.removed:
                stale.extend(registry.remove_document(session=session, document_id=document_id))
                fulltext.remove_documents(session, [document_id])
                report.removed.append(document_id)
            self._forget_vectors(session, stale)
            registry.set_state(session=session, key=model_key, value="ready")
            if report.removed:
                registry.bump_generation(session=session)
            session.commit()
        self._delete_vectors(stale)
        return report

    def ensure_fulltext(self) -> int:
        """Fill the keyword index from the registry's chunks when it was never built.

        A database from before the index lived in the engine (or restored from a backup, which
        leaves derived tables out) has chunks but no tokens: they are tokenised once, here.
        Returns how many passages were indexed.
        """
        with self.sessions() as session:
            if registry.get_state(session=session, key=FULLTEXT_STATE) == "1":
                return 0
            added = rebuild_fulltext(session)
            registry.set_state(session=session, key=FULLTEXT_STATE, value="1")
            if added:  # workers' snapshots counted no passages: they take a new one
                registry.bump_generation(session=session)
            session.commit()
        return added

    @staticmethod
    def _forget_vectors(session: Session, stale: list[str]) -> None:
        if stale:
            session.execute(delete(PassageVectorsRow).where(PassageVectorsRow.chunk_id.in_(stale)))

    def _delete_vectors(self, stale: list[str]) -> None:
        if stale:
            self.vector_store.delete(stale)

    def sweep(self) -> list[str]:
        """Delete vectors and keyword entries of passages the registry no longer has.

        A crash between writing vectors and the SQL commit, or between the commit and deleting
        the old vectors, leaves such entries; searches skip them, but they take space. Safe
        while uploads are indexed: passages of a document with a queued or running job may be
        written before their commit, so they are left for the next sweep. Returns the ids
        deleted from the vector store.
        """
        with self.sessions() as session:
            known = set(session.scalars(select(ChunkRow.id)))
            busy = set(
                session.scalars(
                    select(IndexJobRow.document_id).where(IndexJobRow.status.in_(jobs.ACTIVE))
                )
            )
            orphans = sorted(fulltext.indexed_chunk_ids(session) - known)
            fulltext.remove(session, orphans)
            session.execute(
                delete(PassageVectorsRow).where(
                    ~PassageVectorsRow.chunk_id.in_(select(ChunkRow.id))
                )
            )
            session.commit()
        candidates = sorted(self.vector_store.ids() - known)
        owners = self.vector_store.documents_of(candidates)
        stale = [c for c in candidates if owners.get(c) not in busy]
        self._delete_vectors(stale)
        return stale

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
            fulltext.remove_documents(session, [document_id])
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
                fulltext.remove_documents(session, [document_id])
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
        # Vectors of a chunk whose units changed since (another splitter) are computed again;
        # a one-unit passage stored with its unit's own vector (before unit_rows) is kept.
        # (Only stored chunks are cut into units here: a first ingest parses nothing twice.)
        have = {
            c.id
            for _, chunks in group
            for c in chunks
            if c.id in stored
            and stored[c.id] in (unit_rows(units := len(chunk_units(c))), units + 1)
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
        # Few large calls: the model pays a fixed cost per call, Chroma per upsert. A passage of
        # several units embeds them too (unit_rows); the model may do both in one pass.
        passages = [passage_spans(d.meta.title, c) for d, c in missing]
        rows_of = self.embeddings.embed_passages(passages)
        self.vector_store.add_vectors(
            ids=[c.id for _, c in missing],
            texts=[c.text for _, c in missing],
            vectors=np.vstack([rows[:1] for rows in rows_of]),
            metadatas=[
                {
                    "document_id": c.document_id,
                    "section": c.section or "",
                    "language": d.meta.language,
                }
                for d, c in missing
            ],
        )
        for (_, chunk), rows in zip(missing, rows_of, strict=True):
            session.add(  # only rows known to be missing: no per-row SELECT as merge() would do
                PassageVectorsRow(
                    chunk_id=chunk.id,
                    model_id=model_id,
                    rows=rows.shape[0],
                    dimensions=rows.shape[1],
                    vectors=pack_vectors(rows),
                )
            )
        return len(missing), sum(1 + len(p.units) for p in passages)


def rebuild_fulltext(session: Session) -> int:
    """Empty the keyword index and fill it again from the registry's chunks."""
    fulltext.clear(session)
    metas = {row.id: row.meta for row in registry.document_metas(session=session)}
    added = 0
    for document_id in sorted(metas):
        chunks = registry.chunks_of(session=session, document_id=document_id)
        added += fulltext.add(session, (index_tokens(metas[document_id], c) for c in chunks))
    return added
