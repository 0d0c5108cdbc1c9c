"""HNSW recall of the Chroma collection against exact cosine search over the same vectors.

Run: `.venv/bin/python -m benchmarks.retrieval_recall [--random N]`.
Target: recall@5 >= 0.95 on the development questions.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from benchmarks.common import (
    Target,
    contention_warning,
    cpu_meter,
    environment,
    finish,
    summary_ms,
    temporary_components,
    timed,
)
from retrieval.evaluation.run import load_questions
from retrieval.vector_store import HNSW, VectorStore
from web.core.components import ingest_bundled

NAME = "retrieval_recall"
RECALL_AT_5_LIMIT = 0.95
KS = (5, 10)
SEED = 20240501


def exact_top(matrix: np.ndarray, ids: list[str], vector: np.ndarray, k: int) -> list[str]:
    """The k chunk ids of highest cosine similarity (matrix rows are unit vectors)."""
    scores = matrix @ vector
    top = np.argpartition(-scores, k - 1)[:k]
    return [ids[i] for i in top[np.argsort(-scores[top])]]


def measure(
    store: VectorStore, matrix: np.ndarray, ids: list[str], queries: np.ndarray
) -> dict[str, Any]:
    """Recall@k of Chroma against exact search, and the latency of each, over query vectors."""
    k = max(KS)
    overlaps: dict[int, list[float]] = {n: [] for n in KS}
    chroma_seconds, exact_seconds, worst = [], [], []
    for vector in queries:
        as_list = vector.tolist()
        seconds, hits = timed(lambda v=as_list: store.search(v, k=k))
        chroma_seconds.append(seconds)
        seconds, exact = timed(lambda v=vector: exact_top(matrix, ids, v, k))
        exact_seconds.append(seconds)
        approximate = [h.chunk_id for h in hits]
        for n in KS:
            overlaps[n].append(len(set(approximate[:n]) & set(exact[:n])) / n)
        worst.append(overlaps[5][-1])
    latency = {"chroma": summary_ms(chroma_seconds), "exact_numpy": summary_ms(exact_seconds)}
    return {
        "queries": len(queries),
        **{f"recall_at_{n}": round(float(np.mean(v)), 4) for n, v in overlaps.items()},
        "queries_with_recall_at_5_below_1": int(sum(r < 1 for r in worst)),
        "latency_ms": latency,
    }


def main(argv: list[str] | None = None) -> int:
    """Measure HNSW recall and query latency; non-zero exit when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--random", type=int, default=500, help="random unit query vectors")
    args = parser.parse_args(argv)

    with temporary_components() as parts:
        env = environment(parts.embeddings)
        ingest_seconds, _ = timed(lambda: ingest_bundled(parts))
        index = parts.assistant.index()
        passages = [p for doc in sorted(index.documents) for p in index.document_passages(doc)]
        ids = [p.id for p in passages]
        vectors = np.vstack([p.vector for p in passages])
        matrix = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        stored = parts.vector_store.ids()
        questions = load_questions()
        question_vectors = parts.embeddings.embed_array([q.question for q in questions])
        rng = np.random.default_rng(SEED)
        random_vectors = rng.standard_normal((args.random, matrix.shape[1])).astype(np.float32)
        random_vectors /= np.linalg.norm(random_vectors, axis=1, keepdims=True)
        with cpu_meter() as machine:
            dev = measure(parts.vector_store, matrix, ids, question_vectors)
            random = measure(parts.vector_store, matrix, ids, random_vectors)
        try:  # the configuration Chroma actually applied, read without touching the store
            applied = parts.vector_store._collection.configuration_json
        except Exception as error:  # informational only
            applied = {"unavailable": repr(error)}

    targets = [Target("recall@5 on dev questions", dev["recall_at_5"], RECALL_AT_5_LIMIT, True)]
    results: dict[str, Any] = {
        "benchmark": NAME,
        "environment": env,
        "index": {
            "passages": len(ids),
            "dimensions": int(matrix.shape[1]),
            "chroma_ids_match_index": stored == set(ids),
            "hnsw_requested": HNSW,
            "chroma_configuration": applied,
            "ingest_seconds": round(ingest_seconds, 2),
        },
        "dev_questions": dev,
        "random_unit_vectors": random | {"seed": SEED},
        "measuring_seconds": round(machine["wall"], 2),
        "other_processes_cpu_share": machine.get("other_share"),
    }
    summary = [
        f"{len(ids)} passages x {matrix.shape[1]}-d, HNSW {HNSW}; Chroma ids match index: "
        f"{stored == set(ids)}; load {env['load_average_at_start']}",
        f"{'query set':28} {'R@5':>6} {'R@10':>6} "
        f"{'chroma p50/p95 ms':>19} {'exact p50/p95 ms':>18}",
    ]
    for label, r in (
        (f"dev questions ({dev['queries']})", dev),
        (f"random unit vectors ({random['queries']})", random),
    ):
        c, e = r["latency_ms"]["chroma"], r["latency_ms"]["exact_numpy"]
        summary.append(
            f"{label:28} {r['recall_at_5']:6.3f} {r['recall_at_10']:6.3f} "
            f"{c['p50']:8.3f} / {c['p95']:7.3f} {e['p50']:8.3f} / {e['p95']:7.3f}"
        )
    summary += contention_warning([machine.get("other_share", 0.0)])
    return finish(NAME, results, targets, summary)


if __name__ == "__main__":
    raise SystemExit(main())
