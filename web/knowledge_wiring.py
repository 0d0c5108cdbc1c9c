"""Wires staff maintenance of the knowledge base: the admin service and the indexing worker."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from retrieval.index_worker import IndexWorker
from retrieval.maintenance import KnowledgeAdmin
from web.wiring import Components

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
        sessions=parts.sessions, indexer=parts.indexer, gate=gate,
        on_indexed=parts.assistant.refresh, limits=parts.settings.extraction_limits,
    ).start()  # fmt: skip


def get_knowledge(request: Request) -> KnowledgeAdmin:
    """The knowledge-maintenance service of the running app."""
    return request.app.state.knowledge


KnowledgeDep = Annotated[KnowledgeAdmin, Depends(get_knowledge)]
