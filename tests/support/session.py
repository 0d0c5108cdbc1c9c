"""Signing in through the login form, as a browser does (the CSRF token included)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from tests.support.forms import PASSWORD, csrf_token
from tests.support.users import create_staff, register_company
from web.core.components import Components


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    """A new client of `client`'s app with its own cookies, signed in through /login."""
    browser = TestClient(client.app)
    token = csrf_token(browser.get("/login").text)
    data = {"email": email, "password": password, "csrf_token": token}
    response = browser.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return browser


def post_form(browser: TestClient, page_url: str, action: str, **data: object) -> Response:
    """POST `data` to `action` with the CSRF token of `page_url` (not followed)."""
    token = csrf_token(browser.get(page_url).text)
    return browser.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def staff_browser(
    components: Components, client: TestClient, *, name: str = "赵工", role: str = "staff"
) -> TestClient:
    """A new member of the center's staff (or an admin), signed in."""
    return sign_in(client, create_staff(components, name=name, role=role)[1])


def company_browser(
    components: Components, client: TestClient, name: str = "深圳流程测试生物有限公司"
) -> TestClient:
    """A newly registered company's first user, signed in."""
    return sign_in(client, register_company(components, name=name)[1])
