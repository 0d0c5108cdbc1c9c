"""Backup and restore: a round trip keeps every row, every file and the answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from portal import accounts, catalog, request_messages, service_requests
from portal.attachments import AttachmentStore
from portal.models import Event
from tests.web.backup.tables import PASSWORD, PDF, archived_rows
from web.app import create_app
from web.core.components import Components
from web.db import backup

QUESTION = "When does Decree 818 take effect?"


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

    before, after = archived_rows(components.engine), archived_rows(target.engine)

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
        request_messages.add_message(
            session=session, user=user, request=request, body="还有一个问题。"
        )
        newest = max(session.scalars(select(Event.id)))

    assert newest > highest  # PostgreSQL sequences continue after the restored rows
