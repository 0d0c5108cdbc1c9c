"""The JSON API's documented shapes: the keys of citations and documents, and 4xx errors."""

from __future__ import annotations

from typing import Any

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


def assert_rejected(response: Any, field: str | None = None) -> None:
    """A 4xx JSON error that says why (and names `field` when given), never a 500."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail, "a rejection must say why"
    if isinstance(detail, list):
        assert all(problem.get("message") for problem in detail), detail
        if field is not None:
            assert field in {problem["field"] for problem in detail}, detail
