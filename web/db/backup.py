"""Backup of a whole portal: the database, the attachments and the index in one archive.

The archive's format is described in `web.db.archive`; `web.db.restore` puts one in place
(its `restore` and `inspect_archive` are also reachable here, beside `backup`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, make_url, select, text

from web.db.archive import (
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    Outcome,
    Report,
    data_tables,
    inspect_archive,
    transactional_engine,
)
from web.db.restore import restore
from web.settings import Settings

__all__ = ["BackupError", "Outcome", "backup", "inspect_archive", "restore"]


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


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


def backup(settings: Settings, path: Path, *, report: Report = lambda _m: None) -> Outcome:
    """Write the portal's database, attachments and index into one archive at `path`."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a folder: name the archive file to write")
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise BackupError(f"there is no database at {url.database}: nothing to back up")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = transactional_engine(settings.sqlalchemy_url, snapshot=True)
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
        tables = data_tables(connection)
        for table in tables:
            member = f"database/{table.name}.jsonl"
            file = scratch / f"{table.name}.jsonl"
            digest = hashlib.sha256()
            count = 0
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(
                select(table).order_by(*order), execution_options={"yield_per": BATCH}
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
