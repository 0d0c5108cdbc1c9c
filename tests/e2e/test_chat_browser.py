"""The chat in a real Chromium against the real app served by uvicorn."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import E2E, screenshot

pytestmark = E2E

CIT_ZH = "南沙的企业所得税优惠税率是多少？"
ANSWER_TIMEOUT_MS = 30_000


# Answers take a moment on a busy machine; every expectation may wait this long.
expect.set_options(timeout=ANSWER_TIMEOUT_MS)


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page of a Chinese-speaking visitor, with JavaScript."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _ask(page: Page, question: str, turns: int) -> Locator:
    """Type a question, press the ask button and wait for turn number `turns` to arrive."""
    page.fill("#question", question)
    page.click("#ask button[type=submit]")
    expect(page.locator("#turns article.turn")).to_have_count(turns)
    latest = page.locator("#turns article.turn").last
    expect(latest.locator(".question")).to_contain_text(question)
    return latest


def test_visitor_asks_opens_the_cited_passage_switches_language_and_starts_over(page: Page) -> None:
    page.goto("/chat")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("政策与法规问答")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    page.evaluate("window.__sameDocument = true")

    # Ask in Chinese: htmx appends the cited answer without reloading the page.
    turn = _ask(page, CIT_ZH, turns=1)
    expect(turn.locator(".answer")).to_contain_text("15%")
    expect(turn.locator(".answer")).to_contain_text("[1]")
    citations = turn.locator("ol.citations > li.citation")
    assert citations.count() >= 1
    expect(citations.first).to_have_attribute("value", "1")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of htmx"
    assert page.input_value("#question") == "", "the form is reset after an answer"
    assert page.input_value("#conversation_id"), "the conversation id arrives out of band"
    screenshot(page, "chat-answered-zh.png")

    # Open the first citation's passage: the quote is highlighted in the document.
    quote = citations.first.locator("blockquote").inner_text().strip()
    citations.first.get_by_role("link", name="查看原文段落").click()
    page.wait_for_url(re.compile(r"/documents/[^?]+\?hl=\d+-\d+&c=\w+#passage-\w+$"))
    mark = page.locator("section.passage.cited mark#highlight")
    expect(mark).to_have_count(1)
    assert mark.inner_text().strip() == quote
    expect(mark).to_be_in_viewport()
    screenshot(page, "document-highlight-zh.png")

    # Back to the chat, switch to English and ask there.
    page.go_back()
    page.wait_for_url(re.compile(r"/chat"))
    page.locator("a.lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Ask about policies and regulations")
    already = page.locator("#turns article.turn").count()
    turn = _ask(page, "When does Decree 818 take effect?", turns=already + 1)
    expect(turn.locator(".answer")).to_contain_text("1 May 2026")
    expect(turn.locator(".answer")).to_have_attribute("lang", "en")
    expect(turn.get_by_role("link", name="Open the passage").first).to_be_visible()
    screenshot(page, "chat-answered-en.png")

    # Start over: an empty conversation, still in English.
    page.get_by_role("link", name="Start over").click()
    page.wait_for_url(re.compile(r"/chat$"))
    expect(page.locator("#turns article.turn")).to_have_count(0)
    assert page.input_value("#conversation_id") == ""
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # A question the documents do not cover is refused plainly, without sources.
    turn = _ask(page, "What's the weather tomorrow?", turns=1)
    expect(turn).to_have_class(re.compile(r"\brefused\b"))
    expect(turn.locator(".answer")).to_contain_text("Sorry")
    expect(turn.locator("ol.citations")).to_have_count(0)
    expect(turn.locator(".refused-hint")).to_be_visible()


def test_off_topic_question_after_an_answer_is_refused(page: Page) -> None:
    page.goto("/chat?lang=en")
    _ask(page, "When does Decree 818 take effect?", turns=1)

    turn = _ask(page, "What's the weather tomorrow?", turns=2)

    expect(turn).to_have_class(re.compile(r"\brefused\b"), timeout=2_000)
    expect(turn.locator("ol.citations")).to_have_count(0)


def test_going_back_from_a_cited_passage_keeps_the_conversation(page: Page) -> None:
    page.goto("/chat")
    _ask(page, CIT_ZH, turns=1)

    page.locator("#turns .cite-links a").first.click()
    page.wait_for_url(re.compile(r"/documents/"))
    page.go_back()
    page.wait_for_url(re.compile(r"/chat"))

    expect(page.locator("#turns article.turn")).to_have_count(1)
    expect(page.locator("#turns article.turn .answer")).to_contain_text("15%")


def test_reloading_after_an_htmx_answer_keeps_the_conversation(page: Page) -> None:
    page.goto("/chat")
    _ask(page, CIT_ZH, turns=1)
    conversation = page.input_value("#conversation_id")

    page.wait_for_url(re.compile(rf"/chat\?c={conversation}$"))
    page.reload()

    expect(page.locator("#turns article.turn")).to_have_count(1)
    expect(page.locator("#turns article.turn .question")).to_contain_text(CIT_ZH)
    assert page.input_value("#conversation_id") == conversation


def test_chat_works_without_javascript_through_the_redirect(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(base_url=base_url, locale="zh-CN", java_script_enabled=False)
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/chat")
        page.fill("#question", CIT_ZH)
        page.click("#ask button[type=submit]")
        page.wait_for_url(re.compile(r"/chat\?c=[A-Za-z0-9_-]+#latest$"))

        turn = page.locator("#turns article.turn")
        expect(turn).to_have_count(1)
        expect(turn.locator(".question")).to_contain_text(CIT_ZH)
        expect(turn.locator(".answer")).to_contain_text("15%")
        assert turn.locator("ol.citations > li.citation").count() >= 1
        conversation = re.search(r"c=([A-Za-z0-9_-]+)", page.url)
        assert conversation and page.input_value("#conversation_id") == conversation.group(1)
        screenshot(page, "chat-answered-nojs-zh.png")
    finally:
        context.close()


def test_enter_sends_shift_enter_breaks_the_line_and_the_answer_is_in_view_and_announced(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/chat")
        expect(page.locator("#turns")).to_have_attribute("aria-live", "polite")
        # A long first conversation pushes the form down, as on a real phone.
        _ask(page, CIT_ZH, turns=1)

        box = page.locator("#question")
        box.click()
        box.type("第一行")
        box.press("Shift+Enter")
        box.type("第二行")
        assert page.input_value("#question") == "第一行\n第二行", "Shift+Enter adds a line"
        expect(page.locator("#turns article.turn")).to_have_count(1)
        page.fill("#question", "When does Decree 818 take effect?")
        box.press("Enter")
        expect(page.locator("#turns article.turn")).to_have_count(2)

        latest = page.locator("#turns article.turn").last
        answer = latest.locator(".answer")
        expect(answer).to_contain_text("2026")
        expect(latest.locator(".question")).to_be_in_viewport()
        expect(answer.locator("p").first).to_be_in_viewport()
        expect(answer).to_be_focused()
        # The thumbs are drawn inline (SVG), not emoji that need a font.
        thumbs = latest.locator(".thumb")
        if thumbs.count():
            assert thumbs.first.locator("svg").count() == 1
            assert not re.search("[\U0001f44d\U0001f44e]", latest.inner_text())
        screenshot(page, "chat-enter-phone-zh.png")

        # The viewer's back link returns to this conversation, not to the library.
        conversation = page.input_value("#conversation_id")
        latest.locator(".cite-links a").first.click()
        page.wait_for_url(re.compile(r"/documents/"))
        back = page.locator("a.back-to-chat")
        expect(back).to_have_attribute("href", re.compile(rf"/chat\?c={conversation}"))
        back.click()
        page.wait_for_url(re.compile(rf"/chat\?c={conversation}"))
        expect(page.locator("#turns article.turn")).to_have_count(2)
    finally:
        context.close()


def test_the_skip_link_is_the_first_stop_and_moves_to_the_content(page: Page) -> None:
    page.goto("/chat")

    page.keyboard.press("Tab")

    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_enter_does_not_send_an_empty_question(page: Page) -> None:
    page.goto("/chat")

    page.locator("#question").press("Enter")

    page.wait_for_timeout(300)
    expect(page.locator("#turns article.turn")).to_have_count(0)
