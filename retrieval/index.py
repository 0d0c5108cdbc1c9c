"""A worker's view of the library: small per-document metadata, passages fetched by id.

Issue 11: a worker holds no per-passage state. Search runs in the engines (vectors in Chroma,
keywords in the database: retrieval.fulltext); what composition needs of a passage — its text,
units, vectors, article — is read from SQL for the few passages of one answer, by id, and kept
in a small bounded cache. What stays in memory is per document: titles, names and aliases,
status, versions, article counts. A change in the database (a new generation) reloads only that,
so a new document is answerable as soon as its indexing commits.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from knowledge import registry
from knowledge.chunking import Chunk
from knowledge.documents import DocumentMeta
from knowledge.editions import with_editions
from knowledge.glossary import get_glossary
from knowledge.repeals import unheld, with_repeals
from knowledge.tables import ChunkRow
from retrieval.keyword import KeywordIndex, identifiers, tokenize
from retrieval.places import elsewhere
from retrieval.references import DocumentNames, strip_title
from retrieval.tables import PassageTokensRow, PassageVectorsRow
from retrieval.units import Unit, passage_units, unit_spans
from retrieval.use_passages import PassageSpans


@dataclass(frozen=True, eq=False)
class Passage:
    """A chunk with what composition needs: its units, their vectors, its identifiers."""

    id: str
    document_id: str
    section: str | None
    text: str
    start: int
    vectors: np.ndarray = field(repr=False)  # row 0: the chunk; then one per unit (if several)
    stored_tokens: str | None = field(default=None, repr=False)  # as stored, space-joined
    stored_unit_tokens: str | None = field(default=None, repr=False)  # one line per unit
    title: str = ""
    doc_number: str | None = None
    article_key: str | None = None  # "19", "10-1": the article the passage belongs to
    article_label: str | None = None  # as written: "第十九条"
    paragraph_start: int | None = None  # the article's paragraph the passage starts with

    @property
    def vector(self) -> np.ndarray:
        """The chunk's own vector."""
        return self.vectors[0]

    @cached_property
    def units(self) -> tuple[Unit, ...]:
        """The passage's quotable units."""
        return tuple(
            passage_units(
                self.text, article_key=self.article_key, paragraph_start=self.paragraph_start
            )
        )

    @cached_property
    def unit_vectors(self) -> np.ndarray:
        """One vector per unit; a one-unit passage (or one of an older splitter) borrows its own."""
        if len(self.units) == len(self.vectors) - 1:
            return self.vectors[1:]
        return np.repeat(self.vectors[:1], len(self.units), axis=0)

    def best_unit(self, vector: np.ndarray) -> float:
        """The best similarity of any stored unit vector to a question (the chunk's without)."""
        if len(self.vectors) <= 2:
            return float(self.vectors[0] @ vector)
        return float(np.max(self.vectors[1:] @ vector))

    @cached_property
    def identifiers(self) -> frozenset[str]:
        """The exact identifiers the passage (with its document's title and number) names."""
        return frozenset(
            identifiers(
                "\n".join([self.title, self.doc_number or "", self.section or "", self.text])
            )
        )

    @cached_property
    def tokens(self) -> frozenset[str]:
        """What keyword search finds the passage by (read only for the few that need it)."""
        if self.stored_tokens is None:
            return frozenset(tokenize("\n".join([self.title, self.section or "", self.text])))
        return frozenset(self.stored_tokens.split(" ")) - {""}

    @cached_property
    def unit_tokens(self) -> tuple[frozenset[str], ...]:
        """The keyword tokens of each unit (stored at ingest; made here for older rows)."""
        if self.stored_unit_tokens is not None:
            lines = self.stored_unit_tokens.split("\n")
            if len(lines) == len(self.units):
                return tuple(frozenset(line.split(" ")) - {""} for line in lines)
        return tuple(frozenset(tokenize(u.text)) for u in self.units)

    @cached_property
    def section_tokens(self) -> frozenset[str]:
        """The keyword tokens of the section heading path."""
        return frozenset(tokenize(self.section or ""))

    @property
    def sentences(self) -> tuple[str, ...]:
        """The texts of the passage's quotable units."""
        return tuple(u.text for u in self.units)


def chunk_units(chunk: ChunkRow | Chunk) -> list[Unit]:
    """The quotable units of a chunk (stored or just cut)."""
    return passage_units(
        chunk.text,
        article_key=getattr(chunk, "article_key", None),
        paragraph_start=getattr(chunk, "paragraph_start", None),
    )


def passage_spans(title: str, chunk: Chunk) -> PassageSpans:
    """What ingest embeds for a chunk: its heading and text, and its units if it has several."""
    units = chunk_units(chunk)
    return PassageSpans(
        chunk.embedding_head(title), chunk.text, unit_spans(units) if len(units) > 1 else []
    )


def document_names(
    documents: dict[str, DocumentMeta], *, repealed: Iterable[str] = ()
) -> DocumentNames:
    """The names of the library's documents, with the glossary's English names and short forms.

    A glossary document whose forms name a library document lends it all its forms (人遗条例);
    the others, and the `repealed` texts held texts repeal, are regulations the library does
    not hold: named, they are reported missing.
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
    known.extend(repealed)
    return DocumentNames(documents, english_names=english, known_titles=known, aliases=aliases)


def pack_vectors(vectors: np.ndarray) -> bytes:
    """Serialise float32 vectors for the passage-vectors table."""
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


class KnowledgeIndex:
    """One generation of the library as a worker sees it: documents in memory, passages in SQL."""

    CACHE = 2048  # passages kept after use (bounded: a worker holds no copy of the library)

    def __init__(
        self,
        *,
        generation: int,
        documents: dict[str, DocumentMeta],
        sessions: sessionmaker[Session],
        model_id: str,
        versions: dict[str, int] | None = None,
        article_counts: dict[str, int] | None = None,
    ) -> None:
        self.generation = generation
        self.documents = documents
        # The version of each document the passages were cut from (citations name it).
        self.versions = versions or {}
        self.sessions = sessions
        self.model_id = model_id
        self._article_counts = article_counts or {}
        self.keyword = KeywordIndex(sessions)
        # Texts the library does not hold that a held text repeals: named, that is the answer.
        self.repealed_elsewhere = unheld(documents)
        self.names = document_names(
            documents, repealed=[title for title, _ in self.repealed_elsewhere.values()]
        )
        self.elsewhere = elsewhere(documents)  # local rules of places outside the region
        self._cache: OrderedDict[str, Passage] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """How many passages the library holds."""
        return self.keyword.size

    # -- passages, fetched by id ---------------------------------------------------------

    def passages(self, ids: Iterable[str]) -> dict[str, Passage]:
        """These passages, when they exist and their document is in this snapshot."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Passage] = {}
        with self._lock:
            for passage_id in wanted:
                passage = self._cache.get(passage_id)
                if passage is not None:
                    self._cache.move_to_end(passage_id)
                    found[passage_id] = passage
        missing = [p for p in wanted if p not in found]
        if missing:
            with self.sessions() as session:
                loaded = self._load(session, ChunkRow.id.in_(missing))
            self.remember(loaded)
            found.update((p.id, p) for p in loaded)
        return {p: found[p] for p in wanted if p in found}

    def passage(self, passage_id: str) -> Passage | None:
        """One passage, or None."""
        return self.passages([passage_id]).get(passage_id)

    def document_passages(self, document_id: str) -> list[Passage]:
        """A document's passages in reading order."""
        if document_id not in self.documents:
            return []
        with self.sessions() as session:
            loaded = self._load(session, ChunkRow.document_id == document_id)
        return loaded

    def article_passages(self, document_id: str, article_key: str) -> list[Passage]:
        """The passages of one article of a document, in reading order (remembered: the
        composer looks up an article a quote applies again among its candidates)."""
        if document_id not in self.documents:
            return []
        with self.sessions() as session:
            loaded = self._load(
                session,
                (ChunkRow.document_id == document_id) & (ChunkRow.article_key == article_key),
            )
        self.remember(loaded)
        return loaded

    def titled(self, forms: Iterable[str]) -> set[str]:
        """The documents whose title names one of these forms (a place: 浦东新区, 上海市)."""
        forms = [f for f in forms if len(f) > 1]
        if not forms:
            return set()
        return {d for d, meta in self.documents.items() if any(f in meta.title for f in forms)}

    def article_count(self, document_id: str) -> int:
        """How many articles a document has (0 for a text without articles)."""
        return self._article_counts.get(document_id, 0)

    def _load(self, session: Session, where: ColumnElement[bool]) -> list[Passage]:
        """Passages matching a condition on the chunks, with their vectors, in reading order."""
        chunk, vectors, tokens = ChunkRow, PassageVectorsRow, PassageTokensRow
        rows = session.execute(
            select(
                chunk.id,
                chunk.document_id,
                chunk.section,
                chunk.text,
                chunk.start,
                chunk.article_key,
                chunk.article_label,
                chunk.paragraph_start,
                vectors.rows,
                vectors.dimensions,
                vectors.vectors,
                tokens.tokens,
                tokens.unit_tokens,
            )
            .join(vectors, (vectors.chunk_id == chunk.id) & (vectors.model_id == self.model_id))
            .outerjoin(tokens, tokens.chunk_id == chunk.id)
            .where(where)
            .order_by(chunk.document_id, chunk.ordinal)
        ).all()
        out = []
        for row in rows:
            meta = self.documents.get(row.document_id)
            if meta is None:  # withdrawn, or committed after this snapshot: not answerable yet
                continue
            out.append(
                Passage(
                    id=row.id,
                    document_id=row.document_id,
                    section=row.section,
                    text=row.text,
                    start=row.start,
                    vectors=np.frombuffer(row.vectors, np.float32).reshape(
                        row.rows, row.dimensions
                    ),
                    stored_tokens=row.tokens,
                    stored_unit_tokens=row.unit_tokens,
                    title=meta.title,
                    doc_number=meta.doc_number,
                    article_key=row.article_key,
                    article_label=row.article_label,
                    paragraph_start=row.paragraph_start,
                )
            )
        return out

    def remember(self, passages: Iterable[Passage]) -> None:
        """Keep these passages for the next lookups (the cache is bounded)."""
        with self._lock:
            for passage in passages:
                self._cache[passage.id] = passage
            while len(self._cache) > self.CACHE:
                self._cache.popitem(last=False)

    @classmethod
    def load(cls, *, sessions: sessionmaker[Session], model_id: str) -> KnowledgeIndex:
        """Read one generation's per-document metadata from the database."""
        with sessions() as session:
            generation = int(registry.get_state(session=session, key="generation") or 0)
            rows = registry.document_metas(session=session)
            metas = registry.valid_metas(rows)
            # An older edition of a text the library holds in a newer one reads as superseded,
            # and so does a text another one repeals.
            documents = with_repeals(with_editions(metas))
            versions = {row.id: row.version or 1 for row in rows if row.id in metas}
            counts = registry.article_counts(session=session)
        return cls(
            generation=generation,
            documents=documents,
            sessions=sessions,
            model_id=model_id,
            versions=versions,
            article_counts=counts,
        )
