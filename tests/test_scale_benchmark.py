"""The pure parts of the scale benchmark: the corpus selection, the recall count and the SVG."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest

from benchmarks.scale import corpus
from benchmarks.scale.chart import Panel, Series, nice_ticks, scale_panels, svg
from benchmarks.scale.measure import hnsw_recall
from benchmarks.scale.product import process_memory_mb

SVG = "{http://www.w3.org/2000/svg}"


def files(*pairs: tuple[str, int]) -> list[corpus.CorpusFile]:
    return [corpus.CorpusFile(path, chars) for path, chars in pairs]


LIBRARY = files(
    *((f"行政法规/条例{i:03d}(2020-01-01).md", 1000) for i in range(60)),
    ("行政法/中医药法(2016-12-25).md", 5000),
    ("民法商法/中医药法(2016-12-25).md", 5000),  # the same file name in another folder
    ("行政法规/_index.md", 10),
    ("法律法规模版.md", 10),
)


def test_selection_starts_with_the_development_texts_and_stops_after_the_budget() -> None:
    chosen = corpus.select(
        LIBRARY, passages=10, first=["行政法/中医药法(2016-12-25).md"], chars_per_passage=300
    )

    assert chosen[0].path == "行政法/中医药法(2016-12-25).md"
    # 10 passages x 300 characters = 3000: the 5000-character text alone crosses the budget.
    assert len(chosen) == 1


def test_a_smaller_selection_is_a_prefix_of_a_larger_one_and_repeats_exactly() -> None:
    small = corpus.select(LIBRARY, passages=50, chars_per_passage=100)
    large = corpus.select(LIBRARY, passages=200, chars_per_passage=100)

    assert large[: len(small)] == small
    assert len(small) < len(large)
    assert corpus.select(LIBRARY, passages=200, chars_per_passage=100) == large
    assert corpus.selection_digest(large) != corpus.selection_digest(small)


def test_selection_leaves_out_held_out_index_template_and_duplicate_names() -> None:
    held = "行政法规/条例007(2020-01-01).md"
    everything = corpus.select(LIBRARY, passages=None, held_out=[held])
    paths = [f.path for f in everything]

    assert held not in paths
    assert not any(p.endswith("_index.md") or "/" not in p for p in paths)
    assert sum(p.endswith("中医药法(2016-12-25).md") for p in paths) == 1
    assert len(paths) == 60  # 59 regulations + one of the two same-named laws


def test_selection_mixes_the_rest_instead_of_taking_them_in_path_order() -> None:
    chosen = [f.path for f in corpus.select(LIBRARY, passages=None)]

    assert chosen != sorted(chosen)


def test_the_change_documents_and_questions_come_from_the_real_text_set() -> None:
    questions = corpus.questions()

    assert len(questions) >= 100  # enough for the 100 measured questions
    assert all(q.text for q in questions)
    assert corpus.CHANGE_BY_API.path not in corpus.development_documents()
    assert corpus.CHANGE_BY_CLI.path not in corpus.development_documents()


def test_another_sets_questions_are_read_from_all_its_question_files() -> None:
    """`benchmarks.scale.kept --questions` reads the second set's files (not part*.yaml),
    never its corpus.yaml, and leaves out follow-ups, which need their previous turn."""
    folder = corpus.REAL_SET.parent / "real_texts_b"
    questions = corpus.questions(folder, "*.yaml")

    assert len(questions) >= 59 and all(q.text for q in questions)
    assert {q.id.split("-")[0] for q in questions} == {"b"}
    assert corpus.questions(folder) == []  # it has no part*.yaml


class ExactCollection:
    """A stand-in for a Chroma collection whose search returns given ids."""

    def __init__(self, answers: list[list[str]]) -> None:
        self.answers = answers
        self.configuration = {"hnsw": {"space": "cosine"}}

    def query(self, **_: Any) -> dict[str, Any]:
        return {"ids": self.answers}


def test_recall_counts_the_exact_neighbours_that_the_index_found() -> None:
    matrix = np.eye(4, dtype=np.float32)
    ids = ["a", "b", "c", "d"]
    queries = np.array([[1, 0.5, 0, 0], [0, 0, 1, 0.4]], dtype=np.float32)

    perfect = hnsw_recall(ExactCollection([["a", "b"], ["c", "d"]]), ids, matrix, queries, k=2)
    half = hnsw_recall(ExactCollection([["a", "c"], ["c", "d"]]), ids, matrix, queries, k=2)

    assert perfect["recall_mean"] == 1.0
    assert half["recall_mean"] == 0.75
    assert half["recall_min"] == 0.5
    assert half["queries_below_1"] == 1


def test_ticks_are_round_and_cover_the_highest_value() -> None:
    assert nice_ticks(37) == [0, 10, 20, 30, 40]
    assert nice_ticks(61_234)[-1] >= 61_234
    assert nice_ticks(0) == [0.0, 1.0]


def test_svg_is_well_formed_with_one_line_per_series_and_escaped_names() -> None:
    panel = Panel(
        "memory <MB> & more",
        "MB",
        (Series("idle", ((10_000, 900), (30_000, 1900))), Series("a<b", ((10_000, 450),))),
    )

    root = ET.fromstring(svg([panel, panel], caption="before & after"))

    assert len(root.findall(f"{SVG}polyline")) == 4
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "memory <MB> & more" in texts
    assert "a<b" in texts
    assert "before & after" in texts


def result(label: str | None, passages: int, rss: float) -> dict[str, Any]:
    memory = {"VmRSS": rss, "VmHWM": rss * 2}
    return {
        "label": label,
        "passages": passages,
        "memory_mb": {"idle": memory, "after_questions": memory, "end": memory},
        "answer_ms": {"p50": 10.0, "p95": 20.0},
        "query_embedding_ms": {"p50": 2.0},
    }


def test_panels_draw_each_label_as_its_own_lines_with_before_dashed() -> None:
    memory, latency = scale_panels(
        [result("before", 10_000, 900), result("before", 30_000, 1900), result(None, 10_000, 450)]
    )

    before = [s for s in memory.series if s.name.endswith("(before)")]
    current = [s for s in memory.series if s.name.endswith("(current)")]
    assert {len(s.points) for s in before} == {2}
    assert all(s.dashed for s in before) and not any(s.dashed for s in current)
    assert (10_000.0, 1800.0) in next(s for s in before if s.name.startswith("peak")).points
    assert len(latency.series) == 6


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux /proc only")
def test_memory_of_a_running_process_is_read_from_proc() -> None:
    memory = process_memory_mb(os.getpid())

    assert 0 < memory["VmRSS"] <= memory["VmHWM"]
