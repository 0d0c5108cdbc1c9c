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
from knowledge.glossary import get_glossary
from retrieval.keyword import KeywordIndex, identifiers, tokenize
from retrieval.references import DocumentNames, strip_title
from retrieval.tables import PassageVectorsRow
from retrieval.units import Unit, passage_units


@dataclass(frozen=True)
class Passage:
    """A chunk with what composition needs: its units, their vectors, its identifiers."""

    id: str
    document_id: str
    section: str | None
    text: str
    start: int
    units: tuple[Unit, ...]
    vector: np.ndarray  # the chunk's own vector
    unit_vectors: np.ndarray  # one row per unit
    identifiers: frozenset[str]
    unit_tokens: tuple[frozenset[str], ...]  # BM25 tokens of each unit
    section_tokens: frozenset[str]  # BM25 tokens of the section heading path
    article_key: str | None = None  # "19", "10-1": the article the passage belongs to
    article_label: str | None = None  # as written: "第十九条"
    paragraph_start: int | None = None  # the article's paragraph the passage starts with

    @property
    def sentences(self) -> tuple[str, ...]:
        """The texts of the passage's quotable units."""
        return tuple(u.text for u in self.units)


def chunk_units(chunk: registry.ChunkRow) -> list[Unit]:
    """The quotable units of a stored chunk."""
    return passage_units(
        chunk.text,
        article_key=getattr(chunk, "article_key", None),
        paragraph_start=getattr(chunk, "paragraph_start", None),
    )


def _identifier_text(documents: dict[str, DocumentMeta], chunk: registry.ChunkRow) -> str:
    meta = documents.get(chunk.document_id)
    if meta is None:
        return chunk.text
    return "\n".join([meta.title, meta.doc_number or "", chunk.section or "", chunk.text])


def document_names(documents: dict[str, DocumentMeta]) -> DocumentNames:
    """The names of the library's documents, with the glossary's English names and short forms.

    A glossary document whose forms name a library document lends it all its forms (人遗条例);
    the others are regulations the library does not hold: named, they are reported missing.
    """
    glossary = get_glossary()
    by_title: dict[str, list[str]] = {}
    for doc_id, meta in documents.items():
        by_title.setdefault(strip_title(meta.title), []).append(doc_id)
    english: dict[str, tuple[str, ...]] = {}
    aliases: dict[str, list[str]] = {}
    known: list[str] = []
    for entry in glossary.entries:
        if entry.kind != "document":
            continue
        held = [d for form in entry.zh for d in by_title.get(strip_title(form), [])]
        if held:
            for doc_id in held:
                aliases.setdefault(doc_id, []).extend(entry.zh)
                english.setdefault(documents[doc_id].title, entry.en)
        else:
            known.extend(entry.zh)
            english.setdefault(entry.preferred_zh, entry.en)
    return DocumentNames(documents, english_names=english, known_titles=known, aliases=aliases)


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
        # The passages of each article of each document, in reading order.
        self.articles: dict[str, dict[str, list[Passage]]] = {}
        for passage in passages:
            self.by_document.setdefault(passage.document_id, []).append(passage)
            if passage.article_key:
                self.articles.setdefault(passage.document_id, {}).setdefault(
                    passage.article_key, []
                ).append(passage)
        titles = {doc_id: meta.title for doc_id, meta in documents.items()}
        self.keyword = KeywordIndex(
            [f"{titles.get(p.document_id, '')} {p.section or ''}\n{p.text}" for p in passages]
        )
        self.matrix = (
            np.vstack([p.vector for p in passages]) if passages else np.zeros((0, 1), np.float32)
        )
        # Every unit's vector, passage after passage, to score all units in one product.
        counts = [len(p.units) for p in passages]
        self.unit_starts = np.cumsum([0, *counts[:-1]]).astype(np.intp)
        self.unit_matrix = (
            np.vstack([p.unit_vectors for p in passages if len(p.units)])
            if any(counts)
            else np.zeros((0, self.matrix.shape[1]), np.float32)
        )
        self.names = document_names(documents)

    def best_units(self, vector: np.ndarray) -> np.ndarray:
        """For every passage, its best unit's similarity to a question vector."""
        if not len(self.unit_matrix):
            return np.zeros(len(self.passages), np.float32)
        sims = self.unit_matrix @ vector
        starts = np.minimum(self.unit_starts, len(sims) - 1)
        return np.maximum.reduceat(sims, starts)

    def article_count(self, document_id: str) -> int:
        """How many articles a document has (0 for a text without articles)."""
        return len(self.articles.get(document_id, {}))

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
            units = tuple(chunk_units(chunk))
            unit_vectors = matrix[1:]
            if len(units) != row.rows - 1:
                # Vectors of another unit splitter (an upgrade): the passage stays searchable,
                # its units borrow its vector until the next ingest embeds them again.
                unit_vectors = np.repeat(matrix[:1], len(units), axis=0)
            passages.append(
                Passage(
                    id=chunk.id,
                    document_id=chunk.document_id,
                    section=chunk.section,
                    text=chunk.text,
                    start=chunk.start,
                    units=units,
                    vector=matrix[0],
                    unit_vectors=unit_vectors,
                    identifiers=frozenset(identifiers(_identifier_text(documents, chunk))),
                    unit_tokens=tuple(frozenset(tokenize(u.text)) for u in units),
                    section_tokens=frozenset(tokenize(chunk.section or "")),
                    article_key=getattr(chunk, "article_key", None),
                    article_label=getattr(chunk, "article_label", None),
                    paragraph_start=getattr(chunk, "paragraph_start", None),
                )
            )
        return cls(generation=generation, documents=documents, passages=passages, versions=versions)
