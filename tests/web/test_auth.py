"""Sessions, CSRF and access through the app: registration, sign-in, sign-out, roles, the CLI."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from portal import accounts
from portal.errors import InvalidTransition, NotFound, RateLimited, ValidationFailed
from portal.uscc import check_character
from tests.support.forms import csrf_token
from web import auth
from web.app import create_app
from web.cli import app as cli
from web.core.components import Components
from web.db.engine import build_sessions
from web.deps import CurrentStaff, CurrentUser
from web.settings import Settings

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def _code() -> str:
    body = f"91440101MB{next(_serial):07d}"
    return body + check_character(body)


def _email() -> str:
    return f"web{next(_serial)}-{id(object())}@example.cn"


def _fields(**changes: str) -> dict[str, str]:
    return {
        "company_name": "深圳示例基因科技有限公司",
        "credit_code": _code(),
        "contact_name": "陈静",
        "phone": "0755-12345678",
        "email": _email(),
        "password": PASSWORD,
    } | changes


@pytest.fixture
def browser(client: TestClient) -> Iterator[TestClient]:
    """A client of the shared app with its own cookie jar."""
    with_cookies = TestClient(client.app)
    yield with_cookies
    with_cookies.close()


def _register(browser: TestClient, **changes: str) -> dict[str, str]:
    fields = _fields(**changes)
    token = csrf_token(browser.get("/register").text)
    response = browser.post(
        "/register", data={**fields, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return fields


# --- registration and sign-in pages --------------------------------------------------------


def test_registration_signs_in_with_a_hardened_cookie(browser: TestClient) -> None:
    token = csrf_token(browser.get("/register").text)
    response = browser.post(
        "/register", data={**_fields(), "csrf_token": token}, follow_redirects=False
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/account?registered=1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{auth.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # only in production
    page = browser.get("/account")
    assert page.status_code == 200
    assert "深圳示例基因科技有限公司" in page.text


def test_invalid_registration_shows_each_message_and_keeps_what_was_typed(
    browser: TestClient,
) -> None:
    token = csrf_token(browser.get("/register?lang=en").text)
    fields = _fields(credit_code="91440300708461136X", phone="12345", password="short")

    page = browser.post("/register", data={**fields, "csrf_token": token})

    assert page.status_code == 422
    assert 'id="e-credit_code"' in page.text and "check character" in page.text
    assert "Hong Kong (+852)" in page.text
    assert 'value="91440300708461136X"' in page.text
    assert 'value="12345"' in page.text
    assert "short" not in page.text  # the password is never echoed
    assert auth.SESSION_COOKIE not in page.headers.get("set-cookie", "")


def test_registration_errors_are_in_chinese_on_the_chinese_page(browser: TestClient) -> None:
    token = csrf_token(browser.get("/register?lang=zh").text)

    page = browser.post("/register", data={**_fields(credit_code="123"), "csrf_token": token})

    assert "统一社会信用代码应为 18 位。" in page.text


def test_a_duplicate_credit_code_is_refused_on_the_page(
    browser: TestClient, client: TestClient
) -> None:
    first = _register(browser)
    other = TestClient(client.app)
    token = csrf_token(other.get("/register?lang=en").text)

    page = other.post(
        "/register", data={**_fields(credit_code=first["credit_code"]), "csrf_token": token}
    )

    assert page.status_code == 422
    assert "already registered" in page.text


def test_login_and_logout(browser: TestClient, client: TestClient) -> None:
    fields = _register(browser)
    visitor = TestClient(client.app)
    token = csrf_token(visitor.get("/login").text)

    wrong = visitor.post(
        "/login", data={"email": fields["email"], "password": "wrong-password", "csrf_token": token}
    )
    assert wrong.status_code == 401
    response = visitor.post(
        "/login",
        data={
            "email": fields["email"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/documents",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/documents"
    assert visitor.get("/api/v1/auth/me").json()["email"] == fields["email"]

    token = csrf_token(visitor.get("/account").text)
    out = visitor.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert visitor.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_only_returns_to_local_paths(browser: TestClient, target: str) -> None:
    fields = _register(browser)
    browser.cookies.clear()
    token = csrf_token(browser.get("/login").text)

    response = browser.post(
        "/login",
        data={"email": fields["email"], "password": PASSWORD, "csrf_token": token, "next": target},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/account"


def test_signing_in_always_issues_a_new_cookie_value(browser: TestClient) -> None:
    fields = _register(browser)
    registered = browser.cookies.get(auth.SESSION_COOKIE)

    first = browser.post(
        "/api/v1/auth/login", json={"email": fields["email"], "password": PASSWORD}
    )
    second = browser.post(
        "/api/v1/auth/login", json={"email": fields["email"], "password": PASSWORD}
    )

    values = {
        registered,
        first.cookies.get(auth.SESSION_COOKIE),
        second.cookies.get(auth.SESSION_COOKIE),
    }
    assert None not in values and len(values) == 3


def test_pages_redirect_visitors_to_login_and_the_api_answers_401(browser: TestClient) -> None:
    page = browser.get("/account?x=1", follow_redirects=False)

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/account%3Fx%3D1"
    assert browser.get("/api/v1/auth/me").status_code == 401


def test_a_forged_cookie_is_ignored(browser: TestClient) -> None:
    browser.cookies.set(auth.SESSION_COOKIE, "eyJ1IjoxLCJ2IjowLCJuIjoiYSJ9.forged.sig")

    assert browser.get("/api/v1/auth/me").status_code == 401


def test_logout_everywhere_ends_older_sessions(browser: TestClient, client: TestClient) -> None:
    fields = _register(browser)
    laptop = TestClient(client.app)
    laptop.post("/api/v1/auth/login", json={"email": fields["email"], "password": PASSWORD})
    assert laptop.get("/api/v1/auth/me").status_code == 200

    token = csrf_token(browser.get("/account").text)
    response = browser.post(
        "/logout-everywhere", data={"csrf_token": token}, follow_redirects=False
    )

    assert response.status_code == 303
    assert laptop.get("/api/v1/auth/me").status_code == 401
    assert laptop.get("/account", follow_redirects=False).status_code == 303


# --- CSRF ----------------------------------------------------------------------------------


def test_a_signed_in_form_post_without_the_token_is_refused(browser: TestClient) -> None:
    _register(browser)
    form = {"name": "王芳", "email": _email(), "password": PASSWORD}

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
    _register(browser)
    page = browser.get("/account").text
    token = csrf_token(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    form = {"name": "赵磊", "email": _email(), "password": PASSWORD}

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

    _register(browser)

    assert csrf_token(browser.get("/chat").text)


def test_api_with_the_cookie_is_exempt_only_with_a_json_content_type(browser: TestClient) -> None:
    _register(browser)

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
    fields = _fields(phone="+853 6612 3456")

    created = browser.post("/api/v1/auth/register", json=fields)
    invalid = browser.post(
        "/api/v1/auth/register",
        json=_fields(email=fields["email"], credit_code=fields["credit_code"], password="short"),
    )

    assert created.status_code == 201
    body = created.json()
    assert body["user"]["role"] == "company"
    assert body["user"]["company"]["credit_code"] == fields["credit_code"]
    assert invalid.status_code == 422
    assert {p["field"] for p in invalid.json()["detail"]} == {"email", "credit_code", "password"}


def test_api_login_is_rate_limited_with_retry_after(browser: TestClient) -> None:
    email = _email()
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
    email = _email()
    with components.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="职员", role="staff"
        )
    guarded.cookies.clear()
    assert guarded.get("/api/v1/_staff_only").status_code == 401

    company = _fields()
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
