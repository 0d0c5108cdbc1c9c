"""Score each retrieval method and the assistant's answers on a question set."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, TypeAdapter

from knowledge import registry
from knowledge.text import normalize
from retrieval.assistant import Assistant
from retrieval.search import METHODS

DEV_SET = Path(__file__).parent / "dev_questions"

Kind = Literal["same_language", "cross_language", "identifier", "out_of_scope", "follow_up"]


class Question(BaseModel):
    """One question of the set with what a correct answer needs."""

    id: str
    question: str
    language: Literal["zh", "en"]
    kind: Kind
    expected_documents: list[str] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    previous: str | None = None

    @property
    def in_scope(self) -> bool:
        """Whether the knowledge base answers it."""
        return self.kind != "out_of_scope"


def load_questions(path: Path | None = None) -> list[Question]:
    """Read a YAML question file, or every YAML file of a folder (default: the bundled set)."""
    path = path or DEV_SET
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    questions: list[Question] = []
    for file in files:
        questions.extend(
            TypeAdapter(list[Question]).validate_python(yaml.safe_load(file.read_text("utf-8")))
        )
    ids = [q.id for q in questions]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate question ids: {sorted(duplicates)}")
    return questions


@dataclass
class RetrievalScores:
    """Hit@1, hit@5 and MRR (over the top 10) of one method on the in-scope questions."""

    hit_at_1: float
    hit_at_5: float
    mrr: float
    by_kind: dict[str, float] = field(default_factory=dict)  # hit@1 per question kind


@dataclass
class EvaluationResult:
    """Everything `cgt-portal eval` reports."""

    questions: int
    in_scope: int
    out_of_scope: int
    retrieval: dict[str, RetrievalScores]
    key_fact_accuracy: float
    key_fact_by_kind: dict[str, float]
    refusal_precision: float
    refusal_recall: float
    false_refusals: int
    citation_validity: float
    citations_checked: int
    answers_citing_expected: float
    seconds: float
    failures: list[dict[str, Any]] = field(default_factory=list)

    def table(self) -> Any:
        """A rich table of the headline numbers."""
        from rich.table import Table

        table = Table(title=f"Evaluation on {self.questions} questions")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for method, scores in self.retrieval.items():
            table.add_row(
                f"{method}: hit@1 / hit@5 / MRR",
                f"{scores.hit_at_1:.3f} / {scores.hit_at_5:.3f} / {scores.mrr:.3f}",
            )
        table.add_row("key-fact accuracy", f"{self.key_fact_accuracy:.3f}")
        for kind, value in self.key_fact_by_kind.items():
            table.add_row(f"  {kind}", f"{value:.3f}")
        table.add_row(
            "refusal precision / recall",
            f"{self.refusal_precision:.3f} / {self.refusal_recall:.3f}",
        )
        table.add_row("in-scope questions refused", str(self.false_refusals))
        table.add_row(
            "citation validity", f"{self.citation_validity:.3f} ({self.citations_checked})"
        )
        table.add_row("answers citing an expected document", f"{self.answers_citing_expected:.3f}")
        return table


def _contains(text: str, fact: str) -> bool:
    return normalize(fact).casefold() in normalize(text).casefold()


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def evaluate(assistant: Assistant, questions: list[Question]) -> EvaluationResult:
    """Run every retrieval method and the full assistant over the questions."""
    started = time.perf_counter()
    in_scope = [q for q in questions if q.in_scope]
    retrieval: dict[str, RetrievalScores] = {}
    for method in METHODS:
        hits1 = hits5 = reciprocal = 0.0
        kind_hits: dict[str, list[int]] = defaultdict(list)
        for q in in_scope:
            query = f"{q.previous} {q.question}" if q.previous else q.question
            ranked = assistant.retrieve(query, method=method, k=10)
            documents = [assistant.index().by_id[h.passage_id].document_id for h in ranked]
            rank = next((i for i, d in enumerate(documents) if d in q.expected_documents), None)
            hits1 += rank == 0
            hits5 += rank is not None and rank < 5
            reciprocal += 1.0 / (rank + 1) if rank is not None else 0.0
            kind_hits[q.kind].append(int(rank == 0))
        retrieval[method] = RetrievalScores(
            hit_at_1=_ratio(hits1, len(in_scope)),
            hit_at_5=_ratio(hits5, len(in_scope)),
            mrr=_ratio(reciprocal, len(in_scope)),
            by_kind={k: _ratio(sum(v), len(v)) for k, v in sorted(kind_hits.items())},
        )

    texts = {}
    with assistant.sessions() as session:
        texts = {row.id: row.text for row in registry.all_documents(session=session)}
    correct: dict[str, list[int]] = defaultdict(list)
    refused_out = refused_in = 0
    citations_total = citations_valid = 0
    citing_expected = 0
    failures: list[dict[str, Any]] = []
    for q in questions:
        answer = assistant.answer(q.question, context=q.previous)
        for citation in answer.citations:
            citations_total += 1
            citations_valid += citation.quote in texts.get(citation.document_id, "")
        if not q.in_scope:
            refused_out += answer.refused
            if not answer.refused:
                failures.append({"id": q.id, "problem": "answered out of scope",
                                 "answer": answer.answer})  # fmt: skip
            continue
        refused_in += answer.refused
        ok = not answer.refused and any(_contains(answer.answer, f) for f in q.key_facts)
        correct[q.kind].append(int(ok))
        cited = {c.document_id for c in answer.citations}
        citing_expected += bool(cited & set(q.expected_documents))
        if not ok:
            failures.append(
                {"id": q.id, "question": q.question, "key_facts": q.key_facts,
                 "problem": "refused" if answer.refused else "key fact missing",
                 "confidence": round(answer.confidence, 3), "answer": answer.answer,
                 "cited": sorted(cited), "expected": q.expected_documents}
            )  # fmt: skip
    out_of_scope = len(questions) - len(in_scope)
    all_correct = [v for values in correct.values() for v in values]
    return EvaluationResult(
        questions=len(questions),
        in_scope=len(in_scope),
        out_of_scope=out_of_scope,
        retrieval=retrieval,
        key_fact_accuracy=_ratio(sum(all_correct), len(all_correct)),
        key_fact_by_kind={k: _ratio(sum(v), len(v)) for k, v in sorted(correct.items())},
        refusal_precision=_ratio(refused_out, refused_out + refused_in),
        refusal_recall=_ratio(refused_out, out_of_scope),
        false_refusals=refused_in,
        citation_validity=_ratio(citations_valid, citations_total),
        citations_checked=citations_total,
        answers_citing_expected=_ratio(citing_expected, len(in_scope)),
        seconds=round(time.perf_counter() - started, 2),
        failures=failures,
    )
