"""Kill -9 the server (or `cgt-portal ingest`) half-way through indexing, restart, find it whole.

Indexing of the bundled knowledge base killed half-way, by the server on an empty data folder
and by `cgt-portal ingest`: after a restart the indexing resumes, the SQL registry, the passage
vectors and Chroma agree id for id, and they hold what a clean full ingest holds.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from knowledge import registry
from retrieval.embeddings import EmbeddingModel
from retrieval.tables import PassageVectorsRow
from retrieval.vector_store import VectorStore
from tests.support.live_server import LiveServer
from web.core.components import Components, build
from web.settings import Settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def parts_over(data_dir: Path, model: EmbeddingModel, *, own_stores: bool = False) -> Components:
    """The portal's parts over a data folder no server uses any more (for inspection).

    `own_stores`: the folder's SQLite and embedded Chroma even on the server pass (the
    knowledge-base cache is always built that way).
    """
    settings = Settings(environment="test", data_dir=data_dir, ingest_on_start=False)
    if own_stores:
        default_collection = Settings.model_fields["chroma_collection"].default
        settings = settings.model_copy(
            update={
                "database_url": None,
                "chroma_host": None,
                "chroma_collection": default_collection,
            }
        )
    return build(settings, embeddings=model)


def vector_count(data_dir: Path, model: EmbeddingModel) -> int:
    """Vectors the data folder's Chroma holds now (embedded: read-only from disk)."""
    settings = Settings(data_dir=data_dir)
    if settings.chroma_host:  # the server pass: ask the Chroma server
        store = VectorStore(
            embeddings=model,
            host=settings.chroma_host,
            port=settings.chroma_port,
            collection_prefix=settings.chroma_collection,
        )
        return len(store.ids())
    path = settings.chroma_path / "chroma.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as connection:
            return int(connection.execute("SELECT count(*) FROM embeddings").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet, or locked for a moment


def wait_for_vectors(  # type: ignore[no-untyped-def]
    data_dir: Path, model: EmbeddingModel, alive, *, more_than: int, timeout: float = 180
) -> int:
    """Wait until indexing has written more than `more_than` vectors; how many there are."""
    deadline = time.monotonic() + timeout
    while (count := vector_count(data_dir, model)) <= more_than:
        assert alive(), "the indexing process ended before it wrote anything"
        assert time.monotonic() < deadline, "no vectors written in time"
        time.sleep(0.05)
    return count


@dataclass(frozen=True)
class IndexState:
    """What the three stores hold."""

    documents: int
    chunks: set[str]
    vectors: set[str]
    chroma: set[str]


def index_state(data_dir: Path, model: EmbeddingModel, *, own_stores: bool = False) -> IndexState:
    """Read the registry, the passage vectors and Chroma of a data folder."""
    parts = parts_over(data_dir, model, own_stores=own_stores)
    try:
        with parts.sessions() as session:
            documents = len(registry.all_documents(session=session))
            chunks = {c.id for c in registry.all_chunks(session=session)}
            vectors = set(
                session.scalars(
                    select(PassageVectorsRow.chunk_id).where(
                        PassageVectorsRow.model_id == model.model_id
                    )
                )
            )
        return IndexState(documents, chunks, vectors, parts.vector_store.ids())
    finally:
        parts.engine.dispose()


def assert_consistent_and_complete(state: IndexState, clean: IndexState) -> None:
    """Every chunk has its passage vectors and its Chroma entry, nothing stale, nothing less."""
    assert state.chunks, "nothing indexed"
    assert state.vectors == state.chunks, "chunks without passage vectors, or stale vectors"
    assert state.chroma == state.chunks, "chunks missing from Chroma, or stale Chroma ids"
    assert (state.documents, state.chunks) == (clean.documents, clean.chunks)


@pytest.fixture(scope="module")
def clean_index(kb_cache: Path, use_model: EmbeddingModel) -> IndexState:
    """What a clean, uninterrupted full ingest of the bundled knowledge base holds."""
    return index_state(kb_cache, use_model, own_stores=True)


def test_indexing_killed_in_the_ingest_command_then_in_the_server_resumes_consistently(
    tmp_path: Path, servers: list[LiveServer], use_model: EmbeddingModel, clean_index: IndexState
) -> None:
    data_dir = tmp_path / "data"  # empty: everything has to be indexed
    server = LiveServer(data_dir, log=tmp_path / "server.log")
    servers.append(server)
    # 1. `cgt-portal ingest` killed once it has written some vectors.
    command = [sys.executable, "-c", "from web.cli import main; main()", "ingest"]
    ingest = subprocess.Popen(
        command, cwd=ROOT, env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        written = wait_for_vectors(data_dir, use_model, lambda: ingest.poll() is None, more_than=0)
    finally:
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
    assert ingest.returncode == -signal.SIGKILL, "the ingest ended before it was killed"

    # 2. The server, starting on that folder, indexes again; killed half-way as well.
    server.start()
    wait_for_vectors(data_dir, use_model, server.alive, more_than=written)
    assert httpx.get(server.url + "/readyz", timeout=10).status_code == 503  # still indexing
    server.kill()

    # 3. Restarted, it finishes the indexing, answers with citations, and the stores agree.
    server.start()
    server.wait_ready(300)
    answer = httpx.post(
        server.url + "/api/v1/chat",
        timeout=60,
        json={"question": "When does Decree 818 take effect?"},
    ).json()
    assert not answer["refused"] and answer["citations"], answer
    assert any(c["document_id"].startswith("decree-818") for c in answer["citations"])
    server.stop()
    assert_consistent_and_complete(index_state(data_dir, use_model), clean_index)
