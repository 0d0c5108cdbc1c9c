"""Planning an ingest against the registry: what to index, keep and remove (registry.plan_sync)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.documents import SourceDocument
from tests.knowledge.registry_support import TEXT, save

MakeDocument = Callable[..., SourceDocument]  # the make_document fixture in conftest.py


def test_plan_sync_on_an_empty_registry_indexes_everything(
    session: Session, make_document: MakeDocument
) -> None:
    documents = [make_document(TEXT, id="a-en"), make_document(TEXT, id="b-en")]
    plan = registry.plan_sync(session=session, documents=documents, origin="bundled", prune=True)

    assert plan.changed == documents
    assert plan.unchanged == []
    assert plan.removed == []


def test_plan_sync_sorts_documents_into_unchanged_changed_and_new(
    session: Session, make_document: MakeDocument
) -> None:
    same = make_document(TEXT, id="same-en")
    edited_text = make_document(TEXT, id="text-en")
    edited_meta = make_document(TEXT, id="meta-en")
    for document in (same, edited_text, edited_meta):
        save(session, document)
    session.commit()

    incoming = [
        make_document(TEXT, id="same-en"),
        make_document(TEXT.replace("to be confirmed", "RMB 20,000"), id="text-en"),
        make_document(TEXT, id="meta-en", status="superseded"),
        make_document(TEXT, id="new-en"),
    ]
    plan = registry.plan_sync(session=session, documents=incoming, origin="bundled", prune=False)

    assert plan.unchanged == ["same-en"]
    assert [document.id for document in plan.changed] == ["text-en", "meta-en", "new-en"]
    assert plan.removed == []


def test_plan_sync_with_prune_removes_missing_documents_of_the_same_origin_only(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="kept-en"))
    save(session, make_document(TEXT, id="dropped-b-en"))
    save(session, make_document(TEXT, id="dropped-a-en"))
    save(session, make_document(TEXT, id="uploaded-en"), origin="upload")
    session.commit()

    plan = registry.plan_sync(
        session=session,
        documents=[make_document(TEXT, id="kept-en")],
        origin="bundled",
        prune=True,
    )

    assert plan.removed == ["dropped-a-en", "dropped-b-en"]  # sorted
    assert "uploaded-en" not in plan.removed


def test_plan_sync_without_prune_removes_nothing(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="old-en"))
    session.commit()

    plan = registry.plan_sync(session=session, documents=[], origin="bundled", prune=False)
    assert plan.removed == []


def test_plan_sync_for_another_origin_leaves_bundled_documents_alone(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="bundled-en"))
    save(session, make_document(TEXT, id="old-upload-en"), origin="upload")
    session.commit()

    plan = registry.plan_sync(
        session=session,
        documents=[make_document(TEXT, id="new-upload-en")],
        origin="upload",
        prune=True,
    )
    assert plan.removed == ["old-upload-en"]


def test_plan_sync_rejects_two_documents_with_one_id(
    session: Session, make_document: MakeDocument
) -> None:
    twins = [make_document(TEXT, id="twin-en"), make_document(TEXT + "More.\n", id="twin-en")]
    with pytest.raises(ValueError, match="two documents share the id 'twin-en'"):
        registry.plan_sync(session=session, documents=twins, origin="bundled", prune=True)


def test_applying_a_plan_makes_the_next_plan_empty(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="gone-en"))
    session.commit()
    documents = [make_document(TEXT, id="a-en"), make_document(TEXT, id="b-en")]

    plan = registry.plan_sync(session=session, documents=documents, origin="bundled", prune=True)
    for document in plan.changed:
        save(session, document)
    for document_id in plan.removed:
        registry.remove_document(session=session, document_id=document_id)
    session.commit()

    again = registry.plan_sync(session=session, documents=documents, origin="bundled", prune=True)
    assert (again.changed, again.unchanged, again.removed) == ([], ["a-en", "b-en"], [])
