"""Bring the database schema to the latest revision (run at start-up and by the CLI)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

MIGRATIONS = Path(__file__).parent / "migrations"
# Databases made before migrations existed (tables created by create_all) match this revision.
BASELINE = "0001"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the portal's migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied, inside one transaction where the database allows."""
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
    import portal.models  # noqa: F401  (registers the portal tables)
    from knowledge.registry import KnowledgeBase
    from portal.db import PortalBase
    from retrieval.tables import RetrievalBase

    for base in (KnowledgeBase, RetrievalBase, PortalBase):
        base.metadata.create_all(connection)
