"""Print an evaluation: headline numbers, one row per kind of question, the failures."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from retrieval.evaluation.scores import EvaluationResult, GroupScores

KIND_NAMES = {
    "same_language": "same language",
    "cross_language": "cross-language",
    "identifier": "document number",
    "article_reference": "article reference",
    "document_reference": "document reference",
    "traditional": "Traditional Chinese",
    "follow_up": "follow-up",
    "new_topic": "new topic after another",
    "out_of_scope": "look-alike (must refuse)",
}


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def summary_table(result: EvaluationResult, *, title: str | None = None) -> Table:
    """The headline numbers of one set."""
    table = Table(title=title or f"Evaluation on {result.questions} questions")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for method, scores in result.retrieval.items():
        table.add_row(
            f"{method}: hit@1 / hit@5 / MRR",
            f"{scores.hit_at_1:.3f} / {scores.hit_at_5:.3f} / {scores.mrr:.3f}",
        )
    table.add_row("key-fact accuracy (key fact in the answer)", f"{result.key_fact_accuracy:.3f}")
    table.add_row("correct (key fact + expected document cited)", f"{result.correct_accuracy:.3f}")
    if result.articles_expected:
        table.add_row(
            "expected article cited", f"{result.article_accuracy:.3f} ({result.articles_expected})"
        )
    table.add_row(
        "refusal precision / recall",
        f"{result.refusal_precision:.3f} / {result.refusal_recall:.3f}",
    )
    table.add_row("in-scope questions refused", str(result.false_refusals))
    table.add_row(
        "citation validity (quote verbatim)",
        f"{result.citation_validity:.3f} ({result.citations_checked})",
    )
    table.add_row("answers citing an expected document", f"{result.answers_citing_expected:.3f}")
    table.add_row(
        "answer time median / p95", f"{result.answer_ms_median:.0f} / {result.answer_ms_p95:.0f} ms"
    )
    table.add_row("seconds (evaluation)", f"{result.seconds:.1f}")
    for key, value in result.setup.items():
        table.add_row(key.replace("_", " "), str(value))
    return table


def _group_rows(table: Table, groups: dict[str, GroupScores], names: dict[str, str]) -> None:
    for key, g in groups.items():
        table.add_row(
            names.get(key, key),
            str(g.questions),
            _share(g.key_fact),
            _share(g.correct),
            _share(g.article),
            _share(g.refused),
        )


def groups_table(result: EvaluationResult, *, title: str | None = None) -> Table:
    """One row per kind of question, per language and per kind of look-alike."""
    table = Table(title=title or "By kind of question")
    for column in ("questions", "n", "key fact", "+ document", "article", "refused"):
        table.add_column(column, justify="left" if column == "questions" else "right")
    _group_rows(table, result.by_kind, KIND_NAMES)
    table.add_section()
    _group_rows(table, result.by_language, {"zh": "Chinese", "en": "English"})
    if result.by_lookalike:
        table.add_section()
        names = {k: f"look-alike: {k}" for k in result.by_lookalike}
        _group_rows(table, result.by_lookalike, names)
    return table


def _head(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_failures(console: Console, failures: list[dict[str, Any]], *, limit: int = 60) -> None:
    """Each failed question: what was asked, what was expected, how the answer begins."""
    if not failures:
        console.print("No failures.")
        return
    shown = f" (first {limit})" if len(failures) > limit else ""
    console.print(f"[bold]{len(failures)} failures{shown}[/]")
    for f in failures[:limit]:
        console.print(f"[red]{f['id']}[/] [{f['kind']}] {f['problem']}", highlight=False)
        asked = f"{f['previous']} → {f['question']}" if f.get("previous") else f["question"]
        console.print(f"  Q: {asked}", highlight=False)
        if f.get("key_facts"):
            where = ", ".join(f["expected"]) + " " + " ".join(f.get("expected_articles") or [])
            console.print(f"  expected: {' | '.join(f['key_facts'])}  in {where}", highlight=False)
        cited = ", ".join(
            f"{c['document']} {c['article'] or ''}".strip() for c in f.get("cited", [])
        )
        console.print(f"  A ({f['confidence']}): {_head(f['answer'])}", highlight=False)
        if cited:
            console.print(f"  cited: {cited}", highlight=False)
