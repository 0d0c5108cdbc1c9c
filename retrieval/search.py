"""Finding the passages that answer a question: vector search, BM25, and their fusion.

Each method stays runnable alone for the evaluation. The fusion was designed from measurement
(docs/retrieval.md): plain reciprocal-rank fusion lets BM25 pull in wrong passages in the
question's own language, so vector similarity stays the backbone and BM25 only adds weight
through exact identifiers and a small, normalised keyword term.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import numpy as np

from retrieval.index import KnowledgeIndex
from retrieval.keyword import identifiers
from retrieval.vector_store import VectorStore

Method = Literal["vector", "bm25", "rrf", "hybrid"]
METHODS: tuple[Method, ...] = ("vector", "bm25", "rrf", "hybrid")


@dataclass(frozen=True)
class Hit:
    """A passage and its score under one method (for hybrid: fused; see `similarity`)."""

    passage_id: str
    score: float
    similarity: float  # cosine similarity of question and passage, whatever the method


@dataclass(frozen=True)
class FusionWeights:
    """Knobs of the hybrid fusion, tuned on the development set."""

    identifier_bonus: float = 0.15
    keyword_weight: float = 0.05
    candidates: int = 60
    context_bonus: float = 0.05
    # Measured on both development sets (docs/retrieval.md): half of the amount by which the
    # passage's best unit beats the passage as a whole.
    unit_weight: float = 0.5  # passages of the documents the conversation is about


class Searcher:
    """Runs one of the retrieval methods against an index snapshot."""

    def __init__(self, vector_store: VectorStore, weights: FusionWeights | None = None) -> None:
        self.vector_store = vector_store
        self.weights = weights or FusionWeights()

    def search(
        self,
        index: KnowledgeIndex,
        question: str,
        vector: np.ndarray,
        *,
        k: int = 8,
        method: Method = "hybrid",
        documents: Collection[str] | None = None,
        prefer: Collection[str] | None = None,
        prefer_bonus: float | None = None,
    ) -> list[Hit]:
        """The k best passages for a question under a method (within `documents` if given).

        `prefer`: documents the conversation is about; their passages get a small bonus, so a
        question that leaves its subject to the context stays with it, while a question on a
        new topic still finds its own documents.
        """
        if documents:
            return self._within(index, question, vector, k, documents)
        if prefer and method == "hybrid":
            return self._hybrid(index, question, vector, k, prefer, prefer_bonus)
        if method == "vector":
            return self._vector(index, vector, k)
        if method == "bm25":
            return self._bm25(index, question, vector, k)
        if method == "rrf":
            return self._rrf(index, question, vector, k)
        return self._hybrid(index, question, vector, k)

    def _within(
        self,
        index: KnowledgeIndex,
        question: str,
        vector: np.ndarray,
        k: int,
        documents: Collection[str],
    ) -> list[Hit]:
        """Hybrid search among the passages of the documents a question names (exact)."""
        positions = [
            index.position[p.id] for doc in documents for p in index.by_document.get(doc, [])
        ]
        if not positions:
            return []
        similarity = index.matrix[positions] @ vector
        sparse = index.keyword.search(question, self.weights.candidates, among=positions)
        top_keyword = sparse[0].score if sparse else 0.0
        keyword = {h.index: h.score / top_keyword for h in sparse}
        scored = [
            (p, float(sim) + self.weights.keyword_weight * keyword.get(p, 0.0))
            for p, sim in zip(positions, similarity, strict=True)
        ]
        scored.sort(key=lambda item: -item[1])
        return [
            Hit(index.passages[p].id, score, float(index.passages[p].vector @ vector))
            for p, score in scored[:k]
        ]

    def _similarity(self, index: KnowledgeIndex, passage_id: str, vector: np.ndarray) -> float:
        return float(index.by_id[passage_id].vector @ vector)

    def _vector(self, index: KnowledgeIndex, vector: np.ndarray, k: int) -> list[Hit]:
        hits = self.vector_store.search(vector.tolist(), k=k + 8)
        # Chroma may briefly hold vectors of chunks this snapshot does not know (an ingest
        # in progress elsewhere): only passages of the snapshot are answerable.
        return [Hit(h.chunk_id, h.score, h.score) for h in hits if h.chunk_id in index.by_id][:k]

    def _bm25(self, index: KnowledgeIndex, question: str, vector: np.ndarray, k: int) -> list[Hit]:
        hits = index.keyword.search(question, k)
        return [
            Hit(index.passages[h.index].id, h.score,
                self._similarity(index, index.passages[h.index].id, vector))
            for h in hits
        ]  # fmt: skip

    def _rrf(self, index: KnowledgeIndex, question: str, vector: np.ndarray, k: int) -> list[Hit]:
        pool = self.weights.candidates
        scores: dict[str, float] = {}
        for ranking in (
            self._vector(index, vector, pool),
            self._bm25(index, question, vector, pool),
        ):
            for rank, hit in enumerate(ranking):
                scores[hit.passage_id] = scores.get(hit.passage_id, 0.0) + 1.0 / (60 + rank + 1)
        best = sorted(scores.items(), key=lambda item: -item[1])[:k]
        return [Hit(pid, s, self._similarity(index, pid, vector)) for pid, s in best]

    def _hybrid(
        self,
        index: KnowledgeIndex,
        question: str,
        vector: np.ndarray,
        k: int,
        prefer: Collection[str] | None = None,
        prefer_bonus: float | None = None,
    ) -> list[Hit]:
        w = self.weights
        if not index.passages:  # an empty library: nothing to score (and no vector width)
            return []
        bonus = w.context_bonus if prefer_bonus is None else prefer_bonus
        dense = self._vector(index, vector, w.candidates)
        sparse = index.keyword.search(question, w.candidates)
        top_keyword = sparse[0].score if sparse else 0.0
        keyword = {index.passages[h.index].id: h.score / top_keyword for h in sparse}
        wanted = set(identifiers(question))
        similarity = index.matrix @ vector  # one product for all passages, not one per candidate
        best_units = index.best_units(vector) if w.unit_weight else None
        scores: dict[str, float] = {}
        for passage_id in {h.passage_id for h in dense} | set(keyword):
            passage = index.by_id[passage_id]
            position = index.position[passage_id]
            score = float(similarity[position])
            if best_units is not None and len(passage.units) > 1:
                # A passage whose one paragraph answers is as good as one that answers whole.
                score += w.unit_weight * max(0.0, float(best_units[position]) - score)
            score += w.keyword_weight * keyword.get(passage_id, 0.0)
            if wanted and wanted & passage.identifiers:
                score += w.identifier_bonus * len(wanted & passage.identifiers) / len(wanted)
            if prefer and passage.document_id in prefer:
                score += bonus
            scores[passage_id] = score
        best = sorted(scores.items(), key=lambda item: -item[1])[:k]
        return [Hit(pid, s, float(similarity[index.position[pid]])) for pid, s in best]
