"""What guards signed-in use: CSRF, the JSON auth API, roles, error mapping and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from portal import accounts
from portal.errors import InvalidTransition, NotFound, RateLimited, ValidationFailed
from tests.support.forms import PASSWORD, csrf_token, unique_email
from tests.support.registration import register_through_form, registration_fields
from web.app import create_app
from web.cli import app as cli
from web.core.components import Components
from web.db.engine import build_sessions
from web.deps import CurrentStaff, CurrentUser
from web.settings import Settings

# --- registration and sign-in pages --------------------------------------------------------


# --- CSRF ----------------------------------------------------------------------------------


def test_a_signed_in_form_post_without_the_token_is_refused(browser: TestClient) -> None:
    register_through_form(browser)
    form = {"name": "王芳", "email": unique_email("web"), "password": PASSWORD}

    refused = browser.post("/account/members", data=form)
    wrong = browser.post("/account/members", data={**form, "csrf_token": "0" * 64})
    token = csrf_token(browser.get("/account").text)
    accepted = browser.post(
        "/account/members", data={**form, "csrf_token": token}, follow_redirects=False
    )

    assert refused.status_code == 403
    assert wrong.status_code == 403
    assert accepted.status_code == 303
    assert form["email"] in browser.get("/account").text


def test_htmx_sends_the_token_as_a_header(browser: TestClient) -> None:
    register_through_form(browser)
    page = browser.get("/account").text
    token = csrf_token(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    form = {"name": "赵磊", "email": unique_email("web"), "password": PASSWORD}

    response = browser.post(
        "/account/members", data=form, headers={"X-CSRF-Token": token}, follow_redirects=False
    )

    assert response.status_code == 303


def test_the_login_form_needs_the_token_even_before_sign_in(browser: TestClient) -> None:
    response = browser.post("/login", data={"email": "x@example.cn", "password": PASSWORD})

    assert response.status_code == 403


def test_the_chat_form_carries_the_token_and_visitors_get_no_cookie(browser: TestClient) -> None:
    visitor_page = browser.get("/chat")
    assert 'name="csrf_token"' in visitor_page.text
    assert "set-cookie" not in visitor_page.headers  # the chat needs no cookie for visitors

    register_through_form(browser)

    assert csrf_token(browser.get("/chat").text)


def test_api_with_the_cookie_is_exempt_only_with_a_json_content_type(browser: TestClient) -> None:
    register_through_form(browser)

    plain = browser.post(
        "/api/v1/auth/logout", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    form = browser.post("/api/v1/auth/logout", data={"a": "b"})
    assert (plain.status_code, form.status_code) == (403, 403)
    assert browser.get("/api/v1/auth/me").status_code == 200

    json_call = browser.post("/api/v1/auth/logout", json={})
    assert json_call.status_code == 204
    assert browser.get("/api/v1/auth/me").status_code == 401


# --- JSON API ------------------------------------------------------------------------------


def test_api_registration_returns_201_or_every_field_error(browser: TestClient) -> None:
    fields = registration_fields(phone="+853 6612 3456")

    created = browser.post("/api/v1/auth/register", json=fields)
    invalid = browser.post(
        "/api/v1/auth/register",
        json=registration_fields(
            email=fields["email"], credit_code=fields["credit_code"], password="short"
        ),
    )

    assert created.status_code == 201
    body = created.json()
    assert body["user"]["role"] == "company"
    assert body["user"]["company"]["credit_code"] == fields["credit_code"]
    assert invalid.status_code == 422
    assert {p["field"] for p in invalid.json()["detail"]} == {"email", "credit_code", "password"}


def test_api_login_is_rate_limited_with_retry_after(browser: TestClient) -> None:
    email = unique_email("web")
    statuses = [
        browser.post(
            "/api/v1/auth/login", json={"email": email, "password": "wrong-pw"}
        ).status_code
        for _ in range(3)  # three free tries per email and address, then a growing delay
    ]
    limited = browser.post("/api/v1/auth/login", json={"email": email, "password": "wrong-pw"})

    assert statuses == [401] * 3
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 16


# --- roles and error mapping ---------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(components: Components) -> TestClient:
    """A separate app with routes that need staff, and routes that raise each domain error."""
    app: FastAPI = create_app(components=components)

    @app.get("/api/v1/_staff_only")
    def staff_only(user: CurrentStaff) -> dict[str, str]:
        return {"role": user.role}

    @app.get("/_mine")
    def mine(user: CurrentUser) -> dict[str, int]:
        return {"id": user.id}

    errors = {
        "not_found": NotFound("request"),
        "transition": InvalidTransition("closed", "in_progress"),
        "invalid": ValidationFailed({"title": "Enter a title."}),
        "limited": RateLimited(42),
    }

    @app.get("/api/v1/_raise/{name}")
    def raise_error(name: str) -> None:
        raise errors[name]

    return TestClient(app)


def test_staff_only_routes_refuse_company_users_and_visitors(
    guarded: TestClient, components: Components
) -> None:
    email = unique_email("web")
    with components.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="职员", role="staff"
        )
    guarded.cookies.clear()
    assert guarded.get("/api/v1/_staff_only").status_code == 401

    company = registration_fields()
    guarded.post("/api/v1/auth/register", json=company)
    assert guarded.get("/api/v1/_staff_only").status_code == 403
    assert guarded.get("/_mine").status_code == 200

    guarded.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert guarded.get("/api/v1/_staff_only").json() == {"role": "staff"}
    guarded.cookies.clear()


def test_domain_errors_map_to_status_codes(guarded: TestClient) -> None:
    assert guarded.get("/api/v1/_raise/not_found").status_code == 404
    transition = guarded.get("/api/v1/_raise/transition")
    assert transition.status_code == 409
    assert "closed" in transition.json()["detail"]
    invalid = guarded.get("/api/v1/_raise/invalid")
    assert invalid.status_code == 422
    assert invalid.json()["detail"] == [{"field": "title", "message": "Enter a title."}]
    limited = guarded.get("/api/v1/_raise/limited")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "42"


# --- the command line ----------------------------------------------------------------------


def test_users_create_makes_staff_without_loading_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path))
    # Building the assistant would fail on this model name: the command must not need it.
    monkeypatch.setenv("CGT_PORTAL_EMBEDDINGS", "sentence-transformers:/nonexistent/model")
    runner = CliRunner()
    arguments = [
        "users",
        "create",
        "--role",
        "admin",
        "--email",
        "Boss@Center.cn",
        "--password",
        PASSWORD,
        "--name",
        "主任",
    ]

    created = runner.invoke(cli, arguments)
    again = runner.invoke(cli, arguments)
    bad_role = runner.invoke(cli, [*arguments[:3], "company", *arguments[4:]])
    short = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--role",
            "staff",
            "--email",
            "s@center.cn",
            "--password",
            "short",
            "--name",
            "S",
        ],
    )

    assert created.exit_code == 0, created.output
    assert "boss@center.cn" in created.output
    assert (again.exit_code, bad_role.exit_code, short.exit_code) == (2, 2, 2)
    assert "already exists" in again.output
    assert "password" in short.output
    with build_sessions(Settings(data_dir=tmp_path))() as session:
        user = accounts.get_user_by_email(session=session, email="boss@center.cn")
        assert user is not None and user.role == "admin"
