"""What an evaluation measures: per retrieval method, per group of questions, per set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RetrievalScores:
    """Hit@1, hit@5 and MRR (over the top 10) of one method on the in-scope questions."""

    hit_at_1: float
    hit_at_5: float
    mrr: float
    by_kind: dict[str, float] = field(default_factory=dict)  # hit@1 per question kind


@dataclass
class GroupScores:
    """The answers to one group of questions (a kind, a language, a look-alike type)."""

    questions: int
    key_fact: float | None  # not refused and a key fact in the answer (None: nothing to answer)
    correct: float | None  # ... and an expected document cited
    article: float | None  # an expected article of an expected document cited (None: none named)
    refused: float  # share of the group refused


@dataclass
class EvaluationResult:
    """Everything `cgt-portal eval` reports for one question set."""

    questions: int
    in_scope: int
    out_of_scope: int
    retrieval: dict[str, RetrievalScores]
    # Correct = not refused and a key fact in the answer (the bundled set's measure since v1).
    key_fact_accuracy: float
    key_fact_by_kind: dict[str, float]
    # Stricter: also an expected document cited (the measure of the real-text set).
    correct_accuracy: float
    correct_by_kind: dict[str, float]
    # An expected article cited, over the questions whose answer is a named article.
    article_accuracy: float
    articles_expected: int
    refusal_precision: float
    refusal_recall: float
    false_refusals: int
    citation_validity: float
    citations_checked: int
    answers_citing_expected: float
    by_kind: dict[str, GroupScores]
    by_language: dict[str, GroupScores]
    by_lookalike: dict[str, GroupScores]
    answer_ms_median: float
    answer_ms_p95: float
    seconds: float
    failures: list[dict[str, Any]] = field(default_factory=list)
    # Ids of the questions that passed (correct, or a look-alike refused): diff two runs with them.
    passed: list[str] = field(default_factory=list)
    # How the set was run (a real-text set: documents and passages ingested, ingest seconds).
    setup: dict[str, Any] = field(default_factory=dict)
