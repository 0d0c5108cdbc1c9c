"""The Chroma vector store (the one home of chromadb), through LangChain's Chroma wrapper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import chromadb
import numpy as np
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
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if host:
            client = chromadb.HttpClient(host=host, port=port, settings=settings)
        elif path is not None:
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=settings)
        else:
            client = chromadb.EphemeralClient(settings=settings)
        self.embeddings = embeddings
        self.collection_name = f"{collection_prefix}-chunks-{embeddings.model_id}"
        # Always hand over our embedding model: a collection opened without one falls back
        # to Chroma's default function, which tries to download a model.
        self._store = Chroma(
            collection_name=self.collection_name,
            embedding_function=embeddings,
            client=client,
            collection_configuration={"hnsw": HNSW},  # type: ignore[typeddict-item]
        )

        # The same collection, opened with our model as its embedding function, for upserts of
        # vectors the indexer has already computed (LangChain's add_texts would embed again).
        self._collection = client.get_collection(
            self.collection_name, embedding_function=_ChromaFunction(embeddings)
        )

    def add_vectors(
        self,
        *,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: np.ndarray,
        metadatas: Sequence[dict],
    ) -> None:
        """Upsert passages whose vectors were computed by this store's embedding model."""
        for start in range(0, len(ids), 512):
            end = start + 512
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                documents=list(texts[start:end]),
                metadatas=list(metadatas[start:end]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove passages by id (unknown ids are ignored)."""
        for start in range(0, len(ids), 512):
            self._store.delete(ids=list(ids[start : start + 512]))

    def search(self, vector: Sequence[float], k: int) -> list[VectorHit]:
        """The k nearest chunks to a question vector, best first."""
        # Ids and distances only: fetching texts and metadata as LangChain's search does
        # costs 2.6 ms instead of 0.9 ms per question (benchmarks/answer_latency.py).
        result = self._collection.query(
            query_embeddings=[list(vector)], n_results=k, include=["distances"]
        )
        distances = (result.get("distances") or [[]])[0]
        return [
            VectorHit(chunk_id=chunk_id, score=1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], distances, strict=True)
        ]

    def ids(self) -> set[str]:
        """Every id in the collection."""
        return set(self._store.get(include=[])["ids"])
