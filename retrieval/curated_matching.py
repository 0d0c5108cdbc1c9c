"""Matching a question to a curated answer: the active staff answers of one index generation,
with their questions' vectors, as the assistant holds them (see retrieval.curated)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.text import Language
from retrieval.cited_answer import Citation
from retrieval.curated import current_citations
from retrieval.embeddings import EmbeddingModel
from retrieval.tables import CuratedAnswerRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CuratedEntry:
    """An active curated answer as the assistant holds it."""

    id: int
    language: Language
    answer: str
    citations: list[Citation]
    questions: list[str]


# What a question asks for, when it says so: two questions on one topic that ask for different
# things ("how much does it cost" / "how long does it take") are not the same question, however
# close their vectors (USE puts those two at 0.75, above the threshold; docs/retrieval.md).
_SLOTS = {
    "cost": re.compile(r"cost|price|fee|charge|how much|收费|费用|价格|多少钱|价钱", re.IGNORECASE),
    "duration": re.compile(r"how long|how many days|多久|多长时间|几天|周期|时限", re.IGNORECASE),
    "date": re.compile(r"\bwhen\b|what date|什么时候|何时|哪天|日期", re.IGNORECASE),
    "place": re.compile(r"\bwhere\b|address|地址|在哪|哪里|地点", re.IGNORECASE),
    "who": re.compile(r"\bwho\b|\bwhom\b|谁|哪个部门|哪家", re.IGNORECASE),
}


def asked_slots(question: str) -> frozenset[str]:
    """What a question explicitly asks for: cost, duration, date, place, who (maybe none)."""
    return frozenset(name for name, pattern in _SLOTS.items() if pattern.search(question))


def slots_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two questions both say what they ask for, and it is not the same."""
    return bool(a) and bool(b) and not (a & b)


class CuratedSet:
    """The active curated answers of one index generation, with their questions' vectors."""

    def __init__(
        self,
        generation: int,
        entries: list[CuratedEntry],
        vectors: np.ndarray,
        owners: np.ndarray,
        slots: list[frozenset[str]] | None = None,
    ) -> None:
        self.generation = generation
        self.entries = entries
        self.vectors = vectors  # one normalised row per curated question
        self.owners = owners  # the entry of each row
        self.slots = slots or [frozenset()] * len(owners)  # what each row's question asks

    @classmethod
    def empty(cls, generation: int) -> CuratedSet:
        """No staff answers."""
        return cls(generation, [], np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=int))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def match(
        self,
        vector: np.ndarray,
        *,
        question: str,
        language: str,
        threshold: float,
        margin: float = 0.05,
    ) -> tuple[CuratedEntry, float] | None:
        """The curated answer whose question is most similar, if similar enough.

        A curated question asking for something else (`asked_slots`) does not count. An answer
        in the asker's language wins when it is within `margin` of the best.
        """
        if not self.entries:
            return None
        norm = float(np.linalg.norm(vector)) or 1.0
        similarities = self.vectors @ (np.asarray(vector, dtype=np.float32) / norm)
        wanted = asked_slots(question)
        best: dict[int, float] = {}
        for owner, similarity, slots in zip(
            self.owners.tolist(), similarities.tolist(), self.slots, strict=True
        ):
            if not slots_conflict(wanted, slots):
                best[owner] = max(best.get(owner, -1.0), similarity)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: -item[1])
        top, top_similarity = ranked[0]
        if top_similarity < threshold:
            return None
        for owner, similarity in ranked:
            if similarity < max(threshold, top_similarity - margin):
                break
            if self.entries[owner].language == language:
                return self.entries[owner], similarity
        return self.entries[top], top_similarity


class CuratedLoader:
    """Loads the active curated answers, embedding each question once per process."""

    def __init__(self, embeddings: EmbeddingModel) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, np.ndarray] = {}

    def load(self, *, session: Session, generation: int) -> CuratedSet:
        """The active curated answers now, for the given index generation."""
        rows = session.scalars(
            select(CuratedAnswerRow)
            .where(CuratedAnswerRow.active.is_(True))
            .order_by(CuratedAnswerRow.id)
        ).all()
        entries: list[CuratedEntry] = []
        texts: list[str] = []
        owners: list[int] = []
        for row in rows:
            questions = [q for q in row.questions or [] if q.strip()]
            if not questions:
                continue
            citations, stale = current_citations(session=session, row=row)
            if stale is not None:
                log.info("staff answer %s is not given until it is edited: %s", row.id, stale)
                continue
            language: Language = "zh" if row.language == "zh" else "en"
            owner = len(entries)
            entries.append(CuratedEntry(row.id, language, row.answer, citations, questions))
            texts += questions
            owners += [owner] * len(questions)
        if not entries:
            return CuratedSet.empty(generation)
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = np.asarray(self.embeddings.embed_array(missing), dtype=np.float32)
            fresh /= np.maximum(np.linalg.norm(fresh, axis=1, keepdims=True), 1e-9)
            self._vectors.update(zip(missing, fresh, strict=True))
        vectors = np.vstack([self._vectors[t] for t in texts])
        slots = [asked_slots(t) for t in texts]
        return CuratedSet(generation, entries, vectors, np.array(owners), slots)
