"""Extractive answers: the sentences of the best passages that answer the question, each cited.

Nothing is written that is not a sentence of a source: every sentence of an answer is quoted
verbatim from a passage and carries the marker [n] of its citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from knowledge.documents import DocumentMeta
from knowledge.text import Language
from retrieval.index import KnowledgeIndex, Passage
from retrieval.keyword import identifiers, tokenize
from retrieval.search import Hit

STATUS_LABELS = {
    "zh": {"draft": "征求意见稿", "superseded": "已被取代", "announced": "已公布、尚未施行"},
    "en": {"draft": "draft for comment", "superseded": "superseded",
           "announced": "announced, not yet in force"},
}  # fmt: skip


@dataclass(frozen=True)
class Citation:
    """Where one sentence of an answer comes from."""

    n: int
    document_id: str
    chunk_id: str
    title: str
    section: str | None
    quote: str
    start: int  # offset of the quote in the document text
    url: str
    source_url: str | None
    status: str
    issued: str | None
    issuer: str | None
    doc_number: str | None
    verified: bool
    language: str


@dataclass(frozen=True)
class Answer:
    """What the assistant says to one question."""

    answer: str
    refused: bool
    language: Language
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    reason: str | None = None  # why it refused: "no_match", "out_of_scope", "instructions"


@dataclass(frozen=True)
class CompositionRules:
    """Limits of an extractive answer."""

    max_sentences: int = 3
    margin: float = 0.06  # a further sentence must score within this of the best one
    redundancy: float = 0.9  # skip a sentence this similar to one already chosen
    max_chars: dict[str, int] = field(default_factory=lambda: {"zh": 260, "en": 650})


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    index: int
    score: float
    rank: int


class ExtractiveComposer:
    """Builds cited answers out of source sentences."""

    def __init__(
        self,
        *,
        url_template: str = "/documents/{document_id}?hl={start}-{end}#passage-{chunk_id}",
        rules: CompositionRules | None = None,
    ) -> None:
        self.url_template = url_template
        self.rules = rules or CompositionRules()

    def candidates(
        self, index: KnowledgeIndex, hits: list[Hit], vector: np.ndarray, language: Language
    ) -> list[tuple[Passage, float]]:
        """Passages to quote from, in the question's language when that language has them."""
        pool: dict[str, float] = {h.passage_id: h.score for h in hits}
        # A passage found in the other language brings its translation's best passages along.
        for hit in hits[:4]:
            meta = index.documents[index.by_id[hit.passage_id].document_id]
            if meta.language != language and meta.translation_of in index.documents:
                twins = [p for p in index.passages if p.document_id == meta.translation_of]
                twins.sort(key=lambda p: -float(p.vector @ vector))
                for twin in twins[:2]:
                    pool.setdefault(twin.id, hit.score - 0.02)
        ranked = sorted(pool.items(), key=lambda item: -item[1])
        same = [
            (index.by_id[pid], s)
            for pid, s in ranked
            if index.documents[index.by_id[pid].document_id].language == language
        ]
        if same and same[0][1] >= ranked[0][1] - 0.08:
            return same[:5]
        return [(index.by_id[pid], s) for pid, s in ranked[:5]]

    def compose(
        self,
        *,
        index: KnowledgeIndex,
        question: str,
        vector: np.ndarray,
        hits: list[Hit],
        language: Language,
    ) -> tuple[str, list[Citation]]:
        """The answer text and its citations."""
        passages = self.candidates(index, hits, vector, language)
        chosen = self._select(question, vector, passages, language)
        citations: list[Citation] = []
        parts: list[str] = []
        for candidate in chosen:
            citation = self._cite(index, candidate, len(citations) + 1)
            citations.append(citation)
            label = STATUS_LABELS[language].get(citation.status)
            marker = f"[{citation.n}]"
            if label:
                marker += f"（{label}）" if language == "zh" else f" ({label})"
            quote = citation.quote
            parts.append(f"{quote} {marker}" if language == "en" else f"{quote}{marker}")
        return ("" if language == "zh" else " ").join(parts), citations

    def _select(
        self,
        question: str,
        vector: np.ndarray,
        passages: list[tuple[Passage, float]],
        language: Language,
    ) -> list[_Candidate]:
        rules = self.rules
        question_tokens = set(tokenize(question))
        wanted = set(identifiers(question))
        top = passages[0][1] if passages else 0.0
        scored: list[_Candidate] = []
        for rank, (passage, passage_score) in enumerate(passages):
            if not passage.sentences:
                continue
            similarity = passage.sentence_vectors @ vector
            for i, sentence in enumerate(passage.sentences):
                tokens = passage.sentence_tokens[i]
                overlap = len(question_tokens & tokens) / len(question_tokens) if question_tokens else 0
                score = (
                    0.55 * float(similarity[i])
                    + 0.45 * (passage_score - top)  # how the passage ranked, relative to the best
                    + 0.12 * overlap
                    + (0.08 if wanted & {t for t in tokens if t.startswith("§")} else 0.0)
                )
                if len(sentence) < 6:  # a stray heading or list label
                    score -= 0.2
                scored.append(_Candidate(passage, i, score, rank))
        scored.sort(key=lambda c: -c.score)
        chosen: list[_Candidate] = []
        chars = 0
        for candidate in scored:
            if len(chosen) >= rules.max_sentences:
                break
            if chosen and candidate.score < chosen[0].score - rules.margin:
                break
            sentence = candidate.passage.sentences[candidate.index]
            if chosen and chars + len(sentence) > rules.max_chars[language]:
                continue
            vec = candidate.passage.sentence_vectors[candidate.index]
            if any(
                float(vec @ c.passage.sentence_vectors[c.index]) > rules.redundancy
                for c in chosen
            ):
                continue
            chosen.append(candidate)
            chars += len(sentence)
        # Read sentences of one passage in their own order; passages in rank order.
        first_rank = {}
        for c in chosen:
            first_rank.setdefault(c.passage.id, len(first_rank))
        return sorted(chosen, key=lambda c: (first_rank[c.passage.id], c.index))

    def _cite(self, index: KnowledgeIndex, candidate: _Candidate, n: int) -> Citation:
        passage = candidate.passage
        meta: DocumentMeta = index.documents[passage.document_id]
        quote = passage.sentences[candidate.index]
        start = passage.start + passage.text.index(quote)
        return Citation(
            n=n,
            document_id=passage.document_id,
            chunk_id=passage.id,
            title=meta.title,
            section=passage.section,
            quote=quote,
            start=start,
            url=self.url_template.format(
                document_id=passage.document_id, chunk_id=passage.id,
                start=start, end=start + len(quote),
            ),  # fmt: skip
            source_url=meta.source_url,
            status=meta.status,
            issued=meta.issued,
            issuer=meta.issuer,
            doc_number=meta.doc_number,
            verified=meta.verified,
            language=meta.language,
        )
