"""Request ids and structured logs without secrets, through the app."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from portal import accounts
from tests.support.forms import credit_code, csrf_token, unique_email
from web.app import create_app
from web.core import observability
from web.core.components import Components
from web.settings import Settings

PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "wrong-horse-battery-99"
SECRET_KEY = "k3y-" + "9f2c1e7a" * 6
SMTP_PASSWORD = "smtp-pa55-Zq81xw"
LLM_KEY = "sk-live-4b9d0c2e7f1a"


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
    email = unique_email("ops")
    with components.sessions() as session:
        accounts.register_company(
            session=session,
            company_name="广州示例细胞科技有限公司",
            credit_code=credit_code(),
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
