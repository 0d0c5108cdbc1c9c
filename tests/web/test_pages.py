"""The chat page, with and without htmx: language, asking, follow-ups and escaping."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.support.pages import HTMX, page_language

CIT_ZH = "南沙的企业所得税优惠税率是多少？"
REDIRECT = re.compile(r"^/chat\?c=(?P<id>[A-Za-z0-9_-]+)#latest$")
XSS = "<script>alert(1)</script>"


def _ask_without_js(client: TestClient, question: str, conversation_id: str = "") -> str:
    """Submit the chat form as a browser without JS does; return the conversation id."""
    response = client.post(
        "/chat",
        data={"question": question, "conversation_id": conversation_id},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = REDIRECT.match(response.headers["location"])
    assert match, response.headers["location"]
    return match["id"]


def _turns(page: str) -> list[str]:
    return re.findall(r'<article class="turn[^"]*"', page)


def _oob_conversation_id(fragment: str) -> str:
    match = re.search(
        r'<input type="hidden" id="conversation_id" name="conversation_id" '
        r'value="([^"]*)" hx-swap-oob="true">',
        fragment,
    )
    assert match, fragment
    return match.group(1)


# --- language ------------------------------------------------------------------------------


def test_chat_page_is_in_chinese_by_default(fresh_client: TestClient) -> None:
    page = fresh_client.get("/chat")

    assert page.status_code == 200
    assert page_language(page) == "zh-CN"
    assert "政策与法规问答" in page.text
    assert '<form id="ask" method="post" action="/chat"' in page.text
    assert "set-cookie" not in page.headers


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR,en;q=0.5,zh;q=0.4", "en"),
        ("de-DE", "zh-CN"),
    ],
)
def test_chat_page_follows_accept_language(
    fresh_client: TestClient, accept_language: str, expected: str
) -> None:
    page = fresh_client.get("/chat", headers={"Accept-Language": accept_language})

    assert page_language(page) == expected
    title = "Ask about policies and regulations" if expected == "en" else "政策与法规问答"
    assert title in page.text


def test_lang_parameter_switches_to_english_and_is_remembered_in_a_cookie(
    fresh_client: TestClient,
) -> None:
    chinese_browser = {"Accept-Language": "zh-CN,zh;q=0.9"}

    switched = fresh_client.get("/chat?lang=en", headers=chinese_browser)
    later = fresh_client.get("/chat", headers=chinese_browser)
    back = fresh_client.get("/documents?lang=zh", headers=chinese_browser)
    after_back = fresh_client.get("/chat", headers=chinese_browser)

    assert page_language(switched) == "en"
    assert "Ask about policies and regulations" in switched.text
    assert "lang=en" in switched.headers["set-cookie"]
    assert "httponly" in switched.headers["set-cookie"].lower()
    assert page_language(later) == "en"
    assert page_language(back) == "zh-CN"
    assert page_language(after_back) == "zh-CN"


def test_unknown_lang_parameter_is_ignored_and_not_remembered(fresh_client: TestClient) -> None:
    page = fresh_client.get("/chat?lang=fr", headers={"Accept-Language": "en"})

    assert page_language(page) == "en"
    assert "set-cookie" not in page.headers


def test_language_switch_link_offers_the_other_language(fresh_client: TestClient) -> None:
    chinese = fresh_client.get("/chat").text
    english = fresh_client.get("/chat?lang=en").text

    assert re.search(r'class="lang-switch" href="/chat\?lang=en"[^>]*>English</a>', chinese)
    assert re.search(r'class="lang-switch" href="/chat\?lang=zh"[^>]*>中文</a>', english)


def test_language_switch_keeps_the_conversation_and_filters(fresh_client: TestClient) -> None:
    page = fresh_client.get("/documents?category=policy&q=%E5%8D%97%E6%B2%99").text

    link = re.search(r'class="lang-switch" href="([^"]+)"', page)
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == (
        "/documents?category=policy&q=%E5%8D%97%E6%B2%99&lang=en"
    )


def test_home_redirects_to_the_chat(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/chat"


# --- asking without JavaScript -----------------------------------------------------------


def test_form_post_without_js_redirects_to_the_conversation_showing_the_cited_answer(
    fresh_client: TestClient,
) -> None:
    conversation = _ask_without_js(fresh_client, CIT_ZH)

    page = fresh_client.get(f"/chat?c={conversation}")

    assert page.status_code == 200
    assert CIT_ZH in page.text
    assert "15%" in page.text
    assert len(_turns(page.text)) == 1
    assert 'id="latest"' in page.text
    assert '<ol class="citations"' in page.text
    links = re.findall(
        r'<a href="(/documents/nansha-cit-15-zh\?hl=\d+-\d+&amp;c=\w+#passage-\w+)">', page.text
    )
    assert links, "the answer must link to the cited passages"
    assert "查看原文段落" in page.text
    assert f'name="conversation_id" value="{conversation}"' in page.text


def test_form_post_with_conversation_id_continues_the_same_conversation(
    fresh_client: TestClient,
) -> None:
    conversation = _ask_without_js(fresh_client, CIT_ZH)

    again = _ask_without_js(fresh_client, "适用于整个南沙吗？", conversation)
    page = fresh_client.get(f"/chat?c={again}").text

    assert again == conversation
    assert len(_turns(page)) == 2
    assert page.index(CIT_ZH) < page.index("适用于整个南沙吗？")
    assert "先行启动区" in page


def test_form_post_with_malformed_conversation_id_starts_a_new_conversation(
    fresh_client: TestClient,
) -> None:
    conversation = _ask_without_js(fresh_client, CIT_ZH, conversation_id="not/valid<>")

    page = fresh_client.get(f"/chat?c={conversation}").text
    assert "not/valid" not in page
    assert len(_turns(page)) == 1


def test_refused_question_shows_the_refusal_and_no_citations(fresh_client: TestClient) -> None:
    conversation = _ask_without_js(fresh_client, "明天南沙天气怎么样？")

    page = fresh_client.get(f"/chat?c={conversation}").text

    assert '<article class="turn refused"' in page
    assert "抱歉" in page
    assert '<ol class="citations"' not in page
    assert 'class="refused-hint"' in page


def test_chat_page_with_unknown_or_malformed_conversation_shows_an_empty_chat(
    client: TestClient,
) -> None:
    for c in ("0" * 32, "../../etc", "x" * 65):
        page = client.get("/chat", params={"c": c})

        assert page.status_code == 200
        assert _turns(page.text) == []


@pytest.mark.parametrize("question", ["", "   \n "])
def test_empty_question_without_js_re_renders_the_form_with_an_error(
    fresh_client: TestClient, question: str
) -> None:
    page = fresh_client.post("/chat", data={"question": question}, follow_redirects=False)

    assert page.status_code == 422
    assert page_language(page) == "zh-CN"
    error = re.search(r'<p id="form-error"([^>]*)>([^<]*)</p>', page.text)
    assert error and error.group(2) == "请输入问题。"
    assert "hidden" not in error.group(1)
    assert '<form id="ask"' in page.text


def test_too_long_question_without_js_keeps_the_text_and_explains_the_limit(
    fresh_client: TestClient,
) -> None:
    question = "税" * 2001

    page = fresh_client.post("/chat?lang=en", data={"question": question}, follow_redirects=False)

    assert page.status_code == 422
    assert "A question may have at most 2,000 characters." in page.text
    assert f">{question}</textarea>" in page.text


# --- asking with htmx --------------------------------------------------------------------


def test_htmx_post_returns_only_the_turn_and_an_out_of_band_conversation_id(
    fresh_client: TestClient,
) -> None:
    response = fresh_client.post("/chat", data={"question": CIT_ZH}, headers=HTMX)

    assert response.status_code == 200
    fragment = response.text
    # Only the turn (with its own feedback form), never the page or the question form.
    assert "<html" not in fragment and 'id="ask"' not in fragment
    assert len(_turns(fragment)) == 1
    assert CIT_ZH in fragment and "15%" in fragment
    assert '<ol class="citations"' in fragment
    assert "HX-Request" in response.headers["vary"]
    conversation = _oob_conversation_id(fragment)
    assert conversation
    # The form's error line is cleared out of band too.
    assert '<p id="form-error" class="form-error" role="alert" hidden hx-swap-oob="true">' in (
        fragment
    )
    # The turn is stored and named in the address bar, so reload and Back keep it.
    assert response.headers["HX-Replace-Url"] == f"/chat?c={conversation}"
    assert CIT_ZH in fresh_client.get(f"/chat?c={conversation}").text


def test_htmx_follow_up_returns_only_the_new_turn_in_the_same_conversation(
    fresh_client: TestClient,
) -> None:
    first = fresh_client.post("/chat", data={"question": CIT_ZH}, headers=HTMX).text
    conversation = _oob_conversation_id(first)

    follow_up = fresh_client.post(
        "/chat",
        data={"question": "适用于整个南沙吗？", "conversation_id": conversation},
        headers=HTMX,
    ).text

    assert _oob_conversation_id(follow_up) == conversation
    assert len(_turns(follow_up)) == 1
    assert CIT_ZH not in follow_up
    assert "先行启动区" in follow_up


@pytest.mark.parametrize("question", ["", "  "])
def test_empty_question_with_htmx_retargets_the_error_line(
    fresh_client: TestClient, question: str
) -> None:
    response = fresh_client.post("/chat?lang=en", data={"question": question}, headers=HTMX)

    assert response.status_code == 200  # htmx swaps only successful responses
    assert response.headers["HX-Retarget"] == "#form-error"
    assert response.headers["HX-Reswap"] == "outerHTML"
    fragment = response.text.strip()
    assert fragment.startswith('<p id="form-error"')
    assert "Please enter a question." in fragment
    assert "<html" not in fragment and "<article" not in fragment


# --- escaping ----------------------------------------------------------------------------


def test_script_in_a_question_is_shown_escaped_on_the_chat_page(fresh_client: TestClient) -> None:
    question = f"{XSS} 南沙的企业所得税优惠税率是多少？"
    conversation = _ask_without_js(fresh_client, question)

    page = fresh_client.get(f"/chat?c={conversation}").text

    assert html.escape(XSS, quote=False) in page
    assert XSS not in page
    assert "<script>" not in page  # the only scripts are the app's own, with src
    assert re.findall(r'<script src="[^"]+"', page) and page.count("<script") == len(
        re.findall(r'<script src="[^"]*/static/[a-z.]+\.js" defer></script>', page)
    )


def test_script_in_a_question_is_escaped_in_the_htmx_fragment(fresh_client: TestClient) -> None:
    fragment = fresh_client.post("/chat", data={"question": XSS}, headers=HTMX).text

    assert "<script" not in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment


def test_script_in_a_rejected_question_is_escaped_in_the_form(fresh_client: TestClient) -> None:
    question = XSS + "x" * 2000

    page = fresh_client.post("/chat", data={"question": question}, follow_redirects=False)

    assert page.status_code == 422
    assert XSS not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_script_in_a_question_asked_through_the_api_is_escaped_on_the_page(
    client: TestClient,
) -> None:
    body = client.post("/api/v1/chat", json={"question": f'"><img src=x onerror=alert(1)> {XSS}'})

    page = client.get(f"/chat?c={body.json()['conversation_id']}").text

    assert "<img src=x" not in page
    assert XSS not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_script_in_a_library_search_is_escaped(client: TestClient) -> None:
    page = client.get("/documents", params={"q": f'"{XSS}'}).text

    assert XSS not in page
    assert 'value="&#34;&lt;script&gt;' in page or 'value="&quot;&lt;script&gt;' in page
