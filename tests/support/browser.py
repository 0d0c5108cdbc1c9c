"""Helpers of the browser tests (tests/e2e): contexts, screenshots, sign-in and sign-up forms.

The fixtures (the live app's `base_url`, Debian's Chromium as `browser`) are in
tests/e2e/conftest.py; what a test calls with its own arguments is here, so that no browser
test imports another.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from tests.support.forms import PASSWORD, credit_code, unique_email

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# The `pytestmark` of every browser test module.
E2E = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is not installed (apt-get install chromium); required in CI",
    ),
]


def new_context(
    browser: Browser,
    base_url: str,
    locale: str = "zh-CN",
    viewport: ViewportSize = DESKTOP,
    *,
    timeout_ms: float = 30_000,
) -> BrowserContext:
    """A fresh browser context (own cookies) on the live app, with a default timeout."""
    context = browser.new_context(base_url=base_url, locale=locale, viewport=viewport)
    context.set_default_timeout(timeout_ms)
    return context


def screenshot(page: Page, name: str, *, min_bytes: int = 10_000) -> Path:
    """A full-page screenshot in tests/e2e/artifacts (git-ignored); it must not look empty."""
    ARTIFACTS.mkdir(exist_ok=True)
    gitignore = ARTIFACTS / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*.png\n")
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    if min_bytes:
        assert path.stat().st_size > min_bytes, "the screenshot looks empty"
    return path


def sign_in_page(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def register_page(
    page: Page, company: str, *, contact: str = "林晓", password: str = PASSWORD
) -> str:
    """Register a company through the sign-up form; return the user's e-mail address."""
    email = unique_email("e2e")
    page.goto("/register")
    page.fill("#f-company_name", company)
    page.fill("#f-credit_code", credit_code())
    page.fill("#f-contact_name", contact)
    page.fill("#f-phone", "020-66668888")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("#register button[type=submit]")
    page.wait_for_url(re.compile(r"/account"))
    return email
