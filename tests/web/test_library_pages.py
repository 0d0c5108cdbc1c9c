"""The document library and the document viewer: filters, search, highlighted citations, 404s."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.support.pages import HTMX, page_language

CIT_ZH = "南沙的企业所得税优惠税率是多少？"


# --- language ------------------------------------------------------------------------------


# --- the document library ----------------------------------------------------------------


def _count(page: str) -> int:
    match = re.search(r'<p class="count">(?:共 )?(\d+)', page)
    assert match, "no document count"
    return int(match.group(1))


def _listed_ids(page: str) -> list[str]:
    return re.findall(r'<li>\s*<a href="/documents/([^"]+)">', page)


def test_library_lists_every_document(client: TestClient) -> None:
    page = client.get("/documents")
    expected = len(client.get("/api/v1/documents").json())

    assert page.status_code == 200
    assert page_language(page) in {"zh-CN", "en"}
    assert expected >= 80
    assert _count(page.text) == expected
    assert len(_listed_ids(page.text)) == expected
    assert '<form class="filters"' in page.text


@pytest.mark.parametrize(
    "params",
    [
        {"category": "regulation"},
        {"status": "superseded"},
        {"language": "en"},
        {"jurisdiction": "nansha", "language": "zh"},
        {"q": "818"},
    ],
)
def test_library_filters_match_the_api(client: TestClient, params: dict[str, str]) -> None:
    page = client.get("/documents", params=params).text
    expected = [d["id"] for d in client.get("/api/v1/documents", params=params).json()]

    assert expected
    assert _listed_ids(page) == expected
    assert _count(page) == len(expected)
    for name, value in params.items():
        if name != "q":
            assert re.search(rf'<option value="{value}" selected>', page), (name, value)


def test_library_ignores_unknown_filter_values_instead_of_failing(client: TestClient) -> None:
    everything = _count(client.get("/documents").text)

    page = client.get("/documents", params={"category": "bogus", "status": "x"})

    assert page.status_code == 200
    assert _count(page.text) == everything


def test_library_search_without_match_says_so(fresh_client: TestClient) -> None:
    page = fresh_client.get("/documents", params={"q": "zzzz-no-such-document", "lang": "en"}).text

    assert "No document matches." in page
    assert _listed_ids(page) == []


def test_library_htmx_request_returns_only_the_results_block(client: TestClient) -> None:
    response = client.get("/documents", params={"category": "guideline"}, headers=HTMX)

    assert response.status_code == 200
    fragment = response.text.strip()
    assert fragment.startswith('<div id="results">')
    assert "<html" not in fragment and "<form" not in fragment
    expected = client.get("/api/v1/documents", params={"category": "guideline"}).json()
    assert _listed_ids(fragment) == [d["id"] for d in expected]
    assert "HX-Request" in response.headers["vary"]


# --- the document viewer -----------------------------------------------------------------


@pytest.fixture(scope="module")
def citation(client: TestClient) -> dict[str, str]:
    """The first citation of the answer about Nansha's tax rate."""
    body = client.post("/api/v1/chat", json={"question": CIT_ZH}).json()
    return body["citations"][0]


def test_document_page_marks_exactly_the_cited_quote(
    client: TestClient, citation: dict[str, str]
) -> None:
    page = client.get(citation["url"])

    assert page.status_code == 200
    marks = re.findall(r'<mark id="highlight">(.*?)</mark>', page.text, flags=re.S)
    assert [html.unescape(m) for m in marks] == [citation["quote"]]
    assert 'href="#highlight"' in page.text


def test_document_page_marks_the_cited_passage_section(
    client: TestClient, citation: dict[str, str]
) -> None:
    page = client.get(citation["url"]).text

    cited = re.findall(r'<section class="passage cited" id="passage-([^"]+)">', page)
    assert cited == [citation["chunk_id"]]
    section = page.split(f'id="passage-{citation["chunk_id"]}">', 1)[1].split("</section>", 1)[0]
    assert '<mark id="highlight">' in section


def test_every_citation_of_an_answer_highlights_its_quote(client: TestClient) -> None:
    body = client.post("/api/v1/chat", json={"question": "When does Decree 818 take effect?"})

    for c in body.json()["citations"]:
        page = client.get(c["url"]).text
        marks = re.findall(r'<mark id="highlight">(.*?)</mark>', page, flags=re.S)
        # A quote over several lines is highlighted line by line.
        shown = "".join(html.unescape(m) for m in marks)
        assert re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", c["quote"]), c["url"]
        assert f'<section class="passage cited" id="passage-{c["chunk_id"]}">' in page


@pytest.mark.parametrize("hl", ["", "abc", "5-2", "0-99999999", "-1-5", "1-2-3", "0-9999999"])
def test_document_page_ignores_a_malformed_or_out_of_range_highlight(
    client: TestClient, hl: str
) -> None:
    page = client.get("/documents/decree-818-en", params={"hl": hl})

    assert page.status_code == 200
    assert "<mark" not in page.text
    assert 'class="passage cited"' not in page.text
    assert "1 May 2026" in page.text


def test_document_page_shows_metadata_and_links_its_translation(
    fresh_client: TestClient,
) -> None:
    page = fresh_client.get("/documents/decree-818-en?lang=en").text

    assert "State Council Decree No. 818" in page
    assert "<mark" not in page
    assert 'href="/documents/decree-818-zh"' in page
    assert re.search(r'<section class="passage" id="passage-\w+">', page)


@pytest.mark.parametrize("path", ["/documents/no-such-document", "/no/such/page"])
def test_unknown_page_is_a_404_page_in_the_user_language(
    fresh_client: TestClient, path: str
) -> None:
    chinese = fresh_client.get(path, headers={"Accept-Language": "zh-CN"})
    english = fresh_client.get(path, headers={"Accept-Language": "en"})

    assert chinese.status_code == english.status_code == 404
    assert chinese.headers["content-type"].startswith("text/html")
    assert "找不到该页面或文档。" in chinese.text
    assert "This page or document does not exist." in english.text
    assert page_language(english) == "en"
