"""The JSON chat API, version 1, over the real index of the bundled knowledge base."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.support.api_shapes import CITATION_KEYS, assert_rejected

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
    assert_rejected(client.post("/api/v1/chat", json=payload), field)


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

    assert_rejected(response)


def test_question_of_exactly_2000_characters_is_accepted(client: TestClient) -> None:
    question = ("南沙的企业所得税优惠税率是多少？" * 200)[:2000]

    response = client.post("/api/v1/chat", json={"question": question})

    assert response.status_code == 200, response.text
    assert set(response.json()) == ANSWER_KEYS


def test_chat_by_get_is_method_not_allowed(client: TestClient) -> None:
    response = client.get("/api/v1/chat")

    assert response.status_code == 405
    assert response.json()["detail"]
