"""The backup archive of a whole portal: its format, its outcome, and engines to read and load it.

One `.tar.gz` archive holds every table as JSON lines (`database/<table>.jsonl`, read in one
consistent snapshot, engine-independent: a SQLite backup restores into PostgreSQL and back),
the attachment files (`attachments/...`, taken after the snapshot, so every file a row
names is there) and `manifest.json`: format version, Alembic revision, embedding models,
row counts and the SHA-256 of every member. The Chroma collection is not archived: its
vectors and texts are the passage vectors, chunks and documents in SQL, and restore
rebuilds it from them without embedding anything (also against a Chroma server).

`web.db.backup` writes an archive; `stage` (here) extracts and verifies one, which
`web.db.restore` then puts in place.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event
from sqlalchemy.pool import NullPool

FORMAT = "cgt-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 500
_SKIP_TABLES = {"alembic_version"}  # recreated by the migrations
# The keyword index is derived from the chunks: left out, and rebuilt after a restore. Its FTS5
# table (and FTS5's shadow tables) are SQLite's own.
_DERIVED_TABLES = {"rt_passage_tokens", "rt_terms"}
DERIVED_PREFIX = "rt_fulltext"

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


def transactional_engine(url: str, *, snapshot: bool = False) -> Engine:
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


def data_tables(connection: Connection) -> list[Table]:
    """Every table of the database (reflected), parents before children."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [
        t
        for t in metadata.sorted_tables
        if t.name not in _SKIP_TABLES | _DERIVED_TABLES and not t.name.startswith(DERIVED_PREFIX)
    ]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# --- reading and checking an archive ---------------------------------------------------------


@dataclass
class Staged:
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


def stage(path: Path, folder: Path) -> Staged:
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
    staged = Staged(folder, manifest)
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
        return stage(Path(path), Path(folder)).manifest
