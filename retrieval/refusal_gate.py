"""The refusal gate (docs/retrieval.md): whether the passages found answer a question at all.

Relevance = best passage similarity + coverage weight x IDF-weighted share of the question's
words found in the top passages; a question is refused below the threshold, and when too many
of its words (or a name it gives) are unknown to the knowledge base.
"""

from __future__ import annotations

from typing import Protocol

from retrieval.index import KnowledgeIndex
from retrieval.search import Hit


class GateSettings(Protocol):
    """The gate's thresholds (retrieval.assistant.AssistantConfig has them)."""

    @property
    def threshold(self) -> float:
        """Relevance below which the assistant refuses."""

    @property
    def coverage_weight(self) -> float:
        """Weight of the question's words found in the top passages."""

    @property
    def unknown_share(self) -> float:
        """Share of unknown words at which the assistant refuses ..."""

    @property
    def unknown_similarity(self) -> float:
        """... unless the best passage is at least this similar."""


def relevance(
    index: KnowledgeIndex, query: str, hits: list[Hit], *, config: GateSettings
) -> tuple[float, float]:
    """The best passage similarity, and the relevance the refusal gate compares."""
    if not hits:
        return 0.0, 0.0
    best = max(h.similarity for h in hits)
    found = index.passages(h.passage_id for h in hits[:3])
    coverage = index.keyword.coverage(query, [p.tokens for p in found.values()])
    return best, best + config.coverage_weight * coverage


def answerable(
    index: KnowledgeIndex,
    query: str,
    best: float,
    relevance: float,
    *,
    own: str,
    names: str | None = None,
    follow_up: bool = False,
    concepts: tuple[tuple[str, ...], ...] | None = None,
    config: GateSettings,
) -> bool:
    """Apply the refusal gate (docs/retrieval.md).

    Relevance is judged on the search query (with a follow-up's context); unknown words
    and names on the question alone. A follow-up's similarity comes from its context, so
    it never excuses unknown words: "and the weather tomorrow?" is refused.
    """
    if relevance < config.threshold:
        return False
    if not follow_up and best >= config.unknown_similarity:
        return True
    if concepts is not None:  # an English question over Chinese texts
        unknown = [c for c in concepts if not any(index.keyword.mentions(f) for f in c)]
        share = len(unknown) / len(concepts) if concepts else 0.0
    else:
        share = index.keyword.unknown_share(own, strict=follow_up)
    if share >= config.unknown_share:
        return False
    return not index.keyword.unknown_names(own if names is None else names)


def found_in(index: KnowledgeIndex, hits: list[Hit]) -> str | None:
    """The language of the best passage found."""
    if not hits:
        return None
    passage = index.passage(hits[0].passage_id)
    return index.documents[passage.document_id].language if passage else None
