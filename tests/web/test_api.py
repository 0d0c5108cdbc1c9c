"""The JSON API, version 1, over the real index of the bundled knowledge base."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

Ask = Callable[[str], dict[str, Any]]

ANSWER_KEYS = {
    "answer",
    "refused",
    "language",
    "citations",
    "conversation_id",
    "answer_id",
    "source",
}
CITATION_KEYS = {
    "n",
    "document_id",
    "chunk_id",
    "title",
    "section",
    "quote",
    "url",
    "source_url",
    "status",
    "issued",
    "version",
    "article",
    "paragraph",
    "item",
    "locator",
    "excerpt",
}
DOCUMENT_KEYS = {
    "id",
    "title",
    "language",
    "translation_of",
    "category",
    "issuer",
    "doc_number",
    "issued",
    "effective",
    "status",
    "jurisdiction",
    "source_url",
    "verified",
    "version",
    "superseded_by",
    "withdrawn",
}
INDEX_KEYS = {"index_status", "index_error", "index_done", "index_total"}  # staff uploads

CIT_ZH = "南沙的企业所得税优惠税率是多少？"
DECREE_EN = "When does Decree 818 take effect?"
ANSWERABLE = [
    CIT_ZH,
    DECREE_EN,
    "按财税〔2022〕40号，南沙的高新技术企业以前年度的亏损最长能结转几年？",
    "Under SAMR Order No. 27, how long after each trial year do we have to submit the DSUR?",
    "Our CRO mentions NMPA and NHC Announcement 2020 No. 57. Since when does that GCP apply?",
    "What does 国办发〔2024〕53号 offer to a company developing a clinically urgent CAR-T therapy?",
]
URL = re.compile(
    r"^/documents/(?P<id>[^/?#]+)\?hl=(?P<start>\d+)-(?P<end>\d+)#passage-(?P<chunk>.+)$"
)


@pytest.fixture(scope="module")
def document_texts(client: TestClient) -> dict[str, str]:
    """Full texts fetched through the API, cached by document id."""
    return {}


def _text_of(client: TestClient, cache: dict[str, str], document_id: str) -> str:
    if document_id not in cache:
        response = client.get(f"/api/v1/documents/{document_id}")
        assert response.status_code == 200, response.text
        cache[document_id] = response.json()["text"]
    return cache[document_id]


# --- the shape of an answer --------------------------------------------------------------


def test_chat_answer_has_exactly_the_documented_keys(ask_api: Ask) -> None:
    body = ask_api(CIT_ZH)

    assert set(body) == ANSWER_KEYS
    assert isinstance(body["answer"], str) and body["answer"]
    assert body["refused"] is False
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", body["conversation_id"])
    assert body["citations"]
    for citation in body["citations"]:
        assert set(citation) == CITATION_KEYS
        assert isinstance(citation["n"], int)
        assert citation["status"] in {"in_force", "draft", "superseded", "announced"}


def test_citations_are_numbered_from_one_and_referenced_in_the_answer(ask_api: Ask) -> None:
    body = ask_api(CIT_ZH)

    numbers = [c["n"] for c in body["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for n in numbers:
        assert f"[{n}]" in body["answer"]


# --- answers and refusals ----------------------------------------------------------------


def test_chinese_question_about_nansha_tax_rate_answers_15_percent_in_chinese(
    ask_api: Ask,
) -> None:
    body = ask_api(CIT_ZH)

    assert body["refused"] is False
    assert body["language"] == "zh"
    assert "15%" in body["answer"]
    assert body["citations"]
    assert any(c["document_id"].startswith("nansha-cit-15") for c in body["citations"])


def test_english_question_about_decree_818_answers_1_may_2026_in_english(ask_api: Ask) -> None:
    body = ask_api(DECREE_EN)

    assert body["refused"] is False
    assert body["language"] == "en"
    assert "1 May 2026" in body["answer"]
    assert any(c["document_id"].startswith("decree-818") for c in body["citations"])


@pytest.mark.parametrize(
    ("question", "language"),
    [("明天南沙天气怎么样？", "zh"), ("What is the weather tomorrow?", "en")],
)
def test_weather_questions_are_refused_without_citations(
    ask_api: Ask, question: str, language: str
) -> None:
    body = ask_api(question)

    assert set(body) == ANSWER_KEYS
    assert body["refused"] is True
    assert body["citations"] == []
    assert body["language"] == language
    assert body["answer"]  # a plain refusal, not an empty string
    assert "15%" not in body["answer"]


# --- citations quote the documents verbatim ----------------------------------------------


@pytest.mark.parametrize("question", ANSWERABLE)
def test_every_citation_quote_occurs_verbatim_in_its_document_text(
    client: TestClient, ask_api: Ask, document_texts: dict[str, str], question: str
) -> None:
    body = ask_api(question)
    assert body["citations"], f"no citations for {question!r}: {body['answer']!r}"

    for citation in body["citations"]:
        text = _text_of(client, document_texts, citation["document_id"])
        assert citation["quote"], citation
        assert citation["quote"] in text, citation


@pytest.mark.parametrize("question", ANSWERABLE)
def test_citation_urls_open_the_passage_highlighting_exactly_the_quote(
    client: TestClient, ask_api: Ask, document_texts: dict[str, str], question: str
) -> None:
    body = ask_api(question)

    for citation in body["citations"]:
        match = URL.match(citation["url"])
        assert match, citation["url"]
        assert match["id"] == citation["document_id"]
        assert match["chunk"] == citation["chunk_id"]
        text = _text_of(client, document_texts, citation["document_id"])
        assert text[int(match["start"]) : int(match["end"])] == citation["quote"]
        assert parse_qs(urlsplit(citation["url"]).query) == {
            "hl": [f"{match['start']}-{match['end']}"]
        }


# --- conversations -----------------------------------------------------------------------


def test_follow_up_with_conversation_id_uses_the_previous_turn(client: TestClient) -> None:
    first = client.post("/api/v1/chat", json={"question": CIT_ZH}).json()

    follow_up = client.post(
        "/api/v1/chat",
        json={"question": "适用于整个南沙吗？", "conversation_id": first["conversation_id"]},
    )

    assert follow_up.status_code == 200
    body = follow_up.json()
    assert body["conversation_id"] == first["conversation_id"]
    assert body["refused"] is False
    assert "先行启动区" in body["answer"]
    assert any(c["document_id"].startswith("nansha-cit-15") for c in body["citations"])


def test_same_follow_up_without_a_conversation_has_no_previous_turn_to_use(
    client: TestClient,
) -> None:
    alone = client.post("/api/v1/chat", json={"question": "适用于整个南沙吗？"}).json()
    client.post("/api/v1/chat", json={"question": CIT_ZH})  # another conversation's turn
    again = client.post("/api/v1/chat", json={"question": "适用于整个南沙吗？"}).json()

    # Without its conversation the question borrows no other conversation's context: it is
    # answered exactly as it is on its own.
    assert again["conversation_id"] != alone["conversation_id"]
    assert again["answer"] == alone["answer"]
    assert [c["chunk_id"] for c in again["citations"]] == [
        c["chunk_id"] for c in alone["citations"]
    ]


@pytest.mark.parametrize(
    ("first", "off_topic"),
    [(DECREE_EN, "What's the weather tomorrow?"), (CIT_ZH, "明天南沙天气怎么样？")],
    ids=["en", "zh"],
)
def test_off_topic_question_inside_a_conversation_is_still_refused(
    client: TestClient, first: str, off_topic: str
) -> None:
    conversation = client.post("/api/v1/chat", json={"question": first}).json()["conversation_id"]

    body = client.post(
        "/api/v1/chat", json={"question": off_topic, "conversation_id": conversation}
    ).json()

    assert body["refused"] is True
    assert body["citations"] == []


def test_each_new_question_without_an_id_starts_its_own_conversation(ask_api: Ask) -> None:
    assert ask_api(CIT_ZH)["conversation_id"] != ask_api(DECREE_EN)["conversation_id"]


# --- bad input is a 4xx with a reason, never a 500 ---------------------------------------


def _assert_rejected(response: Any, field: str | None = None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail, "a rejection must say why"
    if isinstance(detail, list):
        assert all(problem.get("message") for problem in detail), detail
        if field is not None:
            assert field in {problem["field"] for problem in detail}, detail


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n\t "}, "question"),
        ({"question": "税" * 2001}, "question"),
        ({}, "question"),
        ({"conversation_id": "abc"}, "question"),
        ({"question": 15}, "question"),
        ({"question": None}, "question"),
        ({"question": ["南沙"]}, "question"),
        ({"question": {"text": "南沙"}}, "question"),
        ({"question": "南沙", "conversation_id": 7}, "conversation_id"),
        ({"question": "南沙", "extra": "field"}, "extra"),
        ({"question": "南沙", "conversation_id": "../../etc/passwd"}, "conversation_id"),
        ({"question": "南沙", "conversation_id": "<script>"}, "conversation_id"),
        ({"question": "南沙", "conversation_id": "a" * 65}, "conversation_id"),
        ({"question": "南沙", "conversation_id": ""}, "conversation_id"),
    ],
    ids=[
        "empty",
        "whitespace",
        "2001-chars",
        "missing-question",
        "only-conversation",
        "int-question",
        "null-question",
        "list-question",
        "object-question",
        "int-conversation",
        "extra-field",
        "path-conversation",
        "markup-conversation",
        "long-conversation",
        "empty-conversation",
    ],
)
def test_invalid_chat_payload_is_rejected_with_a_reason(
    client: TestClient, payload: dict[str, Any], field: str
) -> None:
    _assert_rejected(client.post("/api/v1/chat", json=payload), field)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"question": "南沙"', "application/json"),
        ('["南沙"]', "application/json"),
        ('"南沙"', "application/json"),
        ("", "application/json"),
        ("question=南沙", "application/x-www-form-urlencoded"),
        ("南沙", "text/plain"),
    ],
    ids=["garbage", "truncated", "array", "string", "empty-body", "form", "text"],
)
def test_malformed_chat_body_is_rejected_with_a_reason(
    client: TestClient, content: str, content_type: str
) -> None:
    response = client.post(
        "/api/v1/chat", content=content.encode(), headers={"content-type": content_type}
    )

    _assert_rejected(response)


def test_question_of_exactly_2000_characters_is_accepted(client: TestClient) -> None:
    question = ("南沙的企业所得税优惠税率是多少？" * 200)[:2000]

    response = client.post("/api/v1/chat", json={"question": question})

    assert response.status_code == 200, response.text
    assert set(response.json()) == ANSWER_KEYS


def test_chat_by_get_is_method_not_allowed(client: TestClient) -> None:
    response = client.get("/api/v1/chat")

    assert response.status_code == 405
    assert response.json()["detail"]


# --- documents ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def all_documents(client: TestClient) -> list[dict[str, Any]]:
    """Every document's metadata, through the API."""
    response = client.get("/api/v1/documents")
    assert response.status_code == 200
    return response.json()


def test_document_list_has_the_whole_knowledge_base_with_metadata(
    all_documents: list[dict[str, Any]],
) -> None:
    assert len(all_documents) >= 80
    ids = [d["id"] for d in all_documents]
    assert len(ids) == len(set(ids))
    for document in all_documents:
        assert set(document) == DOCUMENT_KEYS
        assert document["title"]
        assert document["language"] in {"zh", "en"}
    assert {d["language"] for d in all_documents} == {"zh", "en"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("category", "policy"),
        ("category", "regulation"),
        ("status", "superseded"),
        ("status", "in_force"),
        ("language", "en"),
        ("language", "zh"),
        ("jurisdiction", "nansha"),
    ],
)
def test_document_list_filter_keeps_only_matching_documents(
    client: TestClient, all_documents: list[dict[str, Any]], name: str, value: str
) -> None:
    response = client.get("/api/v1/documents", params={name: value})

    assert response.status_code == 200
    found = response.json()
    expected = {d["id"] for d in all_documents if d[name] == value}
    assert found, f"no document with {name}={value}"
    assert {d["id"] for d in found} == expected


def test_document_list_filters_combine(
    client: TestClient, all_documents: list[dict[str, Any]]
) -> None:
    found = client.get(
        "/api/v1/documents", params={"category": "regulation", "language": "en"}
    ).json()

    expected = {
        d["id"] for d in all_documents if d["category"] == "regulation" and d["language"] == "en"
    }
    assert found and {d["id"] for d in found} == expected


def test_document_search_finds_decree_818_in_both_languages(client: TestClient) -> None:
    found = client.get("/api/v1/documents", params={"q": "818"}).json()

    ids = {d["id"] for d in found}
    assert {"decree-818-en", "decree-818-zh"} <= ids
    assert len(found) < 80


def test_document_search_without_match_returns_an_empty_list(client: TestClient) -> None:
    response = client.get("/api/v1/documents", params={"q": "zzzz-no-such-document-qqqq"})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "params",
    [{"category": "bogus"}, {"status": "repealed"}, {"language": "fr"}, {"q": "x" * 201}],
    ids=["category", "status", "language", "long-q"],
)
def test_document_list_rejects_unknown_filter_values(
    client: TestClient, params: dict[str, str]
) -> None:
    field = f"query.{next(iter(params))}"
    _assert_rejected(client.get("/api/v1/documents", params=params), field)


def test_document_has_metadata_and_full_text(
    client: TestClient, all_documents: list[dict[str, Any]]
) -> None:
    response = client.get("/api/v1/documents/decree-818-en")

    assert response.status_code == 200
    document = response.json()
    assert set(document) == DOCUMENT_KEYS | {"text"} | INDEX_KEYS
    assert "1 May 2026" in document["text"]
    listed = next(d for d in all_documents if d["id"] == "decree-818-en")
    assert {k: document[k] for k in DOCUMENT_KEYS} == listed


@pytest.mark.parametrize("document_id", ["no-such-document", "DECREE-818-EN", "%3Cscript%3E"])
def test_unknown_document_is_a_404_json_error(client: TestClient, document_id: str) -> None:
    response = client.get(f"/api/v1/documents/{document_id}")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "not found" in response.json()["detail"]


def test_unknown_api_path_is_a_404_json_error(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


# --- operations --------------------------------------------------------------------------


def test_healthz_is_ok_once_the_index_is_ready(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_schema_documents_the_three_api_paths(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    paths = schema["paths"]
    assert "post" in paths["/api/v1/chat"]
    assert "get" in paths["/api/v1/documents"]
    assert "get" in paths["/api/v1/documents/{document_id}"]
    chat_response = paths["/api/v1/chat"]["post"]["responses"]["200"]
    assert chat_response["content"]["application/json"]["schema"]["$ref"].endswith("/ChatResponse")
    citation = schema["components"]["schemas"]["CitationOut"]
    assert set(citation["properties"]) == CITATION_KEYS
