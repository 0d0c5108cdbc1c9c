"""Answer feedback and provenance in a real Chromium against the real app.

A company marks an answer wrong and staff find it in the feedback list (over the session's
shared index); and, over a small knowledge base of its own, a company attaches an answer to a
new request, staff supersede the document it quoted and open its impact list, notify the
company in one step, and the company reads the notice.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from knowledge.loaders import load_bytes
from portal import accounts
from retrieval.embeddings import EmbeddingModel
from tests.support.browser import E2E, new_context, register_page, screenshot
from web.app import create_app
from web.core.components import Components, build, prepare_knowledge
from web.settings import Settings

pytestmark = E2E

PASSWORD = "correct horse battery"
QUESTION = "南沙的企业所得税优惠税率是多少？"
TIMEOUT_MS = 30_000

expect.set_options(timeout=TIMEOUT_MS)


def _staff_signs_in(page: Page, components: Components) -> None:
    email = f"e2e-fbstaff{time.time_ns()}@gba-cgt.cn"
    with components.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="罗工", role="staff"
        )
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()


def test_a_company_marks_an_answer_wrong_and_staff_see_it_with_its_citations(
    browser: Browser, base_url: str, components: Components
) -> None:
    company_ctx = new_context(browser, base_url, "zh-CN")
    company = company_ctx.new_page()
    register_page(company, "江门反馈端到端生物有限公司", contact="黄蕾")

    # The company asks in the chat page (htmx appends the answer with its action bar).
    company.goto("/chat")
    company.fill("#question", QUESTION)
    company.click("#ask button[type=submit]")
    turn = company.locator("#turns article.turn").last
    expect(turn.locator(".answer")).to_contain_text("15%")
    actions = turn.locator(".answer-actions")
    expect(actions.locator("form.feedback")).to_be_visible()
    answer_id = actions.get_attribute("data-answer-id")
    assert answer_id and re.fullmatch(r"[0-9a-f]{32}", answer_id)
    expect(actions.locator("a.new-with-answer")).to_have_attribute(
        "href", f"/requests/new?answer={answer_id}"
    )

    # Thumbs down, reason "wrong", a comment: the form turns into a thank-you in place.
    company.evaluate("window.__sameDocument = true")
    actions.locator("summary.thumb.down").click()
    actions.locator("select[name=reason]").select_option("wrong")
    actions.locator("input[name=comment]").fill("税率应为 15%，但适用条件说错了")
    actions.locator("button.send-unhelpful").click()
    expect(actions.locator(".feedback-done")).to_contain_text("感谢您的反馈")
    assert company.evaluate("window.__sameDocument") is True, "htmx should not reload the page"
    screenshot(company, "feedback-given-zh.png")

    # Staff open the feedback list, filter by "wrong" and find it with its citations.
    staff_ctx = new_context(browser, base_url, "en-US")
    staff = staff_ctx.new_page()
    _staff_signs_in(staff, components)
    staff.goto("/staff/queue?lang=en")
    staff.click("header.site nav a[href='/staff/feedback']")
    staff.select_option("#f-verdict", "unhelpful")
    staff.select_option("#f-reason", "wrong")
    staff.click("form.filters button[type=submit]")
    expect(staff).to_have_url(re.compile(r"reason=wrong"))
    entry = staff.locator(f"article.feedback-item[data-answer-id='{answer_id}']")
    expect(entry).to_be_visible()
    expect(entry.locator(".verdict")).to_contain_text("Not helpful")
    expect(entry.locator(".reason")).to_have_text("Wrong")
    expect(entry.locator(".question")).to_contain_text(QUESTION)
    expect(entry.locator(".comment")).to_contain_text("适用条件说错了")
    expect(entry.locator(".who")).to_contain_text("江门反馈端到端生物有限公司")
    citation = entry.locator("ol.citations li.citation").first
    expect(citation.locator(".version")).to_contain_text("version")
    expect(citation.locator("blockquote")).not_to_be_empty()
    href = citation.locator("a.cite-title").get_attribute("href")
    assert href and href.startswith("/documents/")
    screenshot(staff, "staff-feedback-en.png")

    company_ctx.close()
    staff_ctx.close()


OLD_RULES = (
    "---\nid: stem-cell-storage-2023-en\ntitle: Nansha stem cell storage subsidy (2023)\n"
    "language: en\ncategory: policy\nissued: '2023-04'\njurisdiction: nansha\n---\n"
    "The 2023 Nansha stem cell storage subsidy supports licensed storage facilities.\n\n"
    "## Amount\n\nUnder the 2023 rules the stem cell storage subsidy is RMB 200,000 per "
    "facility per year.\n"
)
NEW_RULES = (
    "---\nid: stem-cell-storage-2026-en\ntitle: Nansha stem cell storage subsidy (2026)\n"
    "language: en\ncategory: policy\nissued: '2026-09'\njurisdiction: nansha\n---\n"
    "The 2026 Nansha stem cell storage subsidy replaces the 2023 rules.\n\n"
    "## Amount\n\nUnder the 2026 rules the stem cell storage subsidy is RMB 350,000 per "
    "facility per year.\n"
)


@pytest.fixture(scope="module")
def own_app(
    tmp_path_factory: pytest.TempPathFactory, use_model: EmbeddingModel
) -> Iterator[tuple[str, Components]]:
    """The real app over two documents of its own (they change), served by uvicorn."""
    settings = Settings(
        environment="test",
        data_dir=tmp_path_factory.mktemp("impact-browser"),
        ingest_on_start=False,
    )
    parts = build(settings, embeddings=use_model)
    parts.indexer.ingest(
        [load_bytes(OLD_RULES.encode(), filename="old.md")], origin="bundled", prune=False
    )
    app = create_app(components=parts)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not app.state.ready.wait(0.2):
        assert thread.is_alive(), "uvicorn stopped before the app was ready"
        assert time.monotonic() < deadline, app.state.startup_error or "not ready in time"
    yield f"http://127.0.0.1:{port}", parts
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


def test_an_attached_answer_shows_in_the_impact_list_and_its_company_is_notified(
    browser: Browser, own_app: tuple[str, Components]
) -> None:
    base_url, parts = own_app
    company_ctx = new_context(browser, base_url, "en-US")
    company = company_ctx.new_page()
    register_page(company, "Foshan Provenance Biotech Ltd", contact="黄蕾")

    # The company asks, then opens a new request "with this answer".
    company.goto("/chat?lang=en")
    company.fill("#question", "How much is the Nansha stem cell storage subsidy?")
    company.click("#ask button[type=submit]")
    turn = company.locator("#turns article.turn").last
    expect(turn.locator(".answer")).to_contain_text("200,000")
    answer_id = turn.locator(".answer-actions").get_attribute("data-answer-id")
    turn.locator("a.new-with-answer").click()
    expect(company.locator("#will-attach")).to_contain_text("stem cell storage subsidy")
    company.click("a[href^='/requests/new?service=general_consultation']")
    company.fill("#f-title", "Storage subsidy application")
    company.fill("#f-description", "We plan our budget on the subsidy the assistant quoted.")
    company.fill("#f-topic", "Stem cell storage subsidy")
    company.click("#request-form button[type=submit]")
    company.wait_for_url(re.compile(r"/requests/GBA-CGT-\d{4}-\d{6}\?created=1"))
    number = company.locator("h1 .tracking").inner_text().strip()
    attached = company.locator(f"#answers article[data-answer-id='{answer_id}']")
    expect(attached).to_contain_text("200,000")
    expect(attached.locator(".version").first).to_have_text("version 1")

    # Staff supersede the 2023 rules by the 2026 ones and open the impact list.
    parts.indexer.ingest(
        [load_bytes(NEW_RULES.encode(), filename="new.md")], origin="bundled", prune=False
    )
    staff_ctx = new_context(browser, base_url, "en-US")
    staff = staff_ctx.new_page()
    _staff_signs_in(staff, parts)
    prepare_knowledge(parts).supersede(
        document_id="stem-cell-storage-2023-en",
        superseded_by="stem-cell-storage-2026-en",
        changed_by="e2e",
    )
    staff.goto("/staff/knowledge/stem-cell-storage-2023-en/impact?lang=en")
    expect(staff.locator(".impact-state")).to_contain_text("superseded")
    requests_table = staff.locator("table.impact-requests")
    expect(requests_table).to_contain_text(number)
    expect(requests_table).to_contain_text("Foshan Provenance Biotech Ltd")
    expect(staff.locator(f"table.impact-answers tr[data-answer-id='{answer_id}']")).to_contain_text(
        "version 1"
    )
    screenshot(staff, "impact-list-en.png")
    staff.click("#impact-notify button[type=submit]")
    expect(staff.locator("#impact-report")).to_contain_text("1 notified (1 requests, 0 companies)")

    # The company reads the notice naming the document and its request.
    company.goto("/notifications?lang=en")
    expect(company.locator("main")).to_contain_text("Nansha stem cell storage subsidy (2023)")
    expect(company.locator("main")).to_contain_text(number)
    screenshot(company, "impact-notice-en.png")
    company_ctx.close()
    staff_ctx.close()
