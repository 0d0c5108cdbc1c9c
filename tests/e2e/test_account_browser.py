"""A forgotten password reset through the outbox, and My questions, in a real Chromium."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal import accounts
from portal.models import OutboxMessage
from portal.uscc import check_character
from tests.support.browser import DESKTOP, E2E, PHONE, new_context, screenshot
from web.core.components import Components

pytestmark = E2E

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "seven lanterns over nansha bay"
TIMEOUT_MS = 60_000
_serial = itertools.count(1)

expect.set_options(timeout=TIMEOUT_MS)


def _main_fits(page: Page) -> None:
    """The page's own content scrolls no wider than the screen."""
    wide = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('main *')]"
        ".map(e => e.getBoundingClientRect().right)) - window.innerWidth"
    )
    assert wide <= 1, f"content reaches {wide:.0f} px past the right edge"


def _register(page: Page) -> str:
    n = next(_serial)
    body = f"91440600MG{n:07d}"
    email = f"acct{n}-{time.time_ns()}@example.cn"
    page.goto("/register")
    page.fill("#f-company_name", "南沙端到端基因治疗有限公司")
    page.fill("#f-credit_code", body + check_character(body))
    page.fill("#f-contact_name", "郑敏")
    page.fill("#f-phone", "020-66668888")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("#register button[type=submit]")
    page.wait_for_url(re.compile(r"/account"))
    return email


def _link_in_outbox(components: Components, email: str, path: str) -> str:
    with components.sessions() as session:
        user = accounts.get_user_by_email(session=session, email=email)
        assert user is not None
        body = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert body, f"nothing in the outbox of {email}"
    match = re.search(re.escape(path) + r"\?token=[A-Za-z0-9_\-]+", body)
    assert match, body
    return match.group(0)


def test_a_forgotten_password_is_reset_through_the_link_in_the_outbox(
    browser: Browser, base_url: str, components: Components
) -> None:
    context = new_context(browser, base_url, "zh-CN", timeout_ms=TIMEOUT_MS)
    page = context.new_page()
    email = _register(page)
    page.click("header form.logout button")

    page.goto("/login")
    page.click("text=忘记密码？")
    page.fill("#f-email", email)
    page.click("#forgot button[type=submit]")
    expect(page.locator("p.notice")).to_contain_text("如果该邮箱有账号")
    page.set_viewport_size(PHONE)
    screenshot(page, "password-forgot-sent-zh-390.png")

    page.goto(_link_in_outbox(components, email, "/password/reset"))
    expect(page.locator("h1")).to_have_text("设置新密码")
    page.fill("#f-password", "1234567890")
    page.fill("#f-password_again", "1234567890")
    page.click("#reset button[type=submit]")
    expect(page.locator("#e-password")).to_contain_text("这是最常见的密码之一")
    _main_fits(page)
    screenshot(page, "password-reset-refused-zh-390.png")
    page.fill("#f-password", NEW_PASSWORD)
    page.fill("#f-password_again", NEW_PASSWORD)
    page.click("#reset button[type=submit]")
    page.wait_for_url(re.compile(r"/account\?reset=1"))
    expect(page.locator("p.notice")).to_contain_text("新密码已生效")

    # The old password no longer opens the account; the new one does.
    other = context.browser.new_context(base_url=base_url, locale="zh-CN")  # type: ignore[union-attr]
    login = other.new_page()
    for password, lands in ((PASSWORD, r"/login"), (NEW_PASSWORD, r"/account")):
        login.goto("/login")
        login.fill("input[name=email]", email)
        login.fill("input[name=password]", password)
        login.click("#login button[type=submit]")
        login.wait_for_url(re.compile(lands))
    other.close()
    context.close()


def _ask(page: Page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask button[type=submit]")
    expect(page.locator("#turns article.turn .question").last).to_contain_text(question)


def test_my_questions_lists_searches_reopens_prints_and_exports(
    browser: Browser, base_url: str
) -> None:
    context = new_context(browser, base_url, "zh-CN", timeout_ms=TIMEOUT_MS)
    page = context.new_page()
    _register(page)
    page.goto("/chat")
    _ask(page, "南沙的企业所得税优惠税率是多少？")
    _ask(page, "这个优惠什么时候到期？")
    page.click("a.start-over")
    _ask(page, "When does Decree 818 take effect?")

    page.click("header nav a[href='/history']")
    titles = page.locator(".conversation-title")
    expect(titles).to_have_count(2)
    expect(titles.first).to_have_text("When does Decree 818 take effect?")
    for lang, size, name in (
        ("zh", DESKTOP, "1280"),
        ("zh", PHONE, "390"),
        ("en", PHONE, "390"),
        ("en", DESKTOP, "1280"),
    ):
        page.set_viewport_size(size)
        page.goto(f"/history?lang={lang}")
        _main_fits(page)
        screenshot(page, f"history-list-{lang}-{name}.png")

    # Typing searches without a button press (htmx); the address keeps the query.
    page.fill("#history-q", "税率")
    expect(titles).to_have_count(1)
    expect(titles.first).to_contain_text("企业所得税")
    page.wait_for_url(re.compile(r"q=%E7%A8%8E%E7%8E%87"))

    titles.first.click()
    expect(page.locator("article.turn")).to_have_count(2)
    expect(page.locator("ol.citations").first).to_be_visible()
    expect(page.locator("button[data-print]")).to_be_visible()
    for lang, size, name in (("en", PHONE, "390"), ("zh", DESKTOP, "1280")):
        page.set_viewport_size(size)
        page.goto(page.url.split("?")[0] + f"?lang={lang}")
        _main_fits(page)
        screenshot(page, f"history-conversation-{lang}-{name}.png")
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator(".history-actions")).to_be_hidden()
    screenshot(page, "history-conversation-print-zh.png")
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.click("a[href$='/export.md']")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.startswith("# 我的问答") and "### 出处" in exported
    assert re.search(r"^> .+", exported, flags=re.MULTILINE)

    page.click("text=继续提问")
    page.wait_for_url(re.compile(r"/chat\?c="))
    expect(page.locator("#turns article.turn")).to_have_count(2)
    context.close()


def test_the_account_page_at_both_sizes_in_both_languages(browser: Browser, base_url: str) -> None:
    context = new_context(browser, base_url, "zh-CN", timeout_ms=TIMEOUT_MS)
    page = context.new_page()
    _register(page)
    page.fill("#f-name", "王芳")
    page.fill("#f-email", f"colleague{time.time_ns()}@example.cn")
    page.click("#add-member button[type=submit]")
    expect(page.locator("li.state-invited")).to_have_count(1)
    page.fill("#f-current_password", PASSWORD)
    page.fill("#f-password", "aaaaaaaaaa")
    page.fill("#f-password_again", "aaaaaaaaaa")
    page.click("#change-password button[type=submit]")
    expect(page.locator("#e-password")).to_contain_text("重复的字符")
    for lang, size, name in (
        ("zh", PHONE, "390"),
        ("zh", DESKTOP, "1280"),
        ("en", PHONE, "390"),
        ("en", DESKTOP, "1280"),
    ):
        page.set_viewport_size(size)
        page.goto(f"/account?lang={lang}")
        _main_fits(page)
        screenshot(page, f"account-{lang}-{name}.png")
    context.close()
