"""Alembic environment: the schema of every package, migrated as one."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

import knowledge.tables  # noqa: F401  (registers the knowledge tables on KnowledgeBase)
import portal.models  # noqa: F401  (registers the portal tables on PortalBase)
from knowledge.db import KnowledgeBase
from portal.db import PortalBase
from retrieval.fulltext import FTS_TABLE
from retrieval.tables import RetrievalBase

config = context.config
target_metadata = [KnowledgeBase.metadata, RetrievalBase.metadata, PortalBase.metadata]


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through a connection (the app's own, when it passes one)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        _run(connection)


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave the engines' own full-text structures to the migration that makes them.

    SQLite's FTS5 table (and its shadow tables) and PostgreSQL's generated `tsv` column are
    engine-specific (retrieval.fulltext): no model describes them.
    """
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == "tsv" and getattr(obj, "table", None) is not None:
        return obj.table.name != "rt_passage_tokens"
    return not (type_ == "index" and name == "ix_rt_passage_tokens_tsv")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
