"""The API reference (ReDoc) renders in a real Chromium under its own CSP, offline."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Browser, expect

from tests.support.browser import E2E

pytestmark = E2E

# ReDoc 2 always draws an "API docs by Redocly" credit whose logo it asks of its vendor's CDN;
# the CSP blocks it before any request leaves, and ReDoc then hides the image.
REDOC_CREDIT_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_the_api_reference_renders_and_searches_with_nothing_from_elsewhere(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console_errors: list[str] = []  # Chromium reports every CSP violation here
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/docs")  # the usual FastAPI address leads here
    expect(page).to_have_url(f"{base_url}/redoc")
    expect(page.get_by_role("heading", name="GBA CGT Public Service Center portal")).to_be_visible()
    expect(page.get_by_text("/api/v1/chat").first).to_be_attached()
    page.get_by_placeholder("Search...").fill("chat")  # search runs in ReDoc's blob: worker
    expect(page.get_by_role("menuitem", name="Chat").first).to_be_visible()
    context.close()

    assert errors == []
    assert all(REDOC_CREDIT_LOGO in text for text in console_errors), console_errors
    origin = urlsplit(base_url).netloc
    foreign = [url for url in loaded if not url.startswith("blob:")]
    foreign = [url for url in foreign if urlsplit(url).netloc != origin]
    assert foreign == []
    assert f"{base_url}/openapi.json" in loaded
