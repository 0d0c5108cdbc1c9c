"""Restores that change nothing (occupied target, tampered or foreign archive, bad rows), CLI."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.web.backup.tables import archived_rows, target_settings
from web.cli import app as cli
from web.db import backup
from web.db.engine import build_engine
from web.settings import Settings

# --- the round trip ------------------------------------------------------------------------


# --- refusals that change nothing ----------------------------------------------------------


def _rewrite(archive: Path, out: Path, change: Any) -> Path:
    """Copy an archive, letting `change(name, bytes)` alter members (None drops one)."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read() if info.isfile() else b""  # type: ignore[union-attr]
            data = change(info.name, data)
            if data is None:
                continue
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


def _occupied(tmp_path: Path, archive: Path) -> tuple[Settings, dict[str, list[dict[str, Any]]]]:
    settings = target_settings(tmp_path, "occupied")
    backup.restore(settings, archive)
    return settings, _rows_of(settings)


def _rows_of(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    engine = build_engine(settings)
    try:
        return archived_rows(engine)
    finally:
        engine.dispose()


def test_an_occupied_target_needs_force(archive: Path, tmp_path: Path) -> None:
    settings, rows = _occupied(tmp_path, archive)

    with pytest.raises(backup.BackupError, match="not empty.*--force"):
        backup.restore(settings, archive)
    outcome = backup.restore(settings, archive, force=True)

    assert outcome.rows == sum(len(r) for r in rows.values())
    assert _rows_of(settings) == rows


def test_a_tampered_member_is_refused_and_the_target_is_unchanged(
    archive: Path, tmp_path: Path
) -> None:
    settings, rows = _occupied(tmp_path, archive)

    def tamper(name: str, data: bytes) -> bytes:
        if name == "database/portal_users.jsonl":
            return data.replace(b'"active": true', b'"active": false', 1)
        return data

    bad = _rewrite(archive, tmp_path / "tampered.tar.gz", tamper)

    with pytest.raises(backup.BackupError, match=r"corrupt: database/portal_users\.jsonl"):
        backup.restore(settings, bad, force=True)
    assert _rows_of(settings) == rows


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text, not an archive", "not a cgt-portal backup"),
        ("tar-without-manifest", "has no manifest.json"),
        ("foreign-manifest", "names no cgt-portal-backup format"),
    ],
)
def test_foreign_files_are_refused_with_a_reason(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    path = tmp_path / "foreign.tar.gz"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with tarfile.open(path, "w:gz") as archive:
            data = json.dumps({"format": "something-else"}).encode()
            info = tarfile.TarInfo("manifest.json" if content == "foreign-manifest" else "x.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

    with pytest.raises(backup.BackupError, match=message):
        backup.restore(target_settings(tmp_path), path)
    assert not (tmp_path / "restored" / "uploads").exists()


def test_a_member_outside_the_layout_is_refused(archive: Path, tmp_path: Path) -> None:
    evil_path = tmp_path / "evil.tar"
    with tarfile.open(evil_path, "w") as evil, tarfile.open(archive) as good:
        for info in good.getmembers():
            evil.addfile(info, good.extractfile(info))
        info = tarfile.TarInfo("../../outside.txt")
        info.size = 3
        evil.addfile(info, io.BytesIO(b"bad"))

    with pytest.raises(backup.BackupError, match="unexpected member '../../outside.txt'"):
        backup.restore(target_settings(tmp_path), evil_path)
    assert not (tmp_path / "outside.txt").exists()
    assert not (tmp_path / "restored" / "uploads").exists()


def test_rows_that_cannot_be_loaded_roll_the_whole_restore_back(
    archive: Path, tmp_path: Path
) -> None:
    settings, rows = _occupied(tmp_path, archive)
    manifest: dict[str, Any] = {}

    def duplicate(name: str, data: bytes) -> bytes:
        if name == "database/portal_users.jsonl":
            return data + data.splitlines(keepends=True)[0]  # the same primary key twice
        return data

    def fix_manifest(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest.update(json.loads(data))
            member = "database/portal_users.jsonl"
            manifest["members"][member] = _hash(first, member)
            manifest["tables"]["portal_users"] += 1
            return json.dumps(manifest).encode()
        return data

    first = _rewrite(archive, tmp_path / "dup.tar.gz", duplicate)
    bad = _rewrite(first, tmp_path / "dup-fixed.tar.gz", fix_manifest)

    with pytest.raises(backup.BackupError, match="could not be loaded.*nothing was changed"):
        backup.restore(settings, bad, force=True)
    assert _rows_of(settings) == rows
    assert any((settings.uploads_path).rglob("*"))  # the old files are still in place


def _hash(archive: Path, member: str) -> str:
    import hashlib

    with tarfile.open(archive) as tar:
        return hashlib.sha256(tar.extractfile(member).read()).hexdigest()  # type: ignore[union-attr]


# --- the command line ----------------------------------------------------------------------


def test_cli_backup_and_restore(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("CGT_PORTAL_EMBEDDINGS", "fake")
    runner = CliRunner()

    restored = runner.invoke(cli, ["restore", str(archive)])
    again = runner.invoke(cli, ["restore", str(archive)])
    copy = runner.invoke(cli, ["backup", str(tmp_path / "again.tar.gz")])
    missing = runner.invoke(cli, ["restore", str(tmp_path / "nothing.tar.gz")])
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("CGT_PORTAL_DATABASE_URL", raising=False)  # set on the server pass
    nothing = runner.invoke(cli, ["backup", str(tmp_path / "empty.tar.gz")])

    def said(result: Any, text: str) -> bool:
        """Whether the output says `text`: rich wraps long lines, even inside a long path."""
        return "".join(text.split()) in "".join(result.output.split())

    assert restored.exit_code == 0, restored.output
    assert said(restored, "Restored") and said(restored, "embedded again at the next start")
    assert again.exit_code == 2 and said(again, "restore with --force")
    assert copy.exit_code == 0 and (tmp_path / "again.tar.gz").is_file()
    assert missing.exit_code == 2 and said(missing, "nothing.tar.gz does not exist")
    assert nothing.exit_code == 2 and said(nothing, "nothing to back up")
    assert not (tmp_path / "empty.tar.gz").exists()
    ours = backup.inspect_archive(tmp_path / "again.tar.gz")
    theirs = backup.inspect_archive(archive)
    assert ours["members"] == theirs["members"]  # the same bytes, table by table and file by file
