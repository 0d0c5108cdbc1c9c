"""Restore of a whole portal from a backup archive (written by `web.db.backup`).

Restore checks everything before it touches the target: the archive is extracted into a
staging folder, every member's hash and row count is compared with the manifest, and the
Alembic revision must be one this code knows. The database is then replaced in one
transaction (dropped, migrated to the archive's revision, loaded, migrated to head,
PostgreSQL sequences reset): a failure rolls all of it back. Only after the commit are the
attachment folder swapped in and the Chroma collection rebuilt.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from web.db.archive import (
    BATCH,
    DERIVED_PREFIX,
    BackupError,
    Outcome,
    Report,
    Staged,
    data_tables,
    stage,
    transactional_engine,
)
from web.db.migrate import alembic_config
from web.settings import Settings


def _decoder(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, DateTime):
        keep_zone = bool(getattr(column_type, "timezone", False))

        def moment(value: str) -> datetime:
            parsed = datetime.fromisoformat(value)
            return parsed if keep_zone else parsed.astimezone(UTC).replace(tzinfo=None)

        return moment
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Time):
        return time.fromisoformat
    if isinstance(column_type, LargeBinary):
        return base64.b64decode
    if isinstance(column_type, Numeric) and getattr(column_type, "asdecimal", False):
        return Decimal
    return None


# --- restore ---------------------------------------------------------------------------------


def _target_has_data(engine: Engine, uploads: Path) -> str | None:
    """What the target already holds (None when it is empty)."""
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        return f"the attachments folder {uploads} holds files"
    with engine.connect() as connection:
        for table in data_tables(connection):
            if connection.execute(select(func.count()).select_from(table)).scalar():
                return f"the database holds data (table {table.name})"
    return None


def restore(
    settings: Settings, path: Path, *, force: bool = False, report: Report = lambda _m: None
) -> Outcome:
    """Replace the portal's database, attachments and index with an archive's content."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = transactional_engine(settings.sqlalchemy_url)
    staging = Path(tempfile.mkdtemp(dir=settings.data_dir, prefix=".restore-"))
    try:
        staged = stage(path, staging / "archive")
        report(f"{path.name}: verified ({len(staged.manifest['members'])} members)")
        config = alembic_config(engine)
        try:
            ScriptDirectory.from_config(config).get_revision(staged.revision)
        except CommandError as error:
            raise BackupError(
                f"{path} was made by a newer version of the portal (schema revision "
                f"{staged.revision} is unknown here): upgrade the portal first"
            ) from error
        if not force:
            held = _target_has_data(engine, settings.uploads_path)
            if held:
                raise BackupError(
                    f"the target is not empty: {held}; restore with --force to replace it"
                )
        outcome = Outcome(path=path, revision=staged.revision)
        try:
            with engine.connect() as connection, connection.begin():
                _replace_database(connection, config, staged, outcome, report)
        except (SQLAlchemyError, ValueError, KeyError, TypeError) as error:
            raise BackupError(
                f"the archive's rows could not be loaded ({type(error).__name__}: "
                f"{str(error).splitlines()[0][:300]}); nothing was changed"
            ) from error
        # Committed: now the files, then the derived index.
        _swap_attachments(staging, staged, settings.uploads_path, outcome)
        report(f"attachments: {outcome.attachments} files")
        try:
            outcome.vectors_indexed = _rebuild_index(settings, staged, outcome)
        except Exception as error:  # the database and files are in place: say what is left
            raise BackupError(
                "the database and attachments are restored, but refilling the search index "
                f"failed ({type(error).__name__}: {error}); run the same restore again with "
                "--force once the vector store is reachable"
            ) from error
        return outcome
    finally:
        engine.dispose()
        shutil.rmtree(staging, ignore_errors=True)


def _replace_database(
    connection: Connection, config: Any, staged: Staged, outcome: Outcome, report: Report
) -> None:
    """Drop, migrate to the archive's revision, load, migrate to head: one transaction."""
    dialect = connection.dialect.name
    if dialect == "sqlite":  # a virtual table drops its shadow tables itself
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {DERIVED_PREFIX}")
    existing = MetaData()
    existing.reflect(connection)
    existing.drop_all(connection)
    if dialect == "postgresql":
        # PostgreSQL's inspector (PGInspector) has get_enums; inspect() is typed as the base.
        for enum in inspect(connection).get_enums():  # type: ignore[attr-defined]
            connection.exec_driver_sql(f'DROP TYPE IF EXISTS "{enum["name"]}"')
    config.attributes["connection"] = connection
    command.upgrade(config, staged.revision)
    tables = {t.name: t for t in data_tables(connection)}
    expected: dict[str, int] = staged.manifest.get("tables") or {}
    unknown = set(expected) - set(tables)
    if unknown:
        raise BackupError(f"the archive has tables this schema lacks: {sorted(unknown)}")
    for table in tables.values():
        if table.name not in expected:
            continue
        decoders = {c.name: _decoder(c.type) for c in table.columns}
        batch: list[dict[str, Any]] = []
        for row in staged.table_rows(table.name):
            extra = set(row) - set(decoders)
            if extra:
                raise BackupError(f"{table.name} has columns this schema lacks: {sorted(extra)}")
            batch.append(
                {
                    k: (decoders[k](v) if v is not None and decoders[k] else v)  # type: ignore[misc]
                    for k, v in row.items()
                }
            )
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                batch = []
        if batch:
            connection.execute(table.insert(), batch)
        loaded = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if loaded != expected[table.name]:
            raise BackupError(
                f"{table.name}: {loaded} rows loaded, {expected[table.name]} expected"
            )
        outcome.tables[table.name] = loaded
        report(f"{table.name}: {loaded} rows")
    if dialect == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BackupError(f"the archive's rows break foreign keys (first: {tuple(broken[0])})")
    if dialect == "postgresql":
        _reset_sequences(connection, list(tables.values()))
    command.upgrade(config, "head")


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Make PostgreSQL's id sequences continue after the restored rows."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") '
                        f'FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"sequence": sequence},
                )


def _swap_attachments(staging: Path, staged: Staged, uploads: Path, outcome: Outcome) -> None:
    """Put the archive's files in place of the attachment folder (two renames)."""
    incoming = staged.folder / "attachments"
    incoming.mkdir(exist_ok=True)
    outcome.attachments = sum(1 for p in incoming.rglob("*") if p.is_file())
    outcome.attachment_bytes = sum(p.stat().st_size for p in incoming.rglob("*") if p.is_file())
    uploads.parent.mkdir(parents=True, exist_ok=True)
    if uploads.exists():
        os.replace(uploads, staging / "replaced-uploads")
    os.replace(incoming, uploads)


def _rebuild_index(settings: Settings, staged: Staged, outcome: Outcome) -> int:
    """Fill the Chroma collection of the configured model from the restored SQL rows."""
    from knowledge.tables import ChunkRow, DocumentRow
    from retrieval.embeddings import make_embeddings
    from retrieval.tables import PassageVectorsRow
    from retrieval.vector_store import VectorStore
    from web.db.engine import build_engine

    model = make_embeddings(settings.embeddings)  # no weights are loaded: nothing is embedded
    if model.model_id not in staged.manifest.get("embedding_models", []):
        outcome.notes.append(
            f"the archive's index was built with {staged.manifest.get('embedding_models')}, "
            f"not {model.model_id}: the knowledge base is embedded again at the next start"
        )
    store = VectorStore(
        embeddings=model,
        path=None if settings.chroma_host else settings.chroma_path,
        host=settings.chroma_host,
        port=settings.chroma_port,
        collection_prefix=settings.chroma_collection,
    )
    engine = build_engine(settings)
    ids: list[str] = []
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    ChunkRow.id,
                    ChunkRow.document_id,
                    ChunkRow.section,
                    ChunkRow.text,
                    DocumentRow.language,
                    PassageVectorsRow.dimensions,
                    PassageVectorsRow.vectors,
                )
                .join(DocumentRow, DocumentRow.id == ChunkRow.document_id)
                .join(PassageVectorsRow, PassageVectorsRow.chunk_id == ChunkRow.id)
                .where(PassageVectorsRow.model_id == model.model_id)
                .order_by(ChunkRow.id)
            ).all()
        _rebuild_keyword_index(engine)
    finally:
        engine.dispose()
    for start in range(0, len(rows), BATCH):
        group = rows[start : start + BATCH]
        vectors = np.vstack(
            [np.frombuffer(r.vectors, dtype=np.float32, count=r.dimensions) for r in group]
        )
        store.add_vectors(
            ids=[r.id for r in group],
            texts=[r.text for r in group],
            vectors=vectors,
            metadatas=[
                {"document_id": r.document_id, "section": r.section or "", "language": r.language}
                for r in group
            ],
        )
        ids.extend(r.id for r in group)
    stale = sorted(store.ids() - set(ids))
    if stale:
        store.delete(stale)
    return len(ids)


def _rebuild_keyword_index(engine: Any) -> None:
    """Tokenise the restored chunks again: the keyword index is not in the archive."""
    from sqlalchemy.orm import Session

    from knowledge import registry
    from retrieval.indexer import FULLTEXT_STATE, rebuild_fulltext

    with Session(engine) as session:
        rebuild_fulltext(session)
        registry.set_state(session=session, key=FULLTEXT_STATE, value="1")
        session.commit()
