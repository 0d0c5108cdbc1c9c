"""Identifiers are matched whole: a trailing newline is not part of a valid id (finding 6).

Python's `$` also matches just before a final "\\n", so `^[a-z0-9-]+$` let the id "x\\n"
through; the validators end with `\\Z` (or use fullmatch) instead.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge.documents import DocumentMeta
from portal import accounts


@pytest.mark.parametrize("bad", ["x\n", "nansha-cit-15\n", "x\r\n"])
def test_a_document_id_ending_in_a_newline_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="ids use"):
        DocumentMeta(id=bad, title="t", language="en", category="news")


def test_a_date_ending_in_a_newline_is_refused() -> None:
    with pytest.raises(ValidationError, match="dates"):
        DocumentMeta(id="x", title="t", language="en", category="news", issued="2024-01-02\n")


def test_the_e_mail_pattern_refuses_a_trailing_newline() -> None:
    pattern = accounts._EMAIL  # check_email trims first; the pattern must hold on its own too

    assert pattern.match("a@example.cn")
    assert not pattern.match("a@example.cn\n")


def test_an_upload_whose_front_matter_id_ends_in_a_newline_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    text = '---\nid: "newline-id\\n"\ntitle: Newline\nlanguage: en\ncategory: news\n---\n\nBody.\n'
    response = world.staff.client.post(
        "/api/v1/documents",
        files={"file": ("newline.md", text.encode(), "text/markdown")},
        data={"title": "Newline", "language": "en", "category": "news"},
        headers={"X-CSRF-Token": world.staff.csrf},
    )

    assert response.status_code == 422, response.text
    assert world.staff.client.get("/api/v1/documents/newline-id%0A").status_code == 404
