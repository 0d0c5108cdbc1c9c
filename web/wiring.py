"""Builds the portal's parts from settings: the one place that knows every package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from knowledge.loaders import bundled_sources, load_path
from retrieval.assistant import Assistant, AssistantConfig
from retrieval.compose import ExtractiveComposer
from retrieval.embeddings import EmbeddingModel, make_embeddings
from retrieval.indexer import Indexer, IngestReport, Progress
from retrieval.search import Searcher
from retrieval.vector_store import VectorStore
from web.settings import Settings


def build_engine(settings: Settings) -> Engine:
    """The SQL engine; SQLite gets WAL, foreign keys and a busy timeout."""
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # No cap on connections: some requests hold one connection while opening another (the
        # chat page and its notification badge, the assistant and its index check), so a
        # capped pool (5 + 10) stalled under 50 users until its 30 s timeout and answered 500
        # (benchmarks/README.md, "Load test"). A SQLite connection is only an open file.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20, max_overflow=-1,
        )  # fmt: skip

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # A server database: bounded by settings, sized so that every request thread of a worker
    # (40 in uvicorn's thread pool) can hold a connection without waiting for the pool.
    return create_engine(
        url, pool_pre_ping=True,
        pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
    )  # fmt: skip


def create_schema(engine: Engine) -> None:
    """Upgrade the database to the latest migration (web/migrations)."""
    from web import migrate

    migrate.upgrade(engine)


def build_sessions(settings: Settings) -> sessionmaker[Session]:
    """Only the database, for commands that need no models (e.g. `users create`)."""
    engine = build_engine(settings)
    create_schema(engine)
    return sessionmaker(engine, expire_on_commit=False)


@dataclass
class Components:
    """The running parts of the portal."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    embeddings: EmbeddingModel
    vector_store: VectorStore
    indexer: Indexer
    assistant: Assistant


def build(settings: Settings, *, embeddings: EmbeddingModel | None = None) -> Components:
    """Wire the database, the models, the stores and the assistant."""
    engine = build_engine(settings)
    create_schema(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    model = embeddings or make_embeddings(settings.embeddings, threads=settings.embedding_threads)
    from web.migrate import cross_process_lock

    # Workers starting together would race to create an empty embedded store's own tables
    # ("table collections already exists"): one opens it first, the others then find it.
    with cross_process_lock(engine, "vector-store"):
        store = VectorStore(
            embeddings=model,
            path=None if settings.chroma_host else settings.chroma_path,
            host=settings.chroma_host,
            port=settings.chroma_port,
            collection_prefix=settings.chroma_collection,
        )
    searcher = Searcher(store)
    config = AssistantConfig()
    if settings.answer_threshold is not None:
        config = AssistantConfig(threshold=settings.answer_threshold)
    assistant = Assistant(
        sessions=sessions,
        embeddings=model,
        searcher=searcher,
        composer=ExtractiveComposer(),
        phraser=build_phraser(settings),
        config=config,
    )
    indexer = Indexer(sessions=sessions, embeddings=model, vector_store=store)
    return Components(settings, engine, sessions, model, store, indexer, assistant)


def build_phraser(settings: Settings):  # type: ignore[no-untyped-def]
    """The optional LLM phraser, when a model is configured."""
    if not settings.llm_model:
        return None
    from retrieval.llm import LlmPhraser, openai_chat_model

    return LlmPhraser(
        openai_chat_model(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
        )  # fmt: skip
    )


def ingest_bundled(components: Components, progress: Progress | None = None) -> IngestReport:
    """Bring the index in line with the knowledge base shipped with the product."""
    from web.migrate import cross_process_lock

    documents = [load_path(path) for path in bundled_sources()]
    # Workers starting together would embed and insert the same documents: one indexes, the
    # others wait and then find every document unchanged.
    with cross_process_lock(components.engine, "ingest"):
        report = components.indexer.ingest(
            documents, origin="bundled", prune=True, progress=progress
        )
        components.indexer.sweep()  # leftovers of a crash: safe now that this ingest is done
    if report.changed:
        components.assistant.refresh()
    return report


def ingest_paths(
    components: Components, paths: list[Path], progress: Progress | None = None
) -> IngestReport:
    """Add or update documents from files and folders given by the user."""
    from knowledge.loaders import expand_paths
    from web.migrate import cross_process_lock

    documents = [load_path(path) for path in expand_paths(paths)]
    with cross_process_lock(components.engine, "ingest"):
        report = components.indexer.ingest(
            documents, origin="local", prune=False, progress=progress
        )
    if report.changed:
        components.assistant.refresh()
    return report
