"""The in-memory view of the knowledge base that answers are composed from.

Chunk texts, document metadata, passage vectors and the BM25 index are loaded from SQL into
each worker and reloaded when the index generation in the database changes, so any number of
stateless workers serve the same knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.documents import DocumentMeta
from knowledge.text import split_sentences
from retrieval.keyword import KeywordIndex, identifiers, tokenize
from retrieval.tables import PassageVectorsRow


@dataclass(frozen=True)
class Passage:
    """A chunk with what composition needs: its sentences, their vectors, its identifiers."""

    id: str
    document_id: str
    section: str | None
    text: str
    start: int
    sentences: tuple[str, ...]
    vector: np.ndarray  # the chunk's own vector
    sentence_vectors: np.ndarray  # one row per sentence
    identifiers: frozenset[str]
    sentence_tokens: tuple[frozenset[str], ...]  # BM25 tokens of each sentence
    section_tokens: frozenset[str]  # BM25 tokens of the section heading path


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage that an answer may quote."""
    return split_sentences(text)


def _identifier_text(documents: dict[str, DocumentMeta], chunk: registry.ChunkRow) -> str:
    meta = documents.get(chunk.document_id)
    if meta is None:
        return chunk.text
    return "\n".join([meta.title, meta.doc_number or "", chunk.section or "", chunk.text])


def pack_vectors(vectors: np.ndarray) -> bytes:
    """Serialise float32 vectors for the passage-vectors table."""
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


class KnowledgeIndex:
    """Everything a worker needs in memory to search and compose answers."""

    def __init__(
        self,
        *,
        generation: int,
        documents: dict[str, DocumentMeta],
        passages: list[Passage],
        versions: dict[str, int] | None = None,
    ) -> None:
        self.generation = generation
        self.documents = documents
        # The version of each document the passages were cut from (citations name it).
        self.versions = versions or {}
        self.passages = passages
        self.by_id = {p.id: p for p in passages}
        self.position = {p.id: i for i, p in enumerate(passages)}
        self.by_document: dict[str, list[Passage]] = {}
        for passage in passages:
            self.by_document.setdefault(passage.document_id, []).append(passage)
        titles = {doc_id: meta.title for doc_id, meta in documents.items()}
        self.keyword = KeywordIndex(
            [f"{titles.get(p.document_id, '')} {p.section or ''}\n{p.text}" for p in passages]
        )
        self.matrix = (
            np.vstack([p.vector for p in passages]) if passages else np.zeros((0, 1), np.float32)
        )

    @classmethod
    def load(cls, *, session: Session, model_id: str) -> KnowledgeIndex:
        """Read the index of one embedding model from the database."""
        generation = int(registry.get_state(session=session, key="generation") or 0)
        rows = [row for row in registry.all_documents(session=session) if not row.withdrawn]
        documents = {row.id: row.meta for row in rows}
        versions = {row.id: row.version or 1 for row in rows}
        vectors = {
            row.chunk_id: row
            for row in session.scalars(
                select(PassageVectorsRow).where(PassageVectorsRow.model_id == model_id)
            )
        }
        passages = []
        for chunk in registry.all_chunks(session=session):
            if chunk.document_id not in documents:
                continue
            row = vectors.get(chunk.id)
            if row is None:  # not embedded under this model yet: invisible until it is
                continue
            matrix = np.frombuffer(row.vectors, dtype=np.float32).reshape(row.rows, row.dimensions)
            sentences = tuple(passage_sentences(chunk.text))
            if len(sentences) != row.rows - 1:
                continue  # vectors from another sentence splitter: re-ingest refreshes them
            passages.append(
                Passage(
                    id=chunk.id,
                    document_id=chunk.document_id,
                    section=chunk.section,
                    text=chunk.text,
                    start=chunk.start,
                    sentences=sentences,
                    vector=matrix[0],
                    sentence_vectors=matrix[1:],
                    identifiers=frozenset(identifiers(_identifier_text(documents, chunk))),
                    sentence_tokens=tuple(frozenset(tokenize(s)) for s in sentences),
                    section_tokens=frozenset(tokenize(chunk.section or "")),
                )
            )
        return cls(generation=generation, documents=documents, passages=passages, versions=versions)
