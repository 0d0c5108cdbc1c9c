"""Security headers on every kind of response: pages, fragments, errors, API, files, redirects."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
import pytest

ALLOWED_REFERRER_POLICIES = {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}

# (who, method, path, extra headers): one of each kind of response the app sends
RESPONSES = {
    "html page": ("visitor", "GET", "/chat", {}),
    "html page, signed in": ("a", "GET", "/account", {}),
    "html page, staff": ("staff", "GET", "/staff/queue", {}),
    "html page, admin": ("admin", "GET", "/admin/staff", {}),
    "htmx fragment": ("staff", "GET", "/staff/queue", {"HX-Request": "true"}),
    "document viewer": ("visitor", "GET", "/documents/nansha-cit-15-en?hl=0-20", {}),
    "404 page": ("visitor", "GET", "/no-such-page", {}),
    "404 document page": ("visitor", "GET", "/documents/no-such-doc", {}),
    "403 page": ("a", "GET", "/staff/queue", {}),
    "403 csrf page": ("a", "POST", "/account/members", {}),
    "405": ("visitor", "GET", "/logout", {}),
    "303 to sign-in": ("visitor", "GET", "/account", {}),
    "401 api": ("visitor", "GET", "/api/v1/auth/me", {}),
    "404 api": ("visitor", "GET", "/api/v1/documents/no-such-doc", {}),
    "422 api": ("visitor", "POST", "/api/v1/chat", {}),
    "json api": ("visitor", "GET", "/api/v1/documents", {}),
    "openapi": ("visitor", "GET", "/openapi.json", {}),
    "static js": ("visitor", "GET", "/static/app.js", {}),
    "static css": ("visitor", "GET", "/static/app.css", {}),
    "static 404": ("visitor", "GET", "/static/nope.js", {}),
    "csv export": ("staff", "GET", "/staff/queue.csv", {}),
    "health": ("visitor", "GET", "/healthz", {}),
    "attachment": ("a", "GET", "{attachment}", {}),
}


def _own_static(src: str) -> bool:
    """A script file of this site: /static/..., relative or on the test server's own host."""
    parts = urlsplit(src)
    return parts.netloc in ("", "testserver") and parts.path.startswith("/static/")


def _client(world, who: str):  # type: ignore[no-untyped-def]
    return world.fresh() if who == "visitor" else getattr(world, who).client


def _get(world, kind: str):  # type: ignore[no-untyped-def]
    who, method, path, headers = RESPONSES[kind]
    ids = world.ids
    path = path.replace(
        "{attachment}",
        f"/requests/{ids['tracking_number']}/attachments/{ids['attachment_id']}",
    )
    client = _client(world, who)
    if method == "POST":
        return client.post(path, data={"x": "1"}, headers=headers, follow_redirects=False)
    return client.get(path, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("kind", list(RESPONSES))
def test_every_kind_of_response_carries_the_security_headers(world, kind: str) -> None:  # type: ignore[no-untyped-def]
    response = _get(world, kind)
    assert response.status_code < 500
    csp = {
        part.strip().split(" ", 1)[0]: part.strip()
        for part in response.headers["content-security-policy"].split(";")
    }

    script = csp.get("script-src") or csp["default-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "*" not in script.split() and "data:" not in script
    if kind == "attachment":  # served as a download inside a sandbox that runs nothing
        assert csp["default-src"] == "default-src 'none'" and "sandbox" in csp
    else:
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["object-src"] == "object-src 'none'"
        assert csp["base-uri"] == "base-uri 'self'"
        assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ALLOWED_REFERRER_POLICIES


HTML_PAGES = [
    "html page",
    "html page, signed in",
    "html page, staff",
    "html page, admin",
    "htmx fragment",
    "document viewer",
    "404 page",
    "404 document page",
    "403 page",
    "403 csrf page",
]


@pytest.mark.parametrize("kind", HTML_PAGES)
def test_pages_hold_no_inline_script_handler_or_javascript_url(world, kind: str) -> None:  # type: ignore[no-untyped-def]
    response = _get(world, kind)
    assert response.headers["content-type"].startswith("text/html")
    tree = lxml.html.fromstring(response.text)

    for script in tree.iter("script"):
        assert _own_static(script.get("src", "")), lxml.html.tostring(script)
        assert not (script.text or "").strip()
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith(("on", "hx-on")), (element.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (element.tag, name)


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    parts = (part.strip() for part in response.headers["content-security-policy"].split(";"))
    return {part.split(" ", 1)[0]: part for part in parts}


def test_the_api_reference_is_served_from_this_server_without_inline_script(world) -> None:  # type: ignore[no-untyped-def]
    """ReDoc and its files come from the portal itself: nothing from a CDN, no inline script."""
    client = _client(world, "visitor")

    page = client.get("/redoc")
    old_address = client.get("/docs", follow_redirects=False)

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (old_address.status_code, old_address.headers["location"]) == (308, "/redoc")
    assert not re.search(r"(https?:)?//", page.text.replace("<!doctype html>", ""))
    tree = lxml.html.fromstring(page.text)
    assert tree.find(".//redoc").get("spec-url") == "/openapi.json"
    scripts = list(tree.iter("script"))
    assert scripts and not any((script.text or "").strip() for script in scripts)
    for element in tree.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib)
    assets = [
        element.get("src") or element.get("href") for element in (*scripts, *tree.iter("link"))
    ]
    for url in assets:
        assert urlsplit(url).netloc == "" and url.startswith("/"), url
        assert client.get(url).status_code == 200, url
    assert client.get("/openapi.json").json()["info"]["title"]


def test_only_the_api_reference_page_has_its_own_csp(world) -> None:  # type: ignore[no-untyped-def]
    """ReDoc needs inline styles and a blob: worker; no other response gets them."""
    from web.security import API_REFERENCE_CSP, CONTENT_SECURITY_POLICY

    client = _client(world, "visitor")
    page = client.get("/redoc")
    paths = ("/chat", "/openapi.json", "/docs")
    others = [client.get(path, follow_redirects=False) for path in paths]
    others.append(client.get(lxml.html.fromstring(page.text).find(".//script").get("src")))

    assert page.headers["content-security-policy"] == API_REFERENCE_CSP != CONTENT_SECURITY_POLICY
    for response in others:
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page_csp, app_csp = _csp(page), _csp(others[0])
    # Still no inline or foreign script, no framing, no plugins: only styles and workers relax.
    for directive in ("default-src", "script-src", "object-src", "base-uri", "frame-ancestors"):
        assert page_csp[directive] == app_csp[directive]
    assert page_csp["worker-src"] == "worker-src 'self' blob:"


def test_attachments_are_downloads_never_rendered(world) -> None:  # type: ignore[no-untyped-def]
    response = _get(world, "attachment")

    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "private, no-store"


def test_the_session_cookie_is_secure_in_production(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = world.components.settings
    monkeypatch.setattr(settings, "environment", "production")
    browser = world.fresh()

    response = browser.post(
        "/api/v1/auth/login", json={"email": world.a.email, "password": world.PASSWORD}
    )

    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_starlettes_own_413_and_500_responses_carry_the_headers_and_a_request_id(world) -> None:  # type: ignore[no-untyped-def]
    """The body limit and the last-resort error handler answer outside the app's middleware."""
    from fastapi.testclient import TestClient

    from web.app import create_app

    too_large = world.fresh().post(
        "/api/v1/chat", content=b"x" * (3 * 1024 * 1024), headers={"X-Request-ID": "big-1"}
    )
    app = create_app(components=world.components)  # its own app: the route table stays as is

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("an unhandled error")

    failed = TestClient(app, raise_server_exceptions=False).get("/boom")

    assert (too_large.status_code, failed.status_code) == (413, 500)
    for response in (too_large, failed):
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-request-id"]
        assert "an unhandled error" not in response.text
    assert too_large.headers["x-request-id"] == "big-1"
