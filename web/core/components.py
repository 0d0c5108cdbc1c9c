"""Builds the portal's parts from settings: the one place that knows every package.

The database engine is built in web.db.engine; the knowledge-maintenance service and the
indexing worker are wired here too, beside the parts they use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from knowledge.loaders import bundled_sources, load_path
from retrieval.assistant import Assistant, AssistantConfig
from retrieval.compose import ExtractiveComposer
from retrieval.embeddings import EmbeddingModel, make_embeddings
from retrieval.index_worker import IndexWorker
from retrieval.indexer import Indexer, IngestReport, Progress
from retrieval.knowledge_admin import KnowledgeAdmin
from retrieval.search import Searcher
from retrieval.vector_store import VectorStore
from web.db.engine import build_engine, create_schema
from web.db.migrate import cross_process_lock
from web.settings import Settings


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
    model = embeddings or make_embeddings(
        settings.embeddings,
        threads=settings.embedding_threads,
        ingest_threads=settings.ingest_threads,
    )
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
        )
    )


def ingest_bundled(components: Components, progress: Progress | None = None) -> IngestReport:
    """Bring the index in line with the knowledge base shipped with the product."""
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

    documents = [load_path(path) for path in expand_paths(paths)]
    with cross_process_lock(components.engine, "ingest"):
        report = components.indexer.ingest(
            documents, origin="local", prune=False, progress=progress
        )
    if report.changed:
        components.assistant.refresh()
    return report


MiB = 1024 * 1024


def prepare_knowledge(parts: Components) -> KnowledgeAdmin:
    """The service behind /staff/knowledge and the document API."""
    settings = parts.settings
    return KnowledgeAdmin(
        sessions=parts.sessions,
        indexer=parts.indexer,
        staging=settings.knowledge_staging_path,
        max_bytes=settings.knowledge_upload_max_mb * MiB,
        on_change=parts.assistant.refresh,
        limits=settings.extraction_limits,
    )


def start_index_worker(parts: Components, *, gate: threading.Event | None = None) -> IndexWorker:
    """Start this process's indexing worker (it resumes jobs a crashed process left behind)."""
    return IndexWorker(
        sessions=parts.sessions,
        indexer=parts.indexer,
        gate=gate,
        on_indexed=parts.assistant.refresh,
        limits=parts.settings.extraction_limits,
    ).start()
