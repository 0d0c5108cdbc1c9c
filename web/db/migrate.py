"""Bring the database schema to the latest revision (run at start-up and by the CLI)."""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Databases made before migrations existed (tables created by create_all) match this revision.
BASELINE = "0001"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the portal's migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


@contextmanager
def cross_process_lock(engine: Engine, name: str) -> Iterator[None]:
    """Hold a lock named `name` that every process using this database shares.

    App workers start together and would otherwise migrate or index the same database at the
    same time. PostgreSQL: a session advisory lock (released by the server if the process
    dies). SQLite: an exclusive flock on a file next to the database (released by the kernel).
    Other databases: no lock.
    """
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"cgt-portal:{name}".encode()).digest()[:8], "big")
        key -= 1 << 63  # advisory lock keys are signed 64-bit integers
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(f"{database}.{name}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied, inside one transaction where the database allows.

    Serialised across processes: a second worker starting at the same time waits, then finds
    the schema current and does nothing.
    """
    with cross_process_lock(engine, "migrate"):
        _upgrade(engine)


def _upgrade(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        # No recorded revision (SQLite may keep an empty alembic_version after a failed
        # first attempt) but the tables exist: a database from before migrations.
        unversioned = MigrationContext.configure(connection).get_current_revision() is None
        if unversioned and "kb_documents" in tables:
            _adopt(connection)
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


def _adopt(connection) -> None:  # type: ignore[no-untyped-def]
    """Complete a pre-migration database to the baseline schema (only missing tables are made)."""
    import knowledge.tables  # noqa: F401  (registers the knowledge tables)
    import portal.models  # noqa: F401  (registers the portal tables)
    from knowledge.db import KnowledgeBase
    from portal.db import PortalBase
    from retrieval.tables import RetrievalBase

    for base in (KnowledgeBase, RetrievalBase, PortalBase):
        base.metadata.create_all(connection)
