"""Score each retrieval method and the assistant's answers on a question set."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge import registry
from knowledge.text import normalize
from retrieval.assistant import Assistant
from retrieval.cited_answer import Answer, Citation
from retrieval.evaluation.questions import DEV_SET, KINDS, Kind, Question, load_questions
from retrieval.evaluation.scores import EvaluationResult, GroupScores, RetrievalScores
from retrieval.search import METHODS

__all__ = [
    "DEV_SET",
    "KINDS",
    "EvaluationResult",
    "GroupScores",
    "Kind",
    "Question",
    "RetrievalScores",
    "evaluate",
    "load_questions",
]


def _contains(text: str, fact: str) -> bool:
    return normalize(fact).casefold() in normalize(text).casefold()


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def citation_article(citation: Citation) -> str | None:
    """The article a citation points at, as written ("第十九条"), when the source has articles."""
    # `article_label` is the name the legal-structure work settles on; `article` came first.
    label = getattr(citation, "article_label", None) or getattr(citation, "article", None)
    return str(label) if label else None


def cites_article(answer: Answer, documents: Iterable[str], articles: Iterable[str]) -> bool:
    """Whether the answer cites one of the articles in one of the documents."""
    documents, articles = set(documents), list(articles)
    for citation in answer.citations:
        label = citation_article(citation)
        if citation.document_id in documents and label:
            # "第十九条第一款" cites 第十九条; "第一百条" does not cite 第一条.
            if any(
                label == a or (label.startswith(a) and not label.startswith(a + "之"))
                for a in articles
            ):
                return True
    return False


def _retrieval(assistant: Assistant, in_scope: list[Question]) -> dict[str, RetrievalScores]:
    scores: dict[str, RetrievalScores] = {}
    index = assistant.index()
    for method in METHODS:
        hits1 = hits5 = reciprocal = 0.0
        kind_hits: dict[str, list[int]] = defaultdict(list)
        for q in in_scope:
            # a follow-up is searched with its previous turn, a new topic on its own
            query = f"{q.previous} {q.question}" if q.kind == "follow_up" else q.question
            ranked = assistant.retrieve(query, method=method, k=10)
            found = index.passages(h.passage_id for h in ranked)
            documents = [found[h.passage_id].document_id for h in ranked if h.passage_id in found]
            rank = next((i for i, d in enumerate(documents) if d in q.expected_documents), None)
            hits1 += rank == 0
            hits5 += rank is not None and rank < 5
            reciprocal += 1.0 / (rank + 1) if rank is not None else 0.0
            kind_hits[q.kind].append(int(rank == 0))
        scores[method] = RetrievalScores(
            hit_at_1=_ratio(hits1, len(in_scope)),
            hit_at_5=_ratio(hits5, len(in_scope)),
            mrr=_ratio(reciprocal, len(in_scope)),
            by_kind={k: _ratio(sum(v), len(v)) for k, v in sorted(kind_hits.items())},
        )
    return scores


@dataclass
class _Outcome:
    question: Question
    answer: Answer
    key_fact: bool = False
    correct: bool = False
    article: bool | None = None


def _group(outcomes: list[_Outcome]) -> GroupScores:
    answerable = [o for o in outcomes if o.question.in_scope]
    named = [o for o in answerable if o.article is not None]
    return GroupScores(
        questions=len(outcomes),
        key_fact=_ratio(sum(o.key_fact for o in answerable), len(answerable))
        if answerable
        else None,
        correct=_ratio(sum(o.correct for o in answerable), len(answerable)) if answerable else None,
        article=_ratio(sum(bool(o.article) for o in named), len(named)) if named else None,
        refused=_ratio(sum(o.answer.refused for o in outcomes), len(outcomes)),
    )


def _failure(o: _Outcome, texts: dict[str, str]) -> dict[str, Any] | None:
    q, answer = o.question, o.answer
    if not q.in_scope:
        if answer.refused:
            return None
        problem = "answered out of scope"
    elif answer.refused:
        problem = "refused"
    elif not o.key_fact:
        problem = "key fact missing"
    elif not o.correct:
        problem = "expected document not cited"
    elif o.article is False:
        problem = "expected article not cited"
    else:
        return None
    return {
        "id": q.id,
        "kind": q.kind,
        "language": q.language,
        "problem": problem,
        "question": q.question,
        "previous": q.previous,
        "lookalike": q.lookalike,
        "key_facts": q.key_facts,
        "expected": q.expected_documents,
        "expected_articles": q.expected_articles,
        "confidence": round(answer.confidence, 3),
        "answer": answer.answer,
        "cited": [
            {
                "document": c.document_id,
                "article": citation_article(c),
                "verbatim": c.quote in texts.get(c.document_id, ""),
            }
            for c in answer.citations
        ],
    }


def evaluate(assistant: Assistant, questions: list[Question]) -> EvaluationResult:
    """Run every retrieval method and the full assistant over the questions."""
    started = time.perf_counter()
    in_scope = [q for q in questions if q.in_scope]
    retrieval = _retrieval(assistant, in_scope)
    with assistant.sessions() as session:
        texts = {row.id: row.text for row in registry.all_documents(session=session)}
    outcomes: list[_Outcome] = []
    latencies: list[float] = []
    citations_total = citations_valid = 0
    for q in questions:
        asked = time.perf_counter()
        answer = assistant.answer(q.question, context=q.previous)
        latencies.append(time.perf_counter() - asked)
        for citation in answer.citations:
            citations_total += 1
            citations_valid += citation.quote in texts.get(citation.document_id, "")
        o = _Outcome(q, answer)
        if q.in_scope and not answer.refused:
            o.key_fact = any(_contains(answer.answer, f) for f in q.key_facts)
            cited = {c.document_id for c in answer.citations}
            o.correct = o.key_fact and bool(cited & set(q.expected_documents))
        if q.in_scope and q.expected_articles:
            o.article = not answer.refused and cites_article(
                answer, q.expected_documents, q.expected_articles
            )
        outcomes.append(o)

    answerable = [o for o in outcomes if o.question.in_scope]
    refused_out = sum(o.answer.refused for o in outcomes if not o.question.in_scope)
    refused_in = sum(o.answer.refused for o in answerable)
    named = [o for o in answerable if o.article is not None]
    kinds: dict[str, list[_Outcome]] = defaultdict(list)
    languages: dict[str, list[_Outcome]] = defaultdict(list)
    lookalikes: dict[str, list[_Outcome]] = defaultdict(list)
    for o in outcomes:
        kinds[o.question.kind].append(o)
        languages[o.question.language].append(o)
        if not o.question.in_scope:
            lookalikes[o.question.lookalike or "unlabelled"].append(o)
    by_kind = {k: _group(kinds[k]) for k in KINDS if k in kinds}
    cited_expected = sum(
        bool({c.document_id for c in o.answer.citations} & set(o.question.expected_documents))
        for o in answerable
    )
    ms = sorted(1000 * s for s in latencies) or [0.0]
    failures = [_failure(o, texts) for o in outcomes]
    return EvaluationResult(
        questions=len(questions),
        in_scope=len(in_scope),
        out_of_scope=len(questions) - len(in_scope),
        retrieval=retrieval,
        key_fact_accuracy=_ratio(sum(o.key_fact for o in answerable), len(answerable)),
        key_fact_by_kind={k: g.key_fact for k, g in by_kind.items() if g.key_fact is not None},
        correct_accuracy=_ratio(sum(o.correct for o in answerable), len(answerable)),
        correct_by_kind={k: g.correct for k, g in by_kind.items() if g.correct is not None},
        article_accuracy=_ratio(sum(bool(o.article) for o in named), len(named)),
        articles_expected=len(named),
        refusal_precision=_ratio(refused_out, refused_out + refused_in),
        refusal_recall=_ratio(refused_out, len(questions) - len(in_scope)),
        false_refusals=refused_in,
        citation_validity=_ratio(citations_valid, citations_total),
        citations_checked=citations_total,
        answers_citing_expected=_ratio(cited_expected, len(answerable)),
        by_kind=by_kind,
        by_language={k: _group(v) for k, v in sorted(languages.items())},
        by_lookalike={k: _group(v) for k, v in sorted(lookalikes.items())},
        answer_ms_median=round(statistics.median(ms), 1),
        answer_ms_p95=round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        seconds=round(time.perf_counter() - started, 2),
        failures=[f for f in failures if f],
        passed=[o.question.id for o, f in zip(outcomes, failures, strict=True) if not f],
    )
