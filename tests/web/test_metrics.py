"""Prometheus metrics through the app: requests by route, answers, queue and SLA gauges, workers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from portal import accounts, catalog, service_requests
from portal.attachments import AttachmentStore
from tests.support.forms import credit_code, unique_email
from web.app import create_app
from web.core import observability
from web.core.components import Components

PASSWORD = "correct horse battery staple"


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition text, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- request ids ---------------------------------------------------------------------------


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    document_id = client.get("/api/v1/documents").json()[0]["id"]
    before = _samples(client.get("/metrics").text)

    client.get(f"/api/v1/documents/{document_id}")
    client.get("/no/such/page-123")
    client.get("/static/app.js")
    client.get("/openapi.json")
    after_response = client.get("/metrics")

    after = _samples(after_response.text)
    assert after_response.headers["content-type"].startswith("text/plain")
    name = "cgt_portal_http_request_duration_seconds_count"
    route = {"method": "GET", "route": "/api/v1/documents/{document_id}", "status": "200"}
    assert _value(after, name, **route) == _value(before, name, **route) + 1
    missing = {"method": "GET", "route": "unmatched", "status": "404"}
    assert _value(after, name, **missing) == _value(before, name, **missing) + 1
    for template in ("/static/{path}", "/openapi.json"):  # a mount, a plain Starlette route
        labels = {"method": "GET", "route": template, "status": "200"}
        assert _value(after, name, **labels) == _value(before, name, **labels) + 1
    routes = {dict(labels).get("route") for (_n, labels) in after}
    assert not any(document_id in (r or "") or "page-123" in (r or "") for r in routes)


def test_metrics_count_answers_and_refusals_with_their_latency(client: TestClient) -> None:
    before = _samples(client.get("/metrics").text)

    answered = client.post("/api/v1/chat", json={"question": "When does Decree 818 take effect?"})
    refused = client.post(
        "/api/v1/chat", json={"question": "What is the best recipe for chocolate cake?"}
    )
    after = _samples(client.get("/metrics").text)

    assert answered.json()["refused"] is False and refused.json()["refused"] is True
    reason = refused.json().get("reason") or "no_match"
    count = "cgt_portal_answers_total"
    assert _value(after, count, outcome="answered", reason="none") == (
        _value(before, count, outcome="answered", reason="none") + 1
    )
    refusals = {
        dict(labels)["reason"]: value - before.get((name, labels), 0.0)
        for (name, labels), value in after.items()
        if name == count and dict(labels)["outcome"] == "refused"
    }
    assert sum(refusals.values()) == 1
    assert set(k for k, v in refusals.items() if v) <= {reason, "no_match", "out_of_scope"}
    latency = "cgt_portal_answer_duration_seconds_count"
    for outcome in ("answered", "refused"):
        assert (
            _value(after, latency, outcome=outcome) == _value(before, latency, outcome=outcome) + 1
        )
    assert _value(after, "cgt_portal_answer_duration_seconds_sum", outcome="answered") > 0


def test_the_html_chat_is_measured_too(client: TestClient) -> None:
    before = _samples(client.get("/metrics").text)

    client.post(
        "/chat", data={"question": "南沙的企业所得税优惠税率是多少？"}, follow_redirects=False
    )

    after = _samples(client.get("/metrics").text)
    count = "cgt_portal_answers_total"
    assert _value(after, count, outcome="answered", reason="none") == (
        _value(before, count, outcome="answered", reason="none") + 1
    )


def test_queue_size_and_sla_breaches_are_read_from_the_database(
    fresh_components: Components,
) -> None:
    with fresh_components.sessions() as session:
        catalog.sync_catalog(session=session, documents=[])
        user = accounts.register_company(
            session=session,
            company_name="深圳示例基因科技有限公司",
            credit_code=credit_code(),
            contact_name="陈静",
            phone="0755-12345678",
            email=unique_email("q"),
            password=PASSWORD,
        )
        fields = {
            "product_type": "car_t",
            "development_stage": "clinical",
            "sample_type": "cell suspension",
            "sample_quantity": "3",
            "cold_chain": "liquid_nitrogen",
            "tests_requested": ["sterility"],
            "report_language": "zh",
        }
        long_ago = datetime.now(UTC) - timedelta(days=60)
        for key, moment in (("old", long_ago), ("new", None)):
            service_requests.submit(
                session=session,
                user=user,
                service_code="release_lot_testing",
                title=f"Lot {key}",
                description="Sterility for our CAR-T lot.",
                fields=fields,
                idempotency_key=key,
                now=moment,
                files=[("sample-information.pdf", b"%PDF-1.4\n%%EOF\n")],
                store=AttachmentStore(fresh_components.settings.uploads_path),
            )
    app = create_app(components=fresh_components)

    samples = _samples(TestClient(app).get("/metrics").text)

    assert _value(samples, "cgt_portal_open_requests", status="submitted") == 2
    assert _value(samples, "cgt_portal_open_requests", status="in_progress") == 0
    assert _value(samples, "cgt_portal_sla_breached_requests") == 1
    assert _value(samples, "cgt_portal_database_up") == 1
    assert _value(samples, "cgt_portal_ready") == 0  # this app never ran its start-up work


def test_several_worker_processes_add_up_in_multiprocess_mode(
    fresh_components: Components, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    worker = textwrap.dedent(
        """
        from sqlalchemy.orm import sessionmaker
        from web.core.observability import Metrics
        metrics = Metrics(sessions=sessionmaker())
        metrics.observe_request(method="GET", route="/chat", status=200, seconds=0.02)
        """
    )
    for _ in range(2):  # two workers, each its own process
        subprocess.run(
            [sys.executable, "-c", worker],
            check=True,
            env={"PROMETHEUS_MULTIPROC_DIR": str(shared), "PATH": "/usr/bin:/bin"},
            cwd=Path(__file__).resolve().parents[2],
            timeout=120,
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))

    body, _ = observability.Metrics(sessions=fresh_components.sessions).render()

    samples = _samples(body.decode())
    labels = {"method": "GET", "route": "/chat", "status": "200"}
    assert _value(samples, "cgt_portal_http_request_duration_seconds_count", **labels) == 2
    assert _value(samples, "cgt_portal_database_up") == 1  # the database gauges come along
