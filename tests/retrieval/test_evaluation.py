"""The question sets are honest (facts verbatim in the answering article) and the harness runs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from retrieval.evaluation.questions import KINDS, load_questions
from retrieval.evaluation.real_set import (
    REAL_SET,
    CorpusMissing,
    RealSet,
    corpus_root,
    find_corpus,
    load_real_set,
)
from retrieval.evaluation.run import EvaluationResult
from retrieval.search import METHODS

_ARTICLE = re.compile(
    r"^(第[一二三四五六七八九十百零〇]+条(?:之[一二三四五六七八九十]+)?)[\s\u3000]"
)


@pytest.fixture(scope="module")
def real_set() -> RealSet:
    """The development set over real texts."""
    return load_real_set()


@pytest.fixture(scope="module")
def laws(real_set: RealSet) -> Path:
    """The unpacked corpus, or a skip that says where it comes from."""
    try:
        return corpus_root(real_set)
    except CorpusMissing as missing:
        pytest.skip(str(missing))


def _articles(text: str) -> dict[str, str]:
    """Each article's block: its `第X条` line and the lines up to the next article or heading."""
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.split("<!-- INFO END -->")[-1].splitlines():
        if match := _ARTICLE.match(line):
            current = match.group(1)
            blocks[current] = [line]
        elif line.startswith("#"):
            current = None
        elif current:
            blocks[current].append(line)
    return {label: "\n".join(lines) for label, lines in blocks.items()}


def test_real_set_questions_are_well_formed(real_set: RealSet) -> None:
    questions = real_set.questions
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))
    assert len(questions) >= 120
    assert {q.kind for q in questions} <= set(KINDS)
    lookalikes = [q for q in questions if q.kind == "out_of_scope"]
    assert len(lookalikes) >= 15
    assert all(not q.key_facts and not q.expected_documents and q.lookalike for q in lookalikes)
    answerable = [q for q in questions if q.in_scope]
    assert all(q.key_facts and q.expected_documents and q.expected_articles for q in answerable)
    assert all(set(q.expected_documents) <= set(real_set.documents) for q in questions)
    per_text = Counter(d for q in answerable for d in q.expected_documents)
    assert len(per_text) >= 25
    assert sum(n >= 3 for n in per_text.values()) >= 25
    kinds = Counter(q.kind for q in questions)
    for kind in ("cross_language", "article_reference", "document_reference", "traditional"):
        assert kinds[kind] >= 5, kind


def test_every_question_file_in_the_repository_loads() -> None:
    assert len(load_questions()) >= 80  # the bundled set
    assert len(load_questions(REAL_SET)) == len(load_real_set().questions)


def test_expected_articles_and_key_facts_are_verbatim_in_the_corpus(
    real_set: RealSet, laws: Path
) -> None:
    problems: list[str] = []
    for q in real_set.questions:
        # Two documents may both have a 第十一条: keep each document's articles apart.
        per_document = [
            _articles((laws / path).read_text("utf-8")) for path in q.expected_documents
        ]
        labels = q.expected_articles
        answering = "\n".join(arts.get(label, "") for arts in per_document for label in labels)
        problems += [
            f"{q.id}: no {label}" for label in labels if not any(label in a for a in per_document)
        ]
        problems += [
            f"{q.id}: {fact!r} not in its article" for fact in q.key_facts if fact not in answering
        ]
    assert not problems, problems


def test_missing_corpus_says_where_it_comes_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CGT_PORTAL_CORPUS", str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("retrieval.evaluation.real_set._REPO", tmp_path / "repo")
    with pytest.raises(CorpusMissing, match=r"shared/corpus/README\.md"):
        find_corpus("lawrefbook-laws.tar.xz", "Laws")


def test_real_set_evaluation_runs_end_to_end_on_a_few_texts(laws: Path, use_model) -> None:  # type: ignore[no-untyped-def]
    from web.cli.evaluation import evaluate_real_set

    documents = ["行政法/献血法(1997-12-29).md", "行政法规/放射性药品管理办法(2017-03-01).md"]
    picked = [
        "real-blood-zh-01",
        "real-blood-en-01",
        "real-ref-blood-01",
        "real-doc-blood-01",
        "real-fu-radio-01",
        "real-oos-12",
        "real-oos-01",
    ]
    result = evaluate_real_set(documents=documents, question_ids=picked, embeddings=use_model)
    assert isinstance(result, EvaluationResult)
    assert result.questions == len(picked)
    assert result.out_of_scope == 2
    assert set(result.retrieval) == set(METHODS)
    assert {"same_language", "cross_language", "article_reference", "out_of_scope"} <= set(
        result.by_kind
    )
    assert 0.0 <= result.correct_accuracy <= result.key_fact_accuracy <= 1.0
    assert sorted(result.passed + [f["id"] for f in result.failures]) == sorted(picked)


def test_eval_command_without_the_corpus_exits_2_and_names_its_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from web.cli import app

    monkeypatch.setenv("CGT_PORTAL_CORPUS", str(tmp_path / "nowhere"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("retrieval.evaluation.real_set._REPO", tmp_path / "repo")
    outcome = CliRunner().invoke(app, ["eval", "--set", "real"], env={"COLUMNS": "200"})
    assert outcome.exit_code == 2
    assert "shared/corpus/README.md" in outcome.output
