"""Sessions through the app: registration, sign-in and sign-out pages, cookies, redirects."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.forms import PASSWORD, csrf_token
from tests.support.registration import register_through_form, registration_fields
from web import auth

# --- registration and sign-in pages --------------------------------------------------------


def test_registration_signs_in_with_a_hardened_cookie(browser: TestClient) -> None:
    token = csrf_token(browser.get("/register").text)
    response = browser.post(
        "/register", data={**registration_fields(), "csrf_token": token}, follow_redirects=False
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
    fields = registration_fields(credit_code="91440300708461136X", phone="12345", password="short")

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

    page = browser.post(
        "/register", data={**registration_fields(credit_code="123"), "csrf_token": token}
    )

    assert "统一社会信用代码应为 18 位。" in page.text


def test_a_duplicate_credit_code_is_refused_on_the_page(
    browser: TestClient, client: TestClient
) -> None:
    first = register_through_form(browser)
    other = TestClient(client.app)
    token = csrf_token(other.get("/register?lang=en").text)

    page = other.post(
        "/register",
        data={**registration_fields(credit_code=first["credit_code"]), "csrf_token": token},
    )

    assert page.status_code == 422
    assert "already registered" in page.text


def test_login_and_logout(browser: TestClient, client: TestClient) -> None:
    fields = register_through_form(browser)
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
    fields = register_through_form(browser)
    browser.cookies.clear()
    token = csrf_token(browser.get("/login").text)

    response = browser.post(
        "/login",
        data={"email": fields["email"], "password": PASSWORD, "csrf_token": token, "next": target},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/account"


def test_signing_in_always_issues_a_new_cookie_value(browser: TestClient) -> None:
    fields = register_through_form(browser)
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
    fields = register_through_form(browser)
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
