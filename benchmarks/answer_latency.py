"""How long the assistant takes to answer, stage by stage, against the query-embedding floor.

Run: `.venv/bin/python -m benchmarks.answer_latency [--repetitions N]`.
Targets: p95 of Assistant.answer < 1 s; p50 of Assistant.answer <= 3x p50 of embed_array([q]).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from typing import Any

from benchmarks.common import (
    Target,
    contention_warning,
    cpu_meter,
    environment,
    finish,
    single_thread_reference,
    summary_ms,
    temporary_components,
    timed,
)
from knowledge.documents import SourceDocument
from knowledge.glossary import find_chinese, find_english
from knowledge.loaders import bundled_sources, load_path
from retrieval.assistant import Timings
from retrieval.embeddings import EmbeddingModel
from retrieval.evaluation.run import Question, load_questions
from retrieval.index import KnowledgeIndex
from retrieval.search import FusionWeights
from web.core.components import Components, ingest_bundled

NAME = "answer_latency"
P95_ANSWER_LIMIT_S = 1.0
FLOOR_MULTIPLE = 3.0
WARM_QUESTION = "What does the center offer?"
EDIT = "\n\nThis paragraph was added by the answer-latency benchmark."
# What hybrid search asks of each part (retrieval.search.Searcher._hybrid).
CANDIDATES = FusionWeights().candidates
VECTOR_K = CANDIDATES + 8


def measure_question(
    parts: Components,
    index: KnowledgeIndex,
    q: Question,
    reference: EmbeddingModel | None,
    samples: dict[str, list[float]],
) -> None:
    """Time one question through the assistant and each part alone; append to samples."""
    assistant = parts.assistant
    # answer() leaves last_timings untouched when it refuses before embedding.
    assistant.last_timings = Timings()
    seconds, answer = timed(lambda: assistant.answer(q.question, context=q.previous))
    samples["answer"].append(seconds)
    stages = assistant.last_timings
    if stages != Timings():
        samples["answer_embed"].append(stages.embed)
        samples["answer_search"].append(stages.search)
        samples["answer_compose"].append(stages.compose)
        samples["answer_other"].append(seconds - stages.embed - stages.search - stages.compose)
        samples["answer_refused" if answer.refused else "answer_answered"].append(seconds)

    seconds, vectors = timed(lambda: parts.embeddings.embed_array([q.question]))
    samples["embed_floor"].append(seconds)
    if reference is not None:
        seconds, _ = timed(lambda: reference.embed_array([q.question]))
        samples["embed_floor_1_thread"].append(seconds)
    vector = vectors[0].tolist()
    seconds, _ = timed(lambda: parts.vector_store.search(vector, k=VECTOR_K))
    samples["vector_search"].append(seconds)
    seconds, _ = timed(lambda: index.keyword.search(q.question, CANDIDATES))
    samples["bm25_search"].append(seconds)
    seconds, _ = timed(lambda: assistant.ask(q.question))
    samples["ask"].append(seconds)


def answers_after_change(parts: Components, question: str, times: int = 3) -> list[float]:
    """Latency of the first answer after the knowledge base changed (the index reloads in it)."""
    documents = [load_path(path) for path in bundled_sources()]
    seconds = []
    for n in range(times):
        edited = list(documents)
        edited[0] = SourceDocument(
            meta=documents[0].meta, text=f"{documents[0].text}{EDIT} ({n})", path=documents[0].path
        )
        parts.indexer.ingest(edited, origin="bundled", prune=True)
        time.sleep(parts.assistant.config.reload_interval)  # let the assistant look again
        seconds.append(timed(lambda: parts.assistant.answer(question))[0])
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Measure answer latency over the development set; non-zero exit when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)

    with temporary_components() as parts:
        env = environment(parts.embeddings)
        ingest_seconds, report = timed(lambda: ingest_bundled(parts))
        assistant = parts.assistant
        load_seconds, index = timed(assistant.index)
        assistant.answer(WARM_QUESTION)
        assistant.ask(WARM_QUESTION)
        questions = load_questions()
        reference = single_thread_reference(parts.embeddings)

        samples: dict[str, list[float]] = defaultdict(list)
        with cpu_meter() as machine:
            for _ in range(args.repetitions):
                for q in questions:
                    measure_question(parts, index, q, reference, samples)
        short_circuited = len(samples["answer"]) - len(samples["answer_embed"])
        for _ in range(args.repetitions):
            for q in questions:  # the glossary terms of a question, looked up in both languages
                seconds, _ = timed(lambda q=q: (find_english(q.question), find_chinese(q.question)))
                samples["glossary_lookup"].append(seconds)
        samples["answer_after_change"] = answers_after_change(parts, questions[0].question)

    stats = {key: summary_ms(values) for key, values in samples.items()}
    answer_stats, floor_stats = stats["answer"], stats["embed_floor"]
    targets = [
        Target("p95 answer latency (s)", answer_stats["p95"] / 1000, P95_ANSWER_LIMIT_S, False),
        Target(
            "p50 answer / p50 query-embedding floor",
            answer_stats["p50"] / floor_stats["p50"],
            FLOOR_MULTIPLE,
            False,
        ),
        Target("p95 glossary lookup of a question (ms)", stats["glossary_lookup"]["p95"], 1, False),
    ]
    results: dict[str, Any] = {
        "benchmark": NAME,
        "environment": env,
        "setup": {
            "documents": len(report.added),
            "passages": index.size,
            "ingest_seconds": round(ingest_seconds, 2),
            "index_load_seconds": round(load_seconds, 3),
            "questions": len(questions),
            "repetitions": args.repetitions,
            "vector_search_k": VECTOR_K,
            "bm25_k": CANDIDATES,
            "answers_without_stage_timings": short_circuited,
            "measuring_seconds": round(machine["wall"], 1),
            "other_processes_cpu_share": machine.get("other_share"),
        },
        "latency_ms": stats,
    }
    labels = {
        "answer": "Assistant.answer (total)",
        "answer_embed": "  stage: query embedding",
        "answer_search": "  stage: search (vector + BM25 + fusion)",
        "answer_compose": "  stage: composition (incl. refusal gate)",
        "answer_other": "  rest (language, scope checks, gate on refusals)",
        "answer_answered": "  answered questions only",
        "answer_refused": "  refused questions only",
        "embed_floor": "embed_array([question]) floor",
        "embed_floor_1_thread": "  reference: same, USE with 1 BLAS thread",
        "vector_search": f"VectorStore.search k={VECTOR_K}",
        "bm25_search": f"KeywordIndex.search k={CANDIDATES}",
        "ask": "Assistant.ask (answer + persist turn)",
        "answer_after_change": "first answer after a knowledge-base change",
        "glossary_lookup": "glossary terms of a question (English + Chinese)",
    }
    summary = [
        f"{len(questions)} questions x {args.repetitions} repetitions, {index.size} "
        f"passages; python {env['python']}, numpy {env['numpy']}, {env['cpu_count']} CPUs, "
        f"load {env['load_average_at_start']}",
        f"{'measurement':52} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}",
    ]
    for key, label in labels.items():
        s = stats.get(key)
        if s and s["n"]:
            summary.append(f"{label:52} {s['p50']:9.2f} {s['p95']:9.2f} {s['max']:9.2f}")
    summary += contention_warning([machine.get("other_share", 0.0)])
    return finish(NAME, results, targets, summary)


if __name__ == "__main__":
    raise SystemExit(main())
