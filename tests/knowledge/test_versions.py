"""Document versions in real SQLite: every change is a version with its text, who and why."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.chunking import chunk_document
from knowledge.documents import SourceDocument

MakeDocument = Callable[..., SourceDocument]

TEXT = "Release testing covers sterility and endotoxin.\n\n## Fees\n\nFees are RMB 2,000 per lot.\n"
NEW_TEXT = (
    "Release testing covers sterility and endotoxin.\n\n## Fees\n\nFees are RMB 3,000 per lot.\n"
)


def save(session: Session, document: SourceDocument, **kwargs: object) -> list[str]:
    """Save with real chunks and commit, as an ingest does."""
    old = registry.save_document(
        session=session,
        document=document,
        chunks=chunk_document(document),
        origin=str(kwargs.pop("origin", "bundled")),
        **kwargs,  # type: ignore[arg-type]
    )
    session.commit()
    return old


def test_a_new_document_is_version_1_with_its_text_author_and_note(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="fees-en"), changed_by="zhao@gba-cgt.cn", note="first")

    row = registry.get(session=session, document_id="fees-en")
    [version] = registry.versions_of(session=session, document_id="fees-en")
    assert row is not None and row.version == 1
    assert (version.version, version.change, version.changed_by, version.note) == (
        1,
        "created",
        "zhao@gba-cgt.cn",
        "first",
    )
    assert version.text == TEXT and version.meta["title"] == "Sample document"
    assert version.content_hash == row.content_hash


def test_saving_the_same_content_again_keeps_the_version(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="same-en"))
    save(session, make_document(TEXT, id="same-en"))

    assert registry.get(session=session, document_id="same-en").version == 1  # type: ignore[union-attr]
    assert len(registry.versions_of(session=session, document_id="same-en")) == 1


def test_new_text_and_new_metadata_each_make_the_next_version_and_keep_old_texts(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="fees-en"))
    save(session, make_document(NEW_TEXT, id="fees-en"), changed_by="a@x.cn")
    save(session, make_document(NEW_TEXT, id="fees-en", title="Fees 2026"), changed_by="b@x.cn")

    versions = registry.versions_of(session=session, document_id="fees-en")
    assert [(v.version, v.change, v.changed_by) for v in versions] == [
        (3, "metadata", "b@x.cn"),
        (2, "content", "a@x.cn"),
        (1, "created", None),
    ]
    assert registry.get_version(session=session, document_id="fees-en", version=1).text == TEXT  # type: ignore[union-attr]
    assert versions[0].meta["title"] == "Fees 2026"
    assert registry.get(session=session, document_id="fees-en").version == 3  # type: ignore[union-attr]


def test_a_given_change_kind_is_recorded(session: Session, make_document: MakeDocument) -> None:
    save(session, make_document(TEXT, id="old-en"))
    superseded = make_document(TEXT, id="old-en", status="superseded", superseded_by="new-en")
    save(session, superseded, change="superseded", changed_by="s@x.cn")

    row = registry.get(session=session, document_id="old-en")
    assert row is not None and row.superseded_by == "new-en" and row.status == "superseded"
    assert registry.versions_of(session=session, document_id="old-en")[0].change == "superseded"


def test_withdrawal_removes_the_chunks_but_keeps_the_row_and_every_version(
    session: Session, make_document: MakeDocument
) -> None:
    document = make_document(TEXT, id="gone-en")
    save(session, document)
    chunk_ids = {c.id for c in chunk_document(document)}

    removed = registry.withdraw_document(
        session=session, document_id="gone-en", changed_by="s@x.cn", note="wrong file"
    )
    session.commit()

    assert set(removed) == chunk_ids
    assert registry.chunks_of(session=session, document_id="gone-en") == []
    row = registry.get(session=session, document_id="gone-en")
    assert row is not None and row.withdrawn and row.version == 2
    versions = registry.versions_of(session=session, document_id="gone-en")
    assert [(v.version, v.change, v.note) for v in versions] == [
        (2, "withdrawn", "wrong file"),
        (1, "created", None),
    ]
    assert versions[0].text == TEXT  # the withdrawn text stays readable for provenance
    assert [r.id for r in registry.list_documents(session=session)] == []
    assert [r.id for r in registry.list_documents(session=session, include_withdrawn=True)] == [
        "gone-en"
    ]
    assert registry.withdraw_document(session=session, document_id="gone-en") == []


def test_versions_outlive_a_removed_document_and_numbering_continues(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="back-en"))
    save(session, make_document(NEW_TEXT, id="back-en"))
    registry.remove_document(session=session, document_id="back-en")
    session.commit()
    assert len(registry.versions_of(session=session, document_id="back-en")) == 2

    save(session, make_document(TEXT, id="back-en"))

    assert registry.get(session=session, document_id="back-en").version == 3  # type: ignore[union-attr]


def test_a_file_sync_leaves_staff_edited_and_withdrawn_documents_alone(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="edited-en", title="Staff title"), origin="staff")
    save(session, make_document(TEXT, id="pulled-en"))
    registry.withdraw_document(session=session, document_id="pulled-en")
    session.commit()

    plan = registry.plan_sync(
        session=session,
        documents=[
            make_document(NEW_TEXT, id="edited-en"),
            make_document(NEW_TEXT, id="pulled-en"),
        ],
        origin="bundled",
        prune=True,
    )

    assert plan.changed == [] and sorted(plan.unchanged) == ["edited-en", "pulled-en"]
    assert plan.removed == []  # the staff document is of another origin
