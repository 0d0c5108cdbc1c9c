"""Shared fixtures: a real index of the bundled knowledge base, built once per test session.

Real components throughout: SQLite, embedded Chroma and the USE model. Tests that change
the index build their own small one (see `fresh_components`).

The server pass: when CGT_TEST_DATABASE_URL (a PostgreSQL database whose role may create
databases) and/or CGT_TEST_CHROMA_HOST / CGT_TEST_CHROMA_PORT are set (scripts/test-servers.sh
starts both), the same tests run against PostgreSQL and a Chroma server instead. Each test
that uses `tmp_path` then gets its own fresh PostgreSQL database and Chroma collection prefix,
dropped afterwards, and the CGT_PORTAL_* settings pointing at them, so every `Settings(...)`
a test builds uses the server pair without the test knowing.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from retrieval.embeddings import EmbeddingModel, UseEmbeddings
from web.app import create_app
from web.core.components import Components, build, ingest_bundled
from web.settings import Settings

SERVER_DATABASE_URL = os.environ.get("CGT_TEST_DATABASE_URL") or None
SERVER_CHROMA_HOST = os.environ.get("CGT_TEST_CHROMA_HOST") or None
SERVER_CHROMA_PORT = int(os.environ.get("CGT_TEST_CHROMA_PORT") or 8000)
ON_SERVERS = bool(SERVER_DATABASE_URL or SERVER_CHROMA_HOST)


def pytest_report_header() -> list[str]:
    """Say which database and vector store this run uses."""
    if not ON_SERVERS:
        return ["backends: SQLite + embedded Chroma"]
    database = make_url(SERVER_DATABASE_URL) if SERVER_DATABASE_URL else None
    return [
        "backends: "
        + (f"PostgreSQL {database.host}:{database.port}" if database else "SQLite")
        + " + "
        + (
            f"Chroma server {SERVER_CHROMA_HOST}:{SERVER_CHROMA_PORT}"
            if SERVER_CHROMA_HOST
            else "embedded Chroma"
        )
    ]


# --- throwaway databases and collections on the server pair ------------------------------


def create_server_database(prefix: str) -> str:
    """Create an empty PostgreSQL database on the test server and return its URL."""
    assert SERVER_DATABASE_URL
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(SERVER_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def drop_server_database(url: str) -> None:
    """Drop a database made by create_server_database, closing what still connects to it."""
    assert SERVER_DATABASE_URL
    name = make_url(url).database
    admin = create_engine(SERVER_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        for attempt in range(5):
            try:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except DBAPIError:  # e.g. a backend that may not be signalled: wait and retry
                time.sleep(0.5 * (attempt + 1))
        warnings.warn(f"could not drop the test database {name}", stacklevel=2)
    finally:
        admin.dispose()


def drop_server_collections(prefix: str) -> None:
    """Delete every collection on the test Chroma server whose name starts with `prefix-`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    assert SERVER_CHROMA_HOST
    client = chromadb.HttpClient(
        host=SERVER_CHROMA_HOST,
        port=SERVER_CHROMA_PORT,
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    for collection in client.list_collections():
        if collection.name.startswith(f"{prefix}-"):
            client.delete_collection(collection.name)


def server_settings(*, database_url: str | None, collection: str) -> dict[str, object]:
    """The Settings fields that point the portal at the server pair (empty when embedded)."""
    fields: dict[str, object] = {}
    if SERVER_DATABASE_URL and database_url:
        fields["database_url"] = database_url
    if SERVER_CHROMA_HOST:
        fields.update(
            chroma_host=SERVER_CHROMA_HOST,
            chroma_port=SERVER_CHROMA_PORT,
            chroma_collection=collection,
        )
    return fields


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for this test: SQLite in tmp_path, PostgreSQL on the server pass."""
    if not SERVER_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    url = create_server_database("cgt_t")
    yield url
    drop_server_database(url)


@pytest.fixture
def chroma_collection() -> Iterator[str]:
    """A collection-name prefix of this test's own (its collections are deleted afterwards)."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    if SERVER_CHROMA_HOST:
        drop_server_collections(prefix)


@pytest.fixture(autouse=True)
def _portal_settings_on_servers(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the server pass, point every Settings() of a test with a tmp_path at the servers."""
    if not ON_SERVERS or "tmp_path" not in request.fixturenames:
        return
    fields = server_settings(
        database_url=request.getfixturevalue("database_url"),
        collection=request.getfixturevalue("chroma_collection"),
    )
    for name, value in fields.items():
        monkeypatch.setenv(f"CGT_PORTAL_{name.upper()}", str(value))


# --- the portal's parts -----------------------------------------------------------------


@pytest.fixture(scope="session")
def use_model() -> EmbeddingModel:
    """The real multilingual USE model, loaded once."""
    model = UseEmbeddings()
    model.embed_array(["warm up"])
    return model


@pytest.fixture(scope="session")
def components(
    tmp_path_factory: pytest.TempPathFactory, use_model: EmbeddingModel
) -> Iterator[Components]:
    """The portal's parts over the bundled knowledge base, indexed once for the session."""
    data_dir = tmp_path_factory.mktemp("portal-data")
    url = create_server_database("cgt_s") if SERVER_DATABASE_URL else None
    collection = f"s{uuid.uuid4().hex[:10]}"
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        **server_settings(database_url=url, collection=collection),  # type: ignore[arg-type]
    )
    parts = build(settings, embeddings=use_model)
    ingest_bundled(parts)
    yield parts
    parts.engine.dispose()
    if url:
        drop_server_database(url)
    if SERVER_CHROMA_HOST:
        drop_server_collections(collection)


@pytest.fixture(scope="session")
def client(components: Components) -> Iterator[TestClient]:
    """A client of the app over the shared index (read-only tests)."""
    app = create_app(components=components)
    with TestClient(app) as test_client:
        assert app.state.ready.wait(120), app.state.startup_error
        yield test_client


@pytest.fixture
def fresh_components(
    tmp_path: Path, use_model: EmbeddingModel, database_url: str, chroma_collection: str
) -> Iterator[Components]:
    """Empty portal parts in their own folder, for tests that change the index."""
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        ingest_on_start=False,
        **server_settings(database_url=database_url, collection=chroma_collection),  # type: ignore[arg-type]
    )
    parts = build(settings, embeddings=use_model)
    yield parts
    parts.engine.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a page looked up an interface text the catalogue does not have.

    In production a missing key falls back and is logged (web.i18n); in the tests it is an error.
    Only lookups in this process count: live servers and browsers run in their own.
    """
    from web.i18n import missing_keys

    missing = sorted(k for k in missing_keys() if not k[0].startswith("no.such"))
    if missing:
        print(f"\ninterface texts looked up but missing from web/i18n: {missing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
