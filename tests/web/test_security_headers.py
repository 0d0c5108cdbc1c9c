"""Every response carries the security headers; pages use no inline script."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/chat", "/documents", "/api/v1/documents", "/healthz", "/login"])
def test_security_headers_on_pages_and_api(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/chat", "/documents", "/login", "/register"])
def test_pages_have_no_inline_scripts_or_handlers(client: TestClient, path: str) -> None:
    html = client.get(path).text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=|hx-on", html)
