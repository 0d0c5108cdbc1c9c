"""Withdrawn texts are for staff only; others see the notice and the replacement (finding 9)."""

from __future__ import annotations

import pytest

from knowledge.documents import DocumentMeta, SourceDocument

SECRET = "Withdrawn clause: the center takes this text back, quote 7731."
OLD, NEW = "withdrawn-fee-rule-en", "current-fee-rule-en"


def _document(doc_id: str, text: str) -> SourceDocument:
    meta = DocumentMeta(id=doc_id, title=f"Fee rule {doc_id}", language="en", category="news")
    return SourceDocument(meta=meta, text=f"# Fee rule\n\n{text}\n")


@pytest.fixture(scope="module")
def withdrawn(world) -> str:  # type: ignore[no-untyped-def]
    world.components.indexer.ingest(
        [_document(OLD, SECRET), _document(NEW, "The current fee rule.")],
        origin="local",
        prune=False,
    )
    staff = world.staff.client
    superseded = staff.post(f"/api/v1/documents/{OLD}/supersede", json={"superseded_by": NEW})
    assert superseded.status_code == 200, superseded.text
    gone = staff.delete(f"/api/v1/documents/{OLD}", headers={"X-CSRF-Token": world.staff.csrf})
    assert gone.json()["withdrawn"] is True, gone.text
    return OLD


@pytest.mark.parametrize("who", ["visitor", "a"])
def test_the_api_gives_others_the_notice_and_the_replacement_but_not_the_text(
    world, withdrawn, who
) -> None:  # type: ignore[no-untyped-def]
    client = world.fresh() if who == "visitor" else world.a.client

    body = client.get(f"/api/v1/documents/{withdrawn}").json()

    assert (body["withdrawn"], body["superseded_by"], body["text"]) == (True, NEW, "")
    assert SECRET not in str(body)


@pytest.mark.parametrize("who", ["visitor", "a"])
def test_the_page_shows_others_the_notice_and_the_replacement_but_not_the_text(
    world, withdrawn, who
) -> None:  # type: ignore[no-untyped-def]
    client = world.fresh() if who == "visitor" else world.a.client

    page = client.get(f"/documents/{withdrawn}?lang=en").text

    assert "The center has withdrawn this document" in page
    assert f'href="/documents/{NEW}"' in page
    assert SECRET not in page


def test_staff_still_read_the_withdrawn_text(world, withdrawn) -> None:  # type: ignore[no-untyped-def]
    assert SECRET in world.staff.client.get(f"/api/v1/documents/{withdrawn}").json()["text"]
    assert SECRET in world.staff.client.get(f"/documents/{withdrawn}").text
