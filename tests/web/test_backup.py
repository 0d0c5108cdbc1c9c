"""Backup and restore: a round trip keeps every row, every file and the answers; bad archives
and occupied targets are refused without changing anything."""

from __future__ import annotations

import io
import itertools
import json
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select, text
from typer.testing import CliRunner

from portal import accounts, catalog, service_requests
from portal.attachments import AttachmentStore
from portal.models import Attachment, Event, Message
from portal.uscc import check_character
from retrieval.embeddings import EmbeddingModel
from web.app import create_app
from web.cli import app as cli
from web.core.components import Components, build
from web.db import backup
from web.db.engine import build_engine
from web.settings import Settings

PASSWORD = "correct horse battery staple"
QUESTION = "When does Decree 818 take effect?"
PDF = b"%PDF-1.4\n% release test plan\n" + bytes(range(256)) * 8
_serial = itertools.count(1)


def _credit_code() -> str:
    body = f"91440101MD{next(_serial):07d}"
    return body + check_character(body)


DERIVED = ("rt_passage_tokens", "rt_terms", "rt_fulltext")  # rebuilt by a restore, not archived


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every archived table, ordered by primary key, datetimes as UTC."""
    metadata = MetaData()
    metadata.reflect(engine)
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version" or table.name.startswith(DERIVED):
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [
                {k: _utc(v) for k, v in row.items()}
                for row in connection.execute(select(table).order_by(*order)).mappings()
            ]
    return out


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _populate(components: Components) -> dict[str, Any]:
    """A company with two users, a request with an attachment, messages and events."""
    store = AttachmentStore(components.settings.uploads_path)
    email = f"backup{next(_serial)}@example.cn"
    with components.sessions() as session:
        catalog.sync_catalog(session=session, documents=[])
        owner = accounts.register_company(
            session=session,
            company_name="南沙示例细胞治疗有限公司",
            credit_code=_credit_code(),
            contact_name="黄敏",
            phone="020-87654321",
            email=email,
            password=PASSWORD,
        )
        accounts.add_company_member(
            session=session,
            actor=owner,
            email=f"m{next(_serial)}@example.cn",
            password=PASSWORD,
            name="李雷",
        )
        request = service_requests.submit(
            session=session,
            user=owner,
            service_code="release_lot_testing",
            title="Release testing for lot 12",
            description="Sterility and mycoplasma, lot 12.",
            fields={
                "product_type": "car_t",
                "development_stage": "clinical",
                "sample_type": "cell suspension",
                "sample_quantity": "3",
                "cold_chain": "liquid_nitrogen",
                "tests_requested": ["sterility"],
                "report_language": "zh",
            },
            idempotency_key=f"backup-{next(_serial)}",
            files=[("plan.pdf", PDF)],
            store=store,
        )
        service_requests.add_message(
            session=session,
            user=owner,
            request=request,
            body="补充：样品周三寄出。",
            files=[("notes.txt", "冷链运输 / cold chain".encode())],
            store=store,
        )
        counts = {
            "messages": len(list(session.scalars(select(Message.id)))),
            "events": len(list(session.scalars(select(Event.id)))),
            "attachments": list(session.scalars(select(Attachment.sha256))),
        }
    return {"email": email, "tracking_number": request.tracking_number, **counts}


@pytest.fixture(scope="module")
def source(components: Components) -> dict[str, Any]:
    """The session's indexed portal with portal data added."""
    return _populate(components)


@pytest.fixture
def archive(components: Components, source: dict[str, Any], tmp_path: Path) -> Path:
    """A backup of the source portal."""
    path = tmp_path / "backups" / "portal.tar.gz"
    backup.backup(components.settings, path)
    return path


def _target(tmp_path: Path, name: str = "restored") -> Settings:
    return Settings(environment="test", data_dir=tmp_path / name, ingest_on_start=False)


@pytest.fixture
def restored(
    archive: Path, tmp_path: Path, use_model: EmbeddingModel
) -> Iterator[tuple[backup.Outcome, Components]]:
    """The archive restored into a fresh data folder and database."""
    settings = _target(tmp_path)
    outcome = backup.restore(settings, archive)
    parts = build(settings, embeddings=use_model)
    yield outcome, parts
    parts.engine.dispose()


def _keyword_index(engine: Engine) -> tuple[dict[str, tuple[str, str]], dict[str, int]]:
    """The keyword index by passage (tokens, unit tokens) and its per-token counts."""
    with engine.connect() as connection:
        tokens = connection.execute(
            text("SELECT chunk_id, tokens, unit_tokens FROM rt_passage_tokens")
        ).all()
        terms = connection.execute(text("SELECT term, passages FROM rt_terms")).all()
    return {r[0]: (r[1], r[2]) for r in tokens}, {r[0]: r[1] for r in terms}


def _citations(client: TestClient) -> list[tuple[str, str, str]]:
    body = client.post("/api/v1/chat", json={"question": QUESTION}).json()
    assert body["refused"] is False, body
    return [(c["document_id"], c["chunk_id"], c["quote"]) for c in body["citations"]]


# --- the round trip ------------------------------------------------------------------------


def test_the_manifest_describes_the_archive(
    archive: Path, components: Components, source: dict[str, Any]
) -> None:
    manifest = backup.inspect_archive(archive)

    assert manifest["format"] == "cgt-portal-backup" and manifest["format_version"] == 1
    assert manifest["embedding_models"] == [components.embeddings.model_id]
    with components.engine.connect() as connection:
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert manifest["alembic_revision"] == revision
    assert manifest["tables"]["portal_attachments"] >= 2
    assert manifest["tables"]["kb_chunks"] == manifest["tables"]["rt_passage_vectors"] > 100
    for sha in source["attachments"]:
        member = f"attachments/{sha[:2]}/{sha[2:4]}/{sha}"
        assert manifest["members"][member] == sha  # content-addressed files hash to their names
    assert archive.stat().st_mode & 0o077 == 0  # password hashes inside: owner only


def test_restore_brings_back_every_row_and_file(
    restored: tuple[backup.Outcome, Components], components: Components, source: dict[str, Any]
) -> None:
    outcome, target = restored

    before, after = _rows(components.engine), _rows(target.engine)

    assert after == before
    # The keyword index is not archived: it is rebuilt, to the same tokens and counts.
    assert _keyword_index(target.engine) == _keyword_index(components.engine)
    assert outcome.tables == {name: len(rows) for name, rows in before.items()}
    assert len(after["portal_messages"]) == source["messages"]
    assert len(after["portal_events"]) == source["events"] >= 2
    old_store = AttachmentStore(components.settings.uploads_path)
    new_store = AttachmentStore(target.settings.uploads_path)
    assert PDF in [new_store.read(sha) for sha in source["attachments"]]
    for sha in source["attachments"]:
        assert new_store.read(sha) == old_store.read(sha)


def test_restored_portal_answers_the_same_and_the_old_password_works(
    restored: tuple[backup.Outcome, Components], client: TestClient, source: dict[str, Any]
) -> None:
    outcome, target = restored
    app = create_app(components=target)

    with TestClient(app) as restored_client:
        assert app.state.ready.wait(120), app.state.startup_error
        assert _citations(restored_client) == _citations(client)
        login = restored_client.post(
            "/api/v1/auth/login", json={"email": source["email"], "password": PASSWORD}
        )
        mine = restored_client.get(f"/api/v1/requests/{source['tracking_number']}")

    assert outcome.vectors_indexed == len(target.vector_store.ids()) > 100
    assert login.status_code == 200, login.text
    assert mine.status_code == 200 and mine.json()["title"] == "Release testing for lot 12"


def test_new_rows_after_a_restore_get_fresh_ids(
    restored: tuple[backup.Outcome, Components], source: dict[str, Any]
) -> None:
    _outcome, target = restored
    with target.sessions() as session:
        highest = max(session.scalars(select(Event.id)))
        catalog.sync_catalog(session=session, documents=[])
        user = accounts.get_user_by_email(session=session, email=source["email"])
        assert user is not None
        request = service_requests.get_for_user(
            session=session, user=user, tracking_number=source["tracking_number"]
        )
        service_requests.add_message(
            session=session, user=user, request=request, body="还有一个问题。"
        )
        newest = max(session.scalars(select(Event.id)))

    assert newest > highest  # PostgreSQL sequences continue after the restored rows


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
    settings = _target(tmp_path, "occupied")
    backup.restore(settings, archive)
    return settings, _rows_of(settings)


def _rows_of(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    engine = build_engine(settings)
    try:
        return _rows(engine)
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
        backup.restore(_target(tmp_path), path)
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
        backup.restore(_target(tmp_path), evil_path)
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
