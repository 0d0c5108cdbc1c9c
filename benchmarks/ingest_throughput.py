"""Ingest throughput against the embedding model's raw throughput on exactly the same passages.

Throughput is counted in vectors: a passage's own, plus one per unit when it has several.

Run: `.venv/bin/python -m benchmarks.ingest_throughput`.
Targets: full ingest >= 0.8x raw embedding throughput; a re-ingest with nothing changed embeds
0 texts.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from benchmarks.common import (
    Target,
    contention_warning,
    cpu_meter,
    environment,
    finish,
    single_thread_reference,
    temporary_components,
)
from knowledge.chunking import chunk_document
from knowledge.documents import SourceDocument
from knowledge.loaders import bundled_sources, load_path
from retrieval.embeddings import EmbeddingModel, make_embeddings
from retrieval.index import passage_spans
from retrieval.indexer import IngestReport
from retrieval.ingest_groups import groups
from retrieval.use_passages import PassageSpans
from web.core.components import Components
from web.settings import Settings

NAME = "ingest_throughput"
RATIO_LIMIT = 0.8
EDIT = "\n\nThis paragraph was added by the ingest benchmark to change the document."


def embedding_calls(documents: Sequence[SourceDocument]) -> list[list[PassageSpans]]:
    """The passages ingest embeds into an empty index, batched into the calls it makes.

    As retrieval.indexer does: groups of about GROUP_PASSAGES passages across documents, each
    passage with its heading, and its units (with their lead-ins) only when it has several.
    """
    calls = []
    for group in groups(documents):
        calls.append([passage_spans(p.document.meta.title, c) for p in group for c in p.chunks])
    return calls


def raw_pass(model: EmbeddingModel, calls: list[list[PassageSpans]]) -> dict[str, float]:
    """Wall and CPU seconds for the model alone to embed the passages of the given calls."""
    with cpu_meter() as numbers:
        for passages in calls:
            model.embed_passages(passages)
    return numbers


def timed_ingest(
    parts: Components, documents: Sequence[SourceDocument]
) -> tuple[dict[str, float], IngestReport]:
    """Wall and CPU seconds of one Indexer.ingest of the bundled origin, and its report."""
    with cpu_meter() as numbers:
        report = parts.indexer.ingest(documents, origin="bundled", prune=True)
    return numbers, report


def _report(seconds: dict[str, float], report: IngestReport) -> dict[str, Any]:
    return {
        "wall_seconds": round(seconds["wall"], 3),
        "cpu_seconds": round(seconds["cpu"], 3),
        "other_processes_cpu_share": seconds.get("other_share"),
        "added": len(report.added),
        "updated": len(report.updated),
        "unchanged": len(report.unchanged),
        "removed": len(report.removed),
        "chunks_embedded": report.chunks_embedded,
        "texts_embedded": report.texts_embedded,
    }


def _walls(passes: list[dict[str, float]]) -> str:
    """Wall seconds of each pass with the share of the CPUs other processes took meanwhile."""
    return ", ".join(f"{p['wall']:.1f} s [others {p.get('other_share', 0):.0%}]" for p in passes)


def _reference(passes: list[dict[str, float]], total: int) -> dict[str, Any] | None:
    if not passes:
        return None
    best = min(passes, key=lambda r: r["wall"])
    return {
        "passes": [{k: round(v, 3) for k, v in r.items()} for r in passes],
        "texts_per_second": round(total / best["wall"], 1),
        "texts_per_cpu_second": round(total / best["cpu"], 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure raw embedding and ingest throughput; non-zero exit when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ingests", type=int, default=2, help="full ingests into empty indexes")
    args = parser.parse_args(argv)
    if args.ingests < 1:
        parser.error("--ingests must be at least 1")
    documents = [load_path(path) for path in bundled_sources()]
    calls = embedding_calls(documents)
    total = sum(1 + len(p.units) for passages in calls for p in passages)  # vectors
    chunks = sum(len(chunk_document(d)) for d in documents)
    model = make_embeddings(Settings(environment="test").embeddings)
    model.embed_array(["warm up"])  # the model loads before any clock starts
    env = environment(model)

    # Raw passes alternate with full ingests (each into its own empty index) and both sides
    # keep their fastest pass: other processes on a 2-core machine slow single passes many
    # times over (see README), and the fastest pass is the best estimate of what the code costs.
    reference = single_thread_reference(model)
    raw = [raw_pass(model, calls)]
    references = [raw_pass(reference, calls)] if reference else []
    ingests: list[tuple[dict[str, float], IngestReport]] = []
    for n in range(args.ingests):
        with temporary_components(embeddings=model) as parts:
            ingests.append(timed_ingest(parts, documents))
            if n == args.ingests - 1:
                same_seconds, same = timed_ingest(parts, documents)
                changed = list(documents)
                changed[0] = SourceDocument(
                    meta=documents[0].meta, text=documents[0].text + EDIT, path=documents[0].path
                )
                one_seconds, one = timed_ingest(parts, changed)
        raw.append(raw_pass(model, calls))
    if reference:
        references.append(raw_pass(reference, calls))

    raw_best = min(raw, key=lambda r: r["wall"])
    ingest_best, first = min(ingests, key=lambda pair: pair[0]["wall"])
    raw_rate = total / raw_best["wall"]
    ingest_rate = first.texts_embedded / ingest_best["wall"]
    ratio = ingest_rate / raw_rate
    matched = float({report.texts_embedded for _, report in ingests} == {total})
    targets = [
        Target("ingest / raw embedding throughput", ratio, RATIO_LIMIT, True),
        Target("texts embedded by ingest == texts computed here", matched, 1, True),
        Target("texts embedded by an unchanged re-ingest", same.texts_embedded, 1, False),
    ]
    results: dict[str, Any] = {
        "benchmark": NAME,
        "environment": env,
        "corpus": {
            "documents": len(documents),
            "chunks": chunks,
            "texts": total,
            "embedding_calls": len(calls),
            "characters": sum(len(p.head) + len(p.text) for passages in calls for p in passages),
        },
        "raw_embedding": {
            "passes": [{k: round(v, 3) for k, v in r.items()} for r in raw],
            "texts_per_second": round(raw_rate, 1),
            "texts_per_cpu_second": round(total / raw_best["cpu"], 1),
        },
        "raw_embedding_1_thread_reference": _reference(references, total),
        "ingest": {
            "passes": [_report(seconds, report) for seconds, report in ingests],
            "texts_per_second": round(ingest_rate, 1),
            "texts_per_cpu_second": round(first.texts_embedded / ingest_best["cpu"], 1),
            "ratio_to_raw": round(ratio, 3),
            "seconds_beyond_raw_embedding": round(ingest_best["wall"] - raw_best["wall"], 3),
        },
        "reingest_unchanged": _report(same_seconds, same),
        "reingest_one_changed": _report(one_seconds, one) | {"document": documents[0].id},
    }
    raw_walls = _walls(raw)
    ingest_walls = _walls([seconds for seconds, _ in ingests])
    summary = [
        f"{len(documents)} documents, {chunks} chunks, {total} texts in {len(calls)} calls; "
        f"{env['cpu_count']} CPUs, embedding threads {env.get('embedding_threads')}, "
        f"load {env['load_average_at_start']}",
        f"raw embedding : {raw_rate:7.1f} texts/s  (best of passes {raw_walls}; "
        f"{total / raw_best['cpu']:.1f} texts per CPU-second)",
        f"full ingest   : {ingest_rate:7.1f} texts/s  (best of passes {ingest_walls}; "
        f"{first.texts_embedded / ingest_best['cpu']:.1f} texts per CPU-second)",
        f"ingest / raw  : {ratio:.2f}  ({ingest_best['wall'] - raw_best['wall']:+.2f} s beyond "
        f"embedding)",
        f"re-ingest, nothing changed : {same_seconds['wall'] * 1000:8.1f} ms, "
        f"{same.texts_embedded} texts embedded",
        f"re-ingest, one doc changed : {one_seconds['wall'] * 1000:8.1f} ms, "
        f"{one.chunks_embedded} chunks / {one.texts_embedded} texts embedded ({documents[0].id})",
    ]
    shares = [r.get("other_share", 0.0) for r in raw + references]
    shares += [s.get("other_share", 0.0) for s, _ in ingests]
    summary += contention_warning(shares)
    if references:
        ref = results["raw_embedding_1_thread_reference"]
        summary.insert(
            2,
            f"  reference, USE with 1 BLAS thread: {ref['texts_per_second']:7.1f} texts/s "
            f"(best of passes {_walls(references)}; "
            f"{ref['texts_per_cpu_second']:.1f} texts per CPU-second)",
        )
    return finish(NAME, results, targets, summary)


if __name__ == "__main__":
    raise SystemExit(main())
