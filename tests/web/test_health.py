"""Liveness (/healthz) and readiness (/readyz): what a load balancer and an orchestrator see."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from web.app import create_app
from web.core.components import Components
from web.routes import health


@pytest.fixture
def unprepared(fresh_components: Components) -> Iterator[tuple[FastAPI, TestClient]]:
    """An app whose start-up work has not run (no lifespan): the index is not loaded yet."""
    app = create_app(components=fresh_components)
    client = TestClient(app)  # not entered: the lifespan, hence the preparation, never runs
    yield app, client
    client.close()


@pytest.fixture(autouse=True)
def _june(monkeypatch: pytest.MonkeyPatch) -> None:
    """No working-calendar warning (those start in December): the checks alone are compared."""
    monkeypatch.setattr(health, "today", lambda: date(2026, 6, 1))


def test_ready_app_is_live_and_ready(client: TestClient) -> None:
    live = client.get("/healthz")
    ready = client.get("/readyz")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"index": "ok", "database": "ok"}}


def test_while_indexing_the_app_is_live_but_not_ready(
    unprepared: tuple[FastAPI, TestClient],
) -> None:
    _app, client = unprepared

    live = client.get("/healthz")
    ready = client.get("/readyz")

    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "not_ready",
        "checks": {"index": "indexing", "database": "ok"},
        "missing": ["index"],
    }


def test_a_failed_start_up_is_reported_by_readyz(unprepared: tuple[FastAPI, TestClient]) -> None:
    app, client = unprepared
    app.state.startup_error = "LoaderError: bad front matter in policy.md"

    body = client.get("/readyz").json()

    assert body["checks"]["index"] == "failed: LoaderError: bad front matter in policy.md"
    assert body["missing"] == ["index"]
    assert client.get("/healthz").status_code == 200


def test_an_unreachable_database_makes_the_app_not_ready_but_still_live(
    unprepared: tuple[FastAPI, TestClient], tmp_path: Path
) -> None:
    app, client = unprepared
    app.state.ready.set()
    gone = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.db'}")
    app.state.components = dataclasses.replace(app.state.components, engine=gone)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"index": "ok", "database": "unavailable: OperationalError"}
    assert response.json()["missing"] == ["database"]
    assert client.get("/healthz").status_code == 200


def test_readiness_turns_ok_once_the_start_up_work_is_done(fresh_components: Components) -> None:
    app = create_app(components=fresh_components)

    with TestClient(app) as client:  # the lifespan runs the preparation in the background
        assert app.state.ready.wait(120), app.state.startup_error
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
