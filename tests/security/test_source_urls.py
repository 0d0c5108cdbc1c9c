"""A javascript: source URL is refused at ingest and through the API, and never becomes a link."""

from __future__ import annotations

import pytest

from tests.security.inert_html import assert_inert


def test_a_javascript_source_url_is_refused_at_ingest(attack) -> None:  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from knowledge.documents import DocumentMeta

    for url in (
        attack.JS_URL,
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "//evil.example/x",
        "vbscript:x",
    ):
        with pytest.raises(ValidationError):
            DocumentMeta(id="bad-url", title="t", language="en", category="news", source_url=url)


def test_a_javascript_source_url_in_the_database_never_becomes_a_link(world, attack) -> None:  # type: ignore[no-untyped-def]
    """Defence in depth: a row written by another path (an edit, a migration) stays inert."""
    from knowledge.tables import DocumentRow

    with world.components.sessions() as session:
        row = session.get(DocumentRow, "xss-payload-doc")
        original = row.source_url
        row.source_url = attack.JS_URL
        session.commit()
    try:
        page = world.fresh().get("/documents/xss-payload-doc").text
        answer = (
            world.fresh()
            .post("/chat", data={"question": "Cell therapy quality control payload test"})
            .text
        )
        for html in (page, answer):
            assert_inert(html, "javascript: source_url")
    finally:
        with world.components.sessions() as session:
            session.get(DocumentRow, "xss-payload-doc").source_url = original
            session.commit()


def test_staff_cannot_set_a_javascript_source_url_through_the_api(world, attack) -> None:  # type: ignore[no-untyped-def]
    for url in (attack.JS_URL, "data:text/html,<script>alert(1)</script>"):
        response = world.staff.client.patch(
            "/api/v1/documents/xss-payload-doc", json={"source_url": url}
        )
        assert response.status_code == 422, response.text[:300]
    document = world.fresh().get("/api/v1/documents/xss-payload-doc").json()
    assert document["source_url"].startswith("https://")
