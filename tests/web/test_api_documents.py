"""The JSON API's documents (list, filters, search, full text, 404s) and its operations paths."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api_shapes import CITATION_KEYS, DOCUMENT_KEYS, INDEX_KEYS, assert_rejected

# --- the shape of an answer --------------------------------------------------------------


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
    assert_rejected(client.get("/api/v1/documents", params=params), field)


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
