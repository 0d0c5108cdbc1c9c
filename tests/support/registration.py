"""Company sign-up through the registration form, with fields that pass every check."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.forms import PASSWORD, credit_code, csrf_token, unique_email


def registration_fields(**changes: str) -> dict[str, str]:
    """A valid registration (a fresh credit code and e-mail), changed by `changes`."""
    return {
        "company_name": "深圳示例基因科技有限公司",
        "credit_code": credit_code(),
        "contact_name": "陈静",
        "phone": "0755-12345678",
        "email": unique_email("web"),
        "password": PASSWORD,
    } | changes


def register_through_form(browser: TestClient, **changes: str) -> dict[str, str]:
    """Register through /register (which signs the browser in); return the fields sent."""
    fields = registration_fields(**changes)
    token = csrf_token(browser.get("/register").text)
    response = browser.post(
        "/register", data={**fields, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return fields
