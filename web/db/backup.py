"""Backup and restore of a whole portal: the database, the attachments and the index.

One `.tar.gz` archive holds every table as JSON lines (`database/<table>.jsonl`, read in one
consistent snapshot, engine-independent: a SQLite backup restores into PostgreSQL and back),
the attachment files (`attachments/...`, taken after the snapshot, so every file a row
names is there) and `manifest.json`: format version, Alembic revision, embedding models,
row counts and the SHA-256 of every member. The Chroma collection is not archived: its
vectors and texts are the passage vectors, chunks and documents in SQL, and restore
rebuilds it from them without embedding anything (also against a Chroma server).

Restore checks everything before it touches the target: the archive is extracted into a
staging folder, every member's hash and row count is compared with the manifest, and the
Alembic revision must be one this code knows. The database is then replaced in one
transaction (dropped, migrated to the archive's revision, loaded, migrated to head,
PostgreSQL sequences reset): a failure rolls all of it back. Only after the commit are the
attachment folder swapped in and the Chroma collection rebuilt.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

import numpy as np
from alembic import command
from alembic.runtime.migration import MigrationContext
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
    create_engine,
    event,
    func,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from web.db.migrate import alembic_config
from web.settings import Settings

FORMAT = "cgt-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_BATCH = 500
_SKIP_TABLES = {"alembic_version"}  # recreated by the migrations
# The keyword index is derived from the chunks: left out, and rebuilt after a restore. Its FTS5
# table (and FTS5's shadow tables) are SQLite's own.
_DERIVED_TABLES = {"rt_passage_tokens", "rt_terms"}
_DERIVED_PREFIX = "rt_fulltext"

Report = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Outcome:
    """What a backup or restore did."""

    path: Path
    revision: str
    tables: dict[str, int] = field(default_factory=dict)
    attachments: int = 0
    attachment_bytes: int = 0
    vectors_indexed: int = 0
    embedding_models: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows over all tables."""
        return sum(self.tables.values())


# --- engines with real transactions --------------------------------------------------------


def _engine(url: str, *, snapshot: bool = False) -> Engine:
    """An engine whose transactions cover DDL and reads too (pysqlite's do not by default)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we say BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # Off while a restore drops and reloads tables (DROP would cascade); the load is
            # checked with PRAGMA foreign_key_check before it commits.
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE" if not snapshot else "BEGIN")

        return engine
    options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if snapshot else {}
    return create_engine(url, poolclass=NullPool, **options)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _data_tables(connection: Connection) -> list[Table]:
    """Every table of the database (reflected), parents before children."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [
        t
        for t in metadata.sorted_tables
        if t.name not in _SKIP_TABLES | _DERIVED_TABLES and not t.name.startswith(_DERIVED_PREFIX)
    ]


# --- values as JSON --------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()  # naive values (SQLite) are UTC throughout the portal
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


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


# --- backup ----------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Reads a file while hashing what was read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.sha256.update(data)
        return data


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def backup(settings: Settings, path: Path, *, report: Report = lambda _m: None) -> Outcome:
    """Write the portal's database, attachments and index into one archive at `path`."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a folder: name the archive file to write")
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise BackupError(f"there is no database at {url.database}: nothing to back up")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine(settings.sqlalchemy_url, snapshot=True)
    members: dict[str, str] = {}
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as scratch:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                outcome = _dump_database(engine, archive, Path(scratch), members, report)
                outcome.path = path
                _add_attachments(settings.uploads_path, archive, members, outcome, report)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "alembic_revision": outcome.revision,
                    "database_dialect": engine.dialect.name,
                    "embedding_models": outcome.embedding_models,
                    "tables": outcome.tables,
                    "attachments": {
                        "files": outcome.attachments,
                        "bytes": outcome.attachment_bytes,
                    },
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(datetime.now().timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)  # it holds password hashes and personal data
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    finally:
        engine.dispose()
    return outcome


def _dump_database(
    engine: Engine, archive: tarfile.TarFile, scratch: Path, members: dict[str, str], report: Report
) -> Outcome:
    with engine.connect() as connection, connection.begin():
        revision = _revision(connection)
        if revision is None:
            raise BackupError(
                "the database has no portal schema (no Alembic revision): nothing to back up"
            )
        outcome = Outcome(path=Path(), revision=revision)
        tables = _data_tables(connection)
        for table in tables:
            member = f"database/{table.name}.jsonl"
            file = scratch / f"{table.name}.jsonl"
            digest = hashlib.sha256()
            count = 0
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(
                select(table).order_by(*order), execution_options={"yield_per": _BATCH}
            )
            with file.open("wb") as handle:
                for row in rows.mappings():
                    line = (
                        json.dumps(
                            {k: _encode(v) for k, v in row.items()}, ensure_ascii=False
                        ).encode()
                        + b"\n"
                    )
                    digest.update(line)
                    handle.write(line)
                    count += 1
            archive.add(str(file), arcname=member, recursive=False)
            file.unlink()
            members[member] = digest.hexdigest()
            outcome.tables[table.name] = count
            report(f"{table.name}: {count} rows")
        if "kb_state" in {t.name for t in tables}:  # the models the index was built with
            outcome.embedding_models = sorted(
                key.removeprefix("model:").split(":")[0]  # "model:use-m3:c2u2": the model
                for key in connection.scalars(text("SELECT key FROM kb_state"))
                if key.startswith("model:")
            )
    return outcome


def _add_attachments(
    root: Path, archive: tarfile.TarFile, members: dict[str, str], outcome: Outcome, report: Report
) -> None:
    if not root.is_dir():
        return
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.is_symlink() or file.name.startswith(".upload-"):
            continue  # half-written uploads are not files yet
        member = "attachments/" + file.relative_to(root).as_posix()
        info = archive.gettarinfo(str(file), arcname=member)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        with file.open("rb") as handle:
            reader = _HashingReader(handle)
            archive.addfile(info, reader)
        members[member] = reader.sha256.hexdigest()
        outcome.attachments += 1
        outcome.attachment_bytes += info.size
    report(f"attachments: {outcome.attachments} files, {outcome.attachment_bytes} bytes")


# --- reading and checking an archive ---------------------------------------------------------


@dataclass
class _Staged:
    folder: Path
    manifest: dict[str, Any]

    @property
    def revision(self) -> str:
        return str(self.manifest["alembic_revision"])

    def table_rows(self, name: str) -> Iterator[dict[str, Any]]:
        with (self.folder / "database" / f"{name}.jsonl").open("rb") as handle:
            for line in handle:
                yield json.loads(line)


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (
        bool(parts)
        and not name.startswith("/")
        and ".." not in parts
        and (name == MANIFEST or parts[0] in ("database", "attachments"))
    )


def _stage(path: Path, folder: Path) -> _Staged:
    """Extract and verify an archive: every member listed and intact, nothing else."""
    foreign = f"{path} is not a cgt-portal backup"
    try:
        archive = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{foreign} (not a readable tar archive: {error})") from error
    with archive:
        try:
            infos = archive.getmembers()
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{path} is damaged or truncated ({error})") from error
        names = [info.name for info in infos if not info.isdir()]
        if MANIFEST not in names:
            raise BackupError(f"{foreign} (it has no {MANIFEST})")
        for info in infos:
            if not (info.isfile() or info.isdir()) or not _safe_member(info.name):
                raise BackupError(f"{foreign} (unexpected member {info.name!r})")
        try:
            archive.extractall(folder, filter="data")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{path} is damaged or truncated ({error})") from error
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{foreign} (its manifest is not valid JSON)") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{foreign} (its manifest names no {FORMAT} format)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is backup format {manifest.get('format_version')!r}; "
            f"this version of the portal reads format {FORMAT_VERSION}"
        )
    listed = manifest.get("members")
    tables = manifest.get("tables")
    if not isinstance(listed, dict) or not isinstance(tables, dict):
        raise BackupError(f"{foreign} (its manifest lists no members or tables)")
    if not isinstance(manifest.get("alembic_revision"), str):
        raise BackupError(f"{foreign} (its manifest names no schema revision)")
    present = {n for n in names if n != MANIFEST}
    if present - set(listed):
        raise BackupError(
            f"{path} holds files its manifest does not list: {sorted(present - set(listed))[:3]}"
        )
    if set(listed) - present:
        raise BackupError(f"{path} is incomplete: {sorted(set(listed) - present)[:3]} missing")
    for member, expected in listed.items():
        if _sha256_file(folder / member) != expected:
            raise BackupError(
                f"{path} is corrupt: {member} does not match its SHA-256 in the manifest"
            )
    staged = _Staged(folder, manifest)
    for name, count in tables.items():
        if f"database/{name}.jsonl" not in listed:
            raise BackupError(f"{path} is incomplete: table {name} is missing")
        with (folder / "database" / f"{name}.jsonl").open("rb") as handle:
            lines = sum(1 for _ in handle)
        if lines != count:
            raise BackupError(
                f"{path} is corrupt: {name} has {lines} rows, the manifest says {count}"
            )
    return staged


def inspect_archive(path: Path) -> dict[str, Any]:
    """Verify an archive without restoring it; return its manifest."""
    with tempfile.TemporaryDirectory(prefix="cgt-portal-verify-") as folder:
        return _stage(Path(path), Path(folder)).manifest


# --- restore ---------------------------------------------------------------------------------


def _target_has_data(engine: Engine, uploads: Path) -> str | None:
    """What the target already holds (None when it is empty)."""
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        return f"the attachments folder {uploads} holds files"
    with engine.connect() as connection:
        for table in _data_tables(connection):
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
    engine = _engine(settings.sqlalchemy_url)
    staging = Path(tempfile.mkdtemp(dir=settings.data_dir, prefix=".restore-"))
    try:
        staged = _stage(path, staging / "archive")
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
    connection: Connection, config: Any, staged: _Staged, outcome: Outcome, report: Report
) -> None:
    """Drop, migrate to the archive's revision, load, migrate to head: one transaction."""
    dialect = connection.dialect.name
    if dialect == "sqlite":  # a virtual table drops its shadow tables itself
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {_DERIVED_PREFIX}")
    existing = MetaData()
    existing.reflect(connection)
    existing.drop_all(connection)
    if dialect == "postgresql":
        # PostgreSQL's inspector (PGInspector) has get_enums; inspect() is typed as the base.
        for enum in inspect(connection).get_enums():  # type: ignore[attr-defined]
            connection.exec_driver_sql(f'DROP TYPE IF EXISTS "{enum["name"]}"')
    config.attributes["connection"] = connection
    command.upgrade(config, staged.revision)
    tables = {t.name: t for t in _data_tables(connection)}
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
            if len(batch) >= _BATCH:
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


def _swap_attachments(staging: Path, staged: _Staged, uploads: Path, outcome: Outcome) -> None:
    """Put the archive's files in place of the attachment folder (two renames)."""
    incoming = staged.folder / "attachments"
    incoming.mkdir(exist_ok=True)
    outcome.attachments = sum(1 for p in incoming.rglob("*") if p.is_file())
    outcome.attachment_bytes = sum(p.stat().st_size for p in incoming.rglob("*") if p.is_file())
    uploads.parent.mkdir(parents=True, exist_ok=True)
    if uploads.exists():
        os.replace(uploads, staging / "replaced-uploads")
    os.replace(incoming, uploads)


def _rebuild_index(settings: Settings, staged: _Staged, outcome: Outcome) -> int:
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
    for start in range(0, len(rows), _BATCH):
        group = rows[start : start + _BATCH]
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
