"""My questions: a signed-in user's conversations, newest first, searched, reopened, exported."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from portal.uscc import check_character
from tests.support.forms import csrf_token

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)
TAX = "南沙的企业所得税优惠税率是多少？"
DECREE = "When does Decree 818 take effect?"


def _register(browser: TestClient) -> None:
    body = f"91440106MD{next(_serial):07d}"
    fields = {
        "company_name": "珠海示例细胞科技有限公司",
        "credit_code": body + check_character(body),
        "contact_name": "林涛",
        "phone": "0756-1234567",
        "email": f"history{next(_serial)}-{id(browser)}@example.cn",
        "password": PASSWORD,
        "csrf_token": csrf_token(browser.get("/register").text),
    }
    assert browser.post("/register", data=fields, follow_redirects=False).status_code == 303


def _ask(browser: TestClient, question: str, conversation_id: str = "") -> str:
    token = csrf_token(browser.get("/chat").text)
    answer = browser.post(
        "/chat",
        data={"question": question, "conversation_id": conversation_id, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    match = re.search(r"c=([0-9a-f]+)", answer.headers["location"])
    assert match
    return match.group(1)


@pytest.fixture
def asker(client: TestClient) -> Iterator[TestClient]:
    """A signed-in company user with two conversations: tax (two questions), then Decree 818."""
    browser = TestClient(client.app)
    _register(browser)
    tax = _ask(browser, TAX)
    _ask(browser, "这个优惠什么时候到期？", tax)
    _ask(browser, DECREE)
    yield browser
    browser.close()


def _listed(page: str) -> list[str]:
    return re.findall(r'class="conversation-title" href="/history/([0-9a-f]+)">([^<]+)<', page)  # type: ignore[return-value]


def test_the_list_shows_the_users_conversations_newest_first(asker: TestClient) -> None:
    page = asker.get("/history?lang=en").text

    titles = [title for _, title in _listed(page)]
    assert titles == [DECREE.replace("'", "&#39;"), TAX]
    assert "2 questions" in page


def test_search_finds_questions_and_answers(asker: TestClient) -> None:
    by_question = _listed(asker.get("/history", params={"q": "decree 818"}).text)
    by_answer = _listed(asker.get("/history", params={"q": "15%"}).text)
    nothing = asker.get("/history", params={"q": "细胞库年检", "lang": "en"}).text

    assert [t for _, t in by_question] == [DECREE]
    assert [t for _, t in by_answer] == [TAX]  # "15%" is in the tax answer, % matched literally
    assert _listed(nothing) == [] and "No conversation matches" in nothing


def test_htmx_search_gets_only_the_results(asker: TestClient) -> None:
    fragment = asker.get("/history", params={"q": "818"}, headers={"HX-Request": "true"})

    assert fragment.text.lstrip().startswith('<div id="results"')
    assert "<html" not in fragment.text


def test_a_conversation_reopens_as_it_was_with_its_sources(asker: TestClient) -> None:
    conversation, _ = _listed(asker.get("/history").text)[1]

    page = asker.get(f"/history/{conversation}").text

    assert TAX in page and "这个优惠什么时候到期？" in page
    assert 'class="citations"' in page and "<blockquote>" in page
    assert f'href="/chat?c={conversation}"' in page  # go on asking in the same conversation
    assert "@media print" not in page and "accounts.css" in page  # the print rules live there


def test_the_markdown_export_quotes_every_citation(asker: TestClient) -> None:
    conversation, _ = _listed(asker.get("/history").text)[1]

    exported = asker.get(f"/history/{conversation}/export.md?lang=zh")

    assert exported.headers["content-type"].startswith("text/markdown")
    assert "attachment" in exported.headers["content-disposition"]
    text = exported.text
    assert text.startswith("# 我的问答：") or text.startswith("# 我的问答: ")
    assert f"## 1. {TAX}" in text and "### 出处" in text
    quotes = [line for line in text.splitlines() if line.startswith("> ")]
    assert quotes, "no quoted source"
    assert re.search(r"/documents/[^>\s]+\?hl=\d+-\d+", text)


def test_someone_elses_conversation_is_not_found(asker: TestClient, client: TestClient) -> None:
    conversation, _ = _listed(asker.get("/history").text)[0]
    other = TestClient(client.app)
    _register(other)

    assert other.get(f"/history/{conversation}").status_code == 404
    assert other.get(f"/history/{conversation}/export.md").status_code == 404
    assert _listed(other.get("/history").text) == []
    other.close()


def test_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    visitor = TestClient(client.app)

    answer = visitor.get("/history", follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    visitor.close()
