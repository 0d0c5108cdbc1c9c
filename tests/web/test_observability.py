"""Request ids, structured logs without secrets, and Prometheus metrics."""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from portal import accounts, catalog, service_requests
from portal.attachments import AttachmentStore
from portal.uscc import check_character
from tests.support.forms import csrf_token
from web.app import create_app
from web.core import observability
from web.core.components import Components
from web.settings import Settings

PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "wrong-horse-battery-99"
SECRET_KEY = "k3y-" + "9f2c1e7a" * 6
SMTP_PASSWORD = "smtp-pa55-Zq81xw"
LLM_KEY = "sk-live-4b9d0c2e7f1a"
_serial = itertools.count(1)


def _credit_code() -> str:
    body = f"91440101MC{next(_serial):07d}"
    return body + check_character(body)


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition text, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every log record of the test, as the portal's JSON lines at DEBUG level."""
    buffer = io.StringIO()
    handler = observability.configure_logging(
        Settings(environment="test", log_format="json", log_level="DEBUG"), stream=buffer
    )
    yield buffer
    root = logging.getLogger()
    root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


# --- request ids ---------------------------------------------------------------------------


def test_every_response_carries_a_generated_request_id(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2026:01"})

    assert response.headers["x-request-id"] == "lb-7f3a.2026:01"


@pytest.mark.parametrize(
    "incoming", ["has space", "x" * 200, "bad\u00e9id", "-leading-dash", "a;b=c"]
)
def test_an_insane_incoming_request_id_is_replaced(client: TestClient, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming.encode("utf-8")})

    assert response.headers["x-request-id"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


# --- logs ------------------------------------------------------------------------------------


def test_one_json_access_line_per_request_with_route_template_and_no_query(
    client: TestClient, captured: io.StringIO
) -> None:
    document_id = client.get("/api/v1/documents").json()[0]["id"]

    response = client.get(f"/api/v1/documents/{document_id}?token=abc123&lang=en")

    access = [line for line in _lines(captured) if line["logger"] == "web.access"]
    mine = [line for line in access if line["request_id"] == response.headers["x-request-id"]]
    assert len(mine) == 1
    line = mine[0]
    assert line["route"] == "/api/v1/documents/{document_id}"
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "INFO")
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"].startswith("GET /api/v1/documents/{document_id} 200 ")
    server = json.dumps(
        [line for line in _lines(captured) if not line["logger"].startswith("httpx")]
    )
    assert "abc123" not in server and "token" not in server  # the test client logs its own URL
    assert document_id not in json.dumps(mine)


def test_log_lines_written_during_a_request_carry_its_id(
    client: TestClient, captured: io.StringIO
) -> None:
    response = client.post(
        "/api/v1/chat",
        json={"question": "南沙的企业所得税优惠税率是多少？"},
        headers={"X-Request-ID": "trace-answer-1"},
    )

    assert response.status_code == 200
    answer_lines = [line for line in _lines(captured) if line["message"].startswith("answer ")]
    assert [line["request_id"] for line in answer_lines] == ["trace-answer-1"]
    assert answer_lines[0]["outcome"] == "answered"
    assert answer_lines[0]["citations"] >= 1
    assert "企业所得税" not in captured.getvalue()  # questions are not logged


def test_text_format_puts_the_request_id_in_brackets(client: TestClient) -> None:
    buffer = io.StringIO()
    handler = observability.configure_logging(Settings(environment="test"), stream=buffer)
    try:
        client.get("/documents", headers={"X-Request-ID": "text-format-1"})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)

    lines = [line for line in buffer.getvalue().splitlines() if "[text-format-1]" in line]
    assert len(lines) == 1
    assert re.search(
        r" INFO +web\.access \[text-format-1\] GET /documents 200 [0-9.]+ms$", lines[0]
    )


def test_log_settings_are_case_insensitive_and_checked() -> None:
    assert Settings(log_format="JSON", log_level="debug").log_level == "DEBUG"
    with pytest.raises(ValueError, match="log_format"):
        Settings(log_format="xml")


def test_redaction_masks_secret_shapes() -> None:
    observability.register_secrets(Settings(environment="test", secret_key=SECRET_KEY))
    text = (
        f"key {SECRET_KEY} email=a@b.cn&password=hunter2hunter&csrf_token=abcdef "
        "{'password': 'p@ss w0rd'} Authorization: Bearer eyJhbGciOi.x.y "
        "cookie: cgt_session=eyJ1Ijo1fQ.sig; lang=en "
        "postgresql+psycopg://portal:dbpa55word@db.internal/portal session_version=3"
    )

    masked = observability.redact(text)

    for secret in (
        SECRET_KEY,
        "hunter2hunter",
        "abcdef",
        "p@ss",
        "eyJhbGciOi",
        "eyJ1Ijo1fQ",
        "dbpa55word",
    ):
        assert secret not in masked
    assert "email=a@b.cn" in masked and "session_version=3" in masked  # the rest stays readable
    assert "portal:[REDACTED]@db.internal" in masked


def test_no_secret_reaches_the_logs_through_login_and_failed_login(
    components: Components, captured: io.StringIO
) -> None:
    settings = components.settings.model_copy(
        update={
            "secret_key": SECRET_KEY,
            "smtp_password": SecretStr(SMTP_PASSWORD),
            "llm_api_key": LLM_KEY,
            "log_format": "json",
            "log_level": "DEBUG",
        }
    )
    app = create_app(components=Components(**{**components.__dict__, "settings": settings}))
    observability.configure_logging(settings, stream=captured)  # create_app set up stderr
    email = f"ops{next(_serial)}@example.cn"
    with components.sessions() as session:
        accounts.register_company(
            session=session,
            company_name="广州示例细胞科技有限公司",
            credit_code=_credit_code(),
            contact_name="林晓",
            phone="020-12345678",
            email=email,
            password=PASSWORD,
        )
    browser = TestClient(app)
    token = csrf_token(browser.get("/login").text)
    failed = browser.post(
        "/login", data={"email": email, "password": WRONG_PASSWORD, "csrf_token": token}
    )
    token = csrf_token(browser.get("/login").text)
    signed_in = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    api = TestClient(app).post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    logging.getLogger("web.test").warning(
        "careless: %s %s %s", SECRET_KEY, f"smtp={SMTP_PASSWORD}", LLM_KEY
    )
    browser.close()

    assert failed.status_code in (200, 400, 401, 422)
    assert signed_in.status_code == 303
    assert api.status_code == 200
    output = captured.getvalue()
    routes = [line.get("route") for line in _lines(captured) if line["logger"] == "web.access"]
    assert routes.count("/login") == 4 and "/api/v1/auth/login" in routes
    session_cookie = signed_in.cookies.get("cgt_session") or browser.cookies.get("cgt_session")
    assert session_cookie
    for secret in (
        PASSWORD,
        WRONG_PASSWORD,
        SECRET_KEY,
        SMTP_PASSWORD,
        LLM_KEY,
        session_cookie,
        token,
    ):
        assert secret not in output
    assert "careless: [REDACTED]" in output


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
            credit_code=_credit_code(),
            contact_name="陈静",
            phone="0755-12345678",
            email=f"q{next(_serial)}@example.cn",
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


def test_the_uvicorn_log_configuration_routes_everything_through_the_portal_handler() -> None:
    import logging.config

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    settings = Settings(environment="test", log_format="json", log_level="WARNING")
    try:
        logging.config.dictConfig(observability.uvicorn_log_config(settings))
        ours = [h for h in root.handlers if isinstance(h, observability.PortalHandler)]
        buffer = io.StringIO()
        ours[0].stream = buffer
        logging.getLogger("uvicorn.error").warning("Started server process [%d]", 42)
        logging.getLogger("uvicorn.access").warning('127.0.0.1 - "GET /chat?password=x" 200')
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])

    assert len(ours) == 1 and isinstance(ours[0].formatter, observability.JsonFormatter)
    lines = _lines(buffer)
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("uvicorn.error", "Started server process [42]")
    ]  # uvicorn's access line (raw path and query) is not written: web.access replaces it
