"""Staff keep the knowledge base current, in a real Chromium against the real app.

A staff member uploads a new PDF regulation, watches it being indexed, asks the assistant and
gets an answer cited from it; then supersedes the older document it replaces and follows the
link to the impact list. The app runs over its own small knowledge base (the session's shared
index stays untouched) with the real USE model and the background indexing worker.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fpdf import FPDF
from playwright.sync_api import Browser, expect

from knowledge.loaders import load_bytes
from portal import accounts
from retrieval.embeddings import EmbeddingModel
from tests.support.browser import E2E, screenshot
from web.app import create_app
from web.core.components import Components, build
from web.settings import Settings

pytestmark = E2E

PASSWORD = "correct horse battery"
TIMEOUT_MS = 60_000

expect.set_options(timeout=TIMEOUT_MS)

OLDER = (
    "---\nid: cell-bank-filing-2019-en\ntitle: Nansha cell bank filing rules (2019)\n"
    "language: en\ncategory: regulation\nissued: '2019-05'\nstatus: in_force\n"
    "jurisdiction: nansha\n---\n"
    "The 2019 Nansha cell bank filing rules apply to master cell banks of therapy companies.\n\n"
    "## Deadline\n\nUnder the 2019 Nansha cell bank filing rules a master cell bank is filed "
    "within 30 working days of its establishment.\n"
)
OTHER = (
    "---\nid: talent-housing-en\ntitle: Nansha talent housing support\nlanguage: en\n"
    "category: policy\njurisdiction: nansha\n---\n"
    "Nansha talent housing support reaches RMB 5 million per person.\n\n## Scope\n\n"
    "Nansha talent housing support covers senior researchers of biomedicine companies.\n"
)
NEW_RULES = (
    "Nansha Cell Bank Registration Measures 2026",
    "The Nansha Cell Bank Registration Measures 2026 replace the 2019 cell bank filing rules.",
    "Under the 2026 measures a master cell bank must be registered within 12 working days "
    "of its establishment.",
    "The 2026 measures require a sterility and mycoplasma certificate with each registration.",
)


def regulation_pdf(path: Path) -> Path:
    """A real PDF regulation with a distinctive fact (12 working days)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in NEW_RULES:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def knowledge_app(
    tmp_path_factory: pytest.TempPathFactory, use_model: EmbeddingModel
) -> Iterator[tuple[str, Components]]:
    """The real app over its own small knowledge base, served by uvicorn on a free port."""
    settings = Settings(
        environment="test", data_dir=tmp_path_factory.mktemp("kb-browser"), ingest_on_start=False
    )
    parts = build(settings, embeddings=use_model)
    parts.indexer.ingest(
        [
            load_bytes(OLDER.encode(), filename="older.md"),
            load_bytes(OTHER.encode(), filename="other.md"),
        ],
        origin="bundled",
        prune=False,
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
    parts.engine.dispose()


def test_staff_upload_a_pdf_regulation_ask_about_it_and_supersede_the_old_one(
    browser: Browser, knowledge_app: tuple[str, Components], tmp_path: Path
) -> None:
    base_url, parts = knowledge_app
    email = f"kb-e2e{time.time_ns()}@gba-cgt.cn"
    with parts.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="陈工", role="staff"
        )
    context = browser.new_context(
        base_url=base_url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login?lang=en")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_load_state()

    # The staff nav leads to the knowledge base; upload a new PDF regulation with its metadata.
    page.click("header nav a[href='/staff/knowledge']")
    expect(page.locator("h1")).to_have_text("Knowledge base maintenance")
    expect(page.locator("#results")).to_contain_text("Nansha cell bank filing rules (2019)")
    page.click("a[href='/staff/knowledge/new']")
    page.set_input_files("#f-file", str(regulation_pdf(tmp_path / "cell-bank-2026.pdf")))
    page.fill("#f-id", "cell-bank-registration-2026-en")
    page.fill("#f-title", "Nansha Cell Bank Registration Measures 2026")
    page.select_option("select[name=language]", "en")
    page.select_option("select[name=category]", "regulation")
    page.select_option("select[name=jurisdiction]", "nansha")
    page.fill("#f-issuer", "Nansha District Science and Technology Bureau")
    page.fill("input[name=issued]", "2026-10-15")
    page.click("#upload-form button[type=submit]")

    # Its page polls the background job until the document is indexed.
    page.wait_for_url("**/staff/knowledge/cell-bank-registration-2026-en?done=queued")
    status = page.locator("#index-status")
    expect(status).to_contain_text("Indexed")
    screenshot(page, "knowledge-indexed-en.png", min_bytes=0)
    page.goto("/staff/knowledge/cell-bank-registration-2026-en")
    expect(page.locator("table.versions-table")).to_contain_text(email)

    # The assistant answers from it, citing it.
    page.goto("/chat?lang=en")
    question = (
        "Within how many working days do the Nansha Cell Bank Registration Measures 2026 "
        "require a master cell bank to be registered?"
    )
    page.fill("#question", question)
    page.click("#ask button[type=submit]")
    turn = page.locator("#turns article.turn").last
    expect(turn.locator(".answer")).to_contain_text("12 working days")
    expect(turn.locator("li.citation .cite-title").first).to_have_text(
        "Nansha Cell Bank Registration Measures 2026"
    )

    # Supersede the 2019 rules with it, then open the impact list from the confirmation.
    page.goto("/staff/knowledge/cell-bank-filing-2019-en?lang=en")
    page.select_option("#f-superseded_by", "cell-bank-registration-2026-en")
    page.click("#supersede-form button[type=submit]")
    expect(page.locator("#changed-notice")).to_contain_text("Saved as version 2")
    expect(page.locator("p.meta")).to_contain_text("Superseded")
    page.click("#impact-link")
    page.wait_for_url("**/staff/knowledge/cell-bank-filing-2019-en/impact")
    expect(page.locator("h1")).to_contain_text("Nansha cell bank filing rules (2019)")
    screenshot(page, "knowledge-impact-en.png", min_bytes=0)

    # A question about the present no longer quotes the superseded rules.
    page.goto("/chat?lang=en")
    page.fill("#question", "What is the deadline to file a master cell bank in Nansha?")
    page.click("#ask button[type=submit]")
    answer = page.locator("#turns article.turn").last
    expect(answer.locator(".answer")).to_contain_text("12 working days")
    expect(answer.locator(".answer")).not_to_contain_text("30 working days")
    context.close()
