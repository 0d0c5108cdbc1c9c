"""Shared factories for the knowledge tests: documents built in memory, a real SQLite session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import knowledge.tables  # noqa: F401  (registers the knowledge tables on KnowledgeBase)
from knowledge.db import KnowledgeBase
from knowledge.documents import DocumentMeta, SourceDocument

MakeDocument = Callable[..., SourceDocument]


@pytest.fixture
def make_document() -> MakeDocument:
    """Return a factory for SourceDocuments; keyword arguments override the metadata."""

    def make(text: str, **meta: Any) -> SourceDocument:
        language = meta.get("language", "en")
        values: dict[str, Any] = {
            "id": f"sample-{language}",
            "title": "Sample document",
            "language": language,
            "category": "policy",
            **meta,
        }
        return SourceDocument(meta=DocumentMeta.model_validate(values), text=text)

    return make


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file holding the knowledge tables."""
    path = tmp_path / "knowledge.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    KnowledgeBase.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def session(db_path: Path, database_url: str) -> Iterator[Session]:
    """A session on the test's own SQLite file: a new file per test keeps tests isolated
    (a fresh PostgreSQL database on the server pass: see tests/conftest.py)."""
    if database_url.startswith("sqlite"):
        engine = create_engine(f"sqlite:///{db_path}")
    else:
        engine = create_engine(database_url)
        KnowledgeBase.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()
