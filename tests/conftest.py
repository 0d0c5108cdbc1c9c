"""Shared fixtures: a real index of the bundled knowledge base, built once per test session.

Real components throughout: SQLite, embedded Chroma and the USE model. Tests that change
the index build their own small one (see `fresh_components`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from retrieval.embeddings import EmbeddingModel, UseEmbeddings
from web.app import create_app
from web.settings import Settings
from web.wiring import Components, build, ingest_bundled


@pytest.fixture(scope="session")
def use_model() -> EmbeddingModel:
    """The real multilingual USE model, loaded once."""
    model = UseEmbeddings()
    model.embed_array(["warm up"])
    return model


@pytest.fixture(scope="session")
def components(tmp_path_factory: pytest.TempPathFactory, use_model: EmbeddingModel) -> Components:
    """The portal's parts over the bundled knowledge base, indexed once for the session."""
    data_dir = tmp_path_factory.mktemp("portal-data")
    parts = build(Settings(environment="test", data_dir=data_dir), embeddings=use_model)
    ingest_bundled(parts)
    return parts


@pytest.fixture(scope="session")
def client(components: Components) -> Iterator[TestClient]:
    """A client of the app over the shared index (read-only tests)."""
    app = create_app(components=components)
    with TestClient(app) as test_client:
        assert app.state.ready.wait(120), app.state.startup_error
        yield test_client


@pytest.fixture
def fresh_components(tmp_path: Path, use_model: EmbeddingModel) -> Components:
    """Empty portal parts in their own folder, for tests that change the index."""
    settings = Settings(environment="test", data_dir=tmp_path, ingest_on_start=False)
    return build(settings, embeddings=use_model)
