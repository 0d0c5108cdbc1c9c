"""Measurements in the benchmark's own process: the embedding model and the Chroma collection.

The model is the one the portal's settings name (so the floor and the raw throughput are those
of the served worker's model); the collection is read with chromadb directly, after the server
has stopped, so nothing here depends on how the retrieval core searches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 128  # texts per embedding call in the raw throughput


def embedding_model() -> Any:
    """The embedding model the portal's settings select (CGT_PORTAL_EMBEDDINGS, threads)."""
    from retrieval.embeddings import make_embeddings
    from web.settings import Settings

    settings = Settings()
    return make_embeddings(settings.embeddings, threads=settings.embedding_threads)


def query_floor(model: Any, questions: Sequence[str]) -> list[float]:
    """Seconds to embed each question alone (after a warm-up): the floor of any answer."""
    model.embed_array(["预热 warm up"])
    seconds = []
    for question in questions:
        started = time.perf_counter()
        model.embed_array([question])
        seconds.append(time.perf_counter() - started)
    return seconds


def raw_throughput(model: Any, texts: Sequence[str], batch: int = BATCH) -> dict[str, Any]:
    """Passages per second of the model alone, in batches, over the given passage texts."""
    model.embed_array(list(texts[:8]))
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        model.embed_array(list(texts[start : start + batch]))
    seconds = time.perf_counter() - started
    return {
        "passages": len(texts),
        "batch": batch,
        "seconds": round(seconds, 2),
        "passages_per_second": round(len(texts) / seconds, 1) if seconds else None,
    }


def open_collection(chroma_path: Path | None = None, client: Any = None) -> Any:
    """The store's passage collection (named `…-chunks-…`, else the largest one): the embedded
    store in chroma_path, or the collection a Chroma server's client holds."""
    if client is None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=str(chroma_path), settings=ChromaSettings(anonymized_telemetry=False)
        )
    collections = [client.get_collection(c.name) for c in client.list_collections()]
    if not collections:
        raise RuntimeError(f"no Chroma collection in {chroma_path or client}")
    passages = [c for c in collections if "-chunks-" in c.name] or collections
    return max(passages, key=lambda c: c.count())


def stored_vectors(collection: Any, page: int = 5000) -> tuple[list[str], np.ndarray, list[str]]:
    """Every id, vector and passage text of the collection, in Chroma's order."""
    ids: list[str] = []
    vectors: list[np.ndarray] = []
    texts: list[str] = []
    for offset in range(0, collection.count(), page):
        got = collection.get(limit=page, offset=offset, include=["embeddings", "documents"])
        ids += got["ids"]
        vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        texts += [t or "" for t in got["documents"] or [""] * len(got["ids"])]
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    return ids, matrix, texts


def sample(texts: Sequence[str], n: int) -> list[str]:
    """Every k-th non-empty text, about n of them (the same ones for the same collection)."""
    present = [t for t in texts if t.strip()]
    step = max(1, len(present) // n)
    return present[::step][:n]


def hnsw_recall(
    collection: Any, ids: Sequence[str], matrix: np.ndarray, queries: np.ndarray, k: int = 10
) -> dict[str, Any]:
    """Recall@k of Chroma's HNSW search against exact cosine search over the stored vectors."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.where(norms == 0, 1.0, norms)
    started = time.perf_counter()
    exact = np.argsort(-(queries @ unit.T), axis=1)[:, :k]
    exact_seconds = time.perf_counter() - started
    started = time.perf_counter()
    found = collection.query(query_embeddings=queries, n_results=k, include=[])["ids"]
    hnsw_seconds = time.perf_counter() - started
    recalls = [
        len({ids[i] for i in row} & set(hits)) / k for row, hits in zip(exact, found, strict=True)
    ]
    return {
        "k": k,
        "queries": len(recalls),
        "recall_mean": round(float(np.mean(recalls)), 4),
        "recall_min": round(float(np.min(recalls)), 4),
        "queries_below_1": int(sum(r < 1 for r in recalls)),
        "exact_ms_per_query": round(exact_seconds * 1000 / len(recalls), 3),
        "hnsw_ms_per_query": round(hnsw_seconds * 1000 / len(recalls), 3),
        "configuration": _configuration(collection),
    }


def _configuration(collection: Any) -> Any:
    configuration = getattr(collection, "configuration", None)
    hnsw = configuration.get("hnsw") if isinstance(configuration, dict) else None
    return dict(hnsw) if hnsw else None
