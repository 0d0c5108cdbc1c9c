"""A real library database for tests of keyword search: migrated schema, passages added by text."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from retrieval import fulltext
from retrieval.keyword import KeywordIndex, tokenize
from web.db import migrate


def library(texts: Sequence[str], *, url: str | None = None) -> sessionmaker[Session]:
    """A database at `url` (a temporary SQLite file without) holding one passage per text.

    Passage i has the chunk id "p<i>" and belongs to the document "d<i>".
    """
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'library.db'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions() as session:
        fulltext.add(
            session,
            (fulltext.PassageTokens(f"p{i}", f"d{i}", tokenize(t)) for i, t in enumerate(texts)),
        )
        session.commit()
    return sessions


def empty_library() -> sessionmaker[Session]:
    """A migrated database without passages."""
    return library([])


def keyword_index(texts: Sequence[str], *, url: str | None = None) -> KeywordIndex:
    """Keyword search over these texts (see `library` for their ids)."""
    return KeywordIndex(library(texts, url=url))
