"""The Chroma vector store (the one home of chromadb), through LangChain's Chroma wrapper."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import chromadb
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from retrieval.embeddings import EmbeddingModel

# Measured on random vectors: Chroma's defaults gave recall@5 of 0.57 against exact search;
# M=32 / ef_construction=200 / ef_search=200 keeps recall near 1 at a small cost
# (benchmarks/retrieval_recall.py measures it on the real index).
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 200, "ef_search": 200}


@dataclass(frozen=True)
class VectorHit:
    """A chunk id and its cosine similarity to the question."""

    chunk_id: str
    score: float


class _ChromaFunction(EmbeddingFunction[Documents]):
    """Our embedding model in the shape Chroma expects of an embedding function."""

    def __init__(self, model: EmbeddingModel) -> None:
        self._model = model

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's name
        return list(self._model.embed_array(list(input)))

    @staticmethod
    def name() -> str:
        return "cgt-portal"

    def get_config(self) -> dict:
        return {}

    @staticmethod
    def build_from_config(config: dict) -> _ChromaFunction:
        raise NotImplementedError("the portal always passes its own embedding model")


class VectorStore:
    """Chunk vectors in a Chroma collection named after the embedding model."""

    def __init__(
        self,
        *,
        embeddings: EmbeddingModel,
        path: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        collection_prefix: str = "cgt",
    ) -> None:
        self._settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self._host, self._port = host, port
        self._path = None if host else path
        self.embeddings = embeddings
        self.collection_name = f"{collection_prefix}-chunks-{embeddings.model_id}"
        self._lock = threading.Lock()
        self._open()
        self._stamp = self._disk_stamp()

    def _open(self) -> None:
        if self._host:
            client = chromadb.HttpClient(host=self._host, port=self._port, settings=self._settings)
        elif self._path is not None:
            self._path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(self._path), settings=self._settings)
        else:
            client = chromadb.EphemeralClient(settings=self._settings)
        self._client = client
        # Always hand over our embedding model: a collection opened without one falls back
        # to Chroma's default function, which tries to download a model.
        self._store = Chroma(
            collection_name=self.collection_name,
            embedding_function=self.embeddings,
            client=client,
            # A plain dict: chromadb types this as its own TypedDict of HNSW settings.
            collection_configuration={"hnsw": HNSW},  # type: ignore[arg-type]
        )

        # The same collection, opened with our model as its embedding function, for upserts of
        # vectors the indexer has already computed (LangChain's add_texts would embed again).
        self._collection = client.get_collection(
            self.collection_name,
            # Text only: chromadb's EmbeddingFunction type also takes images.
            embedding_function=_ChromaFunction(self.embeddings),  # type: ignore[arg-type]
        )

    # -- the embedded store written by another process -------------------------------------
    #
    # An embedded (PersistentClient) store keeps its HNSW index in memory and never sees what
    # another process (a second app worker, `cgt-portal ingest`) writes to the same folder:
    # queries return the old vectors, or fail with "Nothing found on disk" when the store was
    # empty at opening. Every write changes chroma.sqlite3 or its WAL, so a search first
    # compares their size and mtime with what this store last saw, and reopens the client
    # (a new Chroma system for the folder) when someone else wrote. A Chroma server needs none
    # of this.

    def _disk_stamp(self) -> tuple[tuple[int, int] | None, ...]:
        if self._path is None:
            return ()
        stamps: list[tuple[int, int] | None] = []
        for name in ("chroma.sqlite3", "chroma.sqlite3-wal"):
            try:
                stat = (self._path / name).stat()
                stamps.append((stat.st_mtime_ns, stat.st_size))
            except FileNotFoundError:
                stamps.append(None)
        return tuple(stamps)

    def _see_other_writers(self) -> None:
        if self._path is None or self._disk_stamp() == self._stamp:
            return
        with self._lock:
            stamp = self._disk_stamp()
            if stamp == self._stamp:
                return
            # Chroma shares one system per folder within a process: forget it so that the
            # next client loads the folder afresh (clients still holding the old one keep it).
            SharedSystemClient._identifier_to_system.pop(str(self._path), None)
            self._open()
            self._stamp = stamp

    def _wrote(self) -> None:
        """Our own write changed the files: not a reason to reopen."""
        if self._path is not None:
            self._stamp = self._disk_stamp()

    def add_vectors(
        self,
        *,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict],
    ) -> None:
        """Upsert passages whose vectors were computed by this store's embedding model."""
        self._see_other_writers()
        for start in range(0, len(ids), 512):
            end = start + 512
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                documents=list(texts[start:end]),
                metadatas=list(metadatas[start:end]),
            )
        self._wrote()

    def delete(self, ids: Sequence[str]) -> None:
        """Remove passages by id (unknown ids are ignored)."""
        self._see_other_writers()
        for start in range(0, len(ids), 512):
            self._store.delete(ids=list(ids[start : start + 512]))
        self._wrote()

    def search(self, vector: Sequence[float], k: int) -> list[VectorHit]:
        """The k nearest chunks to a question vector, best first."""
        # Ids and distances only: fetching texts and metadata as LangChain's search does
        # costs 2.6 ms instead of 0.9 ms per question (benchmarks/answer_latency.py).
        self._see_other_writers()
        query: list[Sequence[float]] = [list(vector)]
        result = self._collection.query(query_embeddings=query, n_results=k, include=["distances"])
        distances = (result.get("distances") or [[]])[0]
        return [
            VectorHit(chunk_id=chunk_id, score=1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], distances, strict=True)
        ]

    def ids(self) -> set[str]:
        """Every id in the collection."""
        self._see_other_writers()
        return set(self._store.get(include=[])["ids"])

    def documents_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The document id stored with each of these passages (unknown ids are left out)."""
        self._see_other_writers()
        out: dict[str, str] = {}
        for start in range(0, len(ids), 512):
            found = self._collection.get(ids=list(ids[start : start + 512]), include=["metadatas"])
            for chunk_id, meta in zip(found["ids"], found.get("metadatas") or [], strict=False):
                out[chunk_id] = str((meta or {}).get("document_id", ""))
        return out

    def drop(self) -> None:
        """Delete the whole collection (tests and throwaway indexes on a shared server)."""
        self._client.delete_collection(self.collection_name)
