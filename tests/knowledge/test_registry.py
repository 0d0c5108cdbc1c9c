"""The document registry in real SQLite (knowledge.registry)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.chunking import chunk_document
from knowledge.documents import SourceDocument
from knowledge.registry import ChunkRow, DocumentRow

MakeDocument = Callable[..., SourceDocument]  # the make_document fixture in conftest.py

TEXT = (
    "Release testing covers sterility, endotoxin and mycoplasma.\n\n"
    "## Fees\n\nFees are to be confirmed with the center.\n"
)


def save(session: Session, document: SourceDocument, origin: str = "bundled") -> list[str]:
    """Save a document with its real chunks, as an ingest does."""
    return registry.save_document(
        session=session, document=document, chunks=chunk_document(document), origin=origin
    )


def chunk_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChunkRow)) or 0


# --- plan_sync -------------------------------------------------------------------------------


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


# --- save_document and remove_document -------------------------------------------------------


def test_save_document_stores_the_document_and_its_chunks_in_reading_order(
    session: Session, make_document: MakeDocument
) -> None:
    document = make_document(TEXT, id="release-en", issuer="GBA CGT Center")
    assert save(session, document) == []
    session.commit()

    row = registry.get(session=session, document_id="release-en")
    assert row is not None
    assert (row.title, row.issuer, row.origin) == ("Sample document", "GBA CGT Center", "bundled")
    assert (row.text, row.content_hash) == (document.text, document.content_hash)
    assert row.updated_at is not None
    chunks = registry.chunks_of(session=session, document_id="release-en")
    assert [(c.id, c.section, c.text, c.start) for c in chunks] == [
        (c.id, c.section, c.text, c.start) for c in chunk_document(document)
    ]


def test_save_document_replaces_chunks_and_returns_the_replaced_ids(
    session: Session, make_document: MakeDocument
) -> None:
    first = make_document(TEXT, id="release-en")
    save(session, first)
    session.commit()
    old_ids = [chunk.id for chunk in chunk_document(first)]

    second = make_document(TEXT.replace("to be confirmed", "RMB 20,000"), id="release-en")
    replaced = save(session, second)
    session.commit()

    assert sorted(replaced) == sorted(old_ids)
    stored = registry.chunk_ids(session=session, document_id="release-en")
    assert sorted(stored) == sorted(chunk.id for chunk in chunk_document(second))
    assert old_ids[0] in stored  # the untouched first paragraph keeps its id
    assert old_ids[1] not in stored
    assert chunk_count(session) == 2
    row = registry.get(session=session, document_id="release-en")
    assert row is not None and row.text == second.text


def test_save_document_after_reading_its_chunks_in_the_same_session(
    session: Session, make_document: MakeDocument
) -> None:
    document = make_document(TEXT, id="release-en")
    save(session, document)
    session.commit()
    loaded = registry.chunks_of(session=session, document_id="release-en")

    replaced = save(session, document)  # same chunk ids as the rows already in the session
    session.commit()

    assert sorted(replaced) == sorted(chunk.id for chunk in loaded)
    assert chunk_count(session) == 2


def test_save_document_records_the_origin_it_was_saved_from(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="release-en"), origin="upload")
    session.commit()
    row = registry.get(session=session, document_id="release-en")
    assert row is not None and row.origin == "upload"


def test_remove_document_deletes_it_with_its_chunks_and_returns_their_ids(
    session: Session, make_document: MakeDocument
) -> None:
    kept = make_document(TEXT, id="kept-en")
    gone = make_document(TEXT, id="gone-en")
    save(session, kept)
    save(session, gone)
    session.commit()

    removed = registry.remove_document(session=session, document_id="gone-en")
    session.commit()

    assert sorted(removed) == sorted(chunk.id for chunk in chunk_document(gone))
    assert registry.get(session=session, document_id="gone-en") is None
    assert [row.id for row in registry.all_documents(session=session)] == ["kept-en"]
    assert {row.document_id for row in registry.all_chunks(session=session)} == {"kept-en"}


def test_remove_document_of_an_unknown_id_removes_nothing(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="kept-en"))
    session.commit()
    assert registry.remove_document(session=session, document_id="missing-en") == []
    assert chunk_count(session) == 2


def test_a_removed_document_can_be_saved_again_in_the_same_session(
    session: Session, make_document: MakeDocument
) -> None:
    document = make_document(TEXT, id="back-en")
    save(session, document)
    session.commit()
    registry.remove_document(session=session, document_id="back-en")

    assert save(session, document) == []
    session.commit()
    assert registry.get(session=session, document_id="back-en") is not None


def test_all_chunks_come_in_document_then_reading_order(
    session: Session, make_document: MakeDocument
) -> None:
    save(session, make_document(TEXT, id="b-en"))
    save(session, make_document(TEXT, id="a-en"))
    session.commit()
    chunks = registry.all_chunks(session=session)
    assert [(c.document_id, c.ordinal) for c in chunks] == [
        ("a-en", 0),
        ("a-en", 1),
        ("b-en", 0),
        ("b-en", 1),
    ]


# --- metadata round trip ---------------------------------------------------------------------


def test_document_row_meta_round_trips_metadata_with_service_keys(
    db_path: Path, make_document: MakeDocument
) -> None:
    meta: dict[str, Any] = {
        "id": "release-testing-zh",
        "title": "放行检验服务",
        "language": "zh",
        "translation_of": "release-testing-en",
        "category": "service",
        "issuer": "大湾区细胞与基因治疗产业公共服务中心",
        "doc_number": "财税〔2022〕40号",
        "issued": "2024-03",
        "effective": "2024",
        "status": "announced",
        "jurisdiction": "nansha",
        "source_url": "https://example.org/release",
        "verified": True,
        "service_code": "release_testing",
        "turnaround_days": 10,
        "fee": None,
    }
    document = make_document("放行检验服务覆盖无菌、内毒素和支原体检测，费用尚待确认。", **meta)
    engine = create_engine(f"sqlite:///{db_path}")
    with Session(engine) as writer:
        save(writer, document)
        writer.commit()

    with Session(engine) as reader:  # a fresh session reads what SQLite really stored
        row = registry.get(session=reader, document_id="release-testing-zh")
        assert row is not None
        assert row.meta == document.meta
        assert row.meta.model_dump() == meta
        assert row.meta.extra == {
            "service_code": "release_testing",
            "turnaround_days": 10,
            "fee": None,
        }
    engine.dispose()


# --- list_documents ---------------------------------------------------------------------------


@pytest.fixture
def catalogue(session: Session, make_document: MakeDocument) -> Session:
    """A registry holding four documents that differ in every filterable column."""
    save(
        session,
        make_document(
            "南沙区对鼓励类产业企业减按15%的税率征收企业所得税。",
            id="nansha-cit-15-zh",
            title="南沙企业所得税优惠",
            language="zh",
            category="policy",
            jurisdiction="nansha",
            doc_number="财税〔2022〕40号",
            issuer="财政部",
            issued="2022-11-18",
        ),
    )
    save(
        session,
        make_document(
            "Decree 818 governs clinical research on new biomedical technologies.",
            id="decree-818-en",
            title="State Council Decree 818",
            category="regulation",
            jurisdiction="national",
            issuer="State Council",
            issued="2025-09-28",
        ),
    )
    save(
        session,
        make_document(
            "The 2019 draft on new biomedical technologies was replaced by Decree 818.",
            id="draft-2019-en",
            title="Biomedical new technology draft",
            category="regulation",
            jurisdiction="national",
            status="superseded",
            issued="2019",
        ),
    )
    save(
        session,
        make_document(
            "Release testing covers sterility, endotoxin and mycoplasma for 150 batches.",
            id="release-testing-en",
            title="Release testing",
            category="service",
            jurisdiction="nansha",
        ),
    )
    session.commit()
    return session


def ids(rows: list[DocumentRow]) -> list[str]:
    return [row.id for row in rows]


def test_list_documents_returns_newest_issue_date_first_and_undated_last(
    catalogue: Session,
) -> None:
    assert ids(registry.list_documents(session=catalogue)) == [
        "decree-818-en",
        "nansha-cit-15-zh",
        "draft-2019-en",
        "release-testing-en",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "regulation"}, ["decree-818-en", "draft-2019-en"]),
        ({"jurisdiction": "nansha"}, ["nansha-cit-15-zh", "release-testing-en"]),
        ({"status": "superseded"}, ["draft-2019-en"]),
        ({"language": "zh"}, ["nansha-cit-15-zh"]),
        ({"category": "regulation", "status": "in_force"}, ["decree-818-en"]),
        ({"category": "news"}, []),
    ],
)
def test_list_documents_filters_combine(
    catalogue: Session, filters: dict[str, str], expected: list[str]
) -> None:
    assert ids(registry.list_documents(session=catalogue, **filters)) == expected


def test_list_documents_ignores_empty_filters(catalogue: Session) -> None:
    rows = registry.list_documents(session=catalogue, category=None, language="", query="")
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("decree 818", ["decree-818-en", "draft-2019-en"]),  # title and text, any case
        ("  STATE council ", ["decree-818-en"]),  # issuer; the query is trimmed
        ("财税〔2022〕40号", ["nansha-cit-15-zh"]),  # document number
        ("财政部", ["nansha-cit-15-zh"]),  # Chinese issuer
        ("企业所得税", ["nansha-cit-15-zh"]),  # Chinese body text
        ("mycoplasma", ["release-testing-en"]),
        ("no such words", []),
    ],
)
def test_list_documents_text_search_looks_at_title_number_issuer_and_text(
    catalogue: Session, query: str, expected: list[str]
) -> None:
    assert ids(registry.list_documents(session=catalogue, query=query)) == expected


def test_list_documents_text_search_combines_with_filters(catalogue: Session) -> None:
    rows = registry.list_documents(session=catalogue, query="decree 818", status="superseded")
    assert ids(rows) == ["draft-2019-en"]


@pytest.mark.parametrize(("query", "expected"), [("15%", ["nansha-cit-15-zh"]), ("_", [])])
def test_list_documents_text_search_treats_like_wildcards_literally(
    catalogue: Session, query: str, expected: list[str]
) -> None:
    assert ids(registry.list_documents(session=catalogue, query=query)) == expected


# --- state -------------------------------------------------------------------------------------


def test_bump_generation_counts_up_from_one(session: Session) -> None:
    assert registry.get_state(session=session, key="generation") is None
    assert registry.bump_generation(session=session) == 1
    assert registry.bump_generation(session=session) == 2
    assert registry.get_state(session=session, key="generation") == "2"


def test_bump_generation_is_seen_by_another_session_after_commit(db_path: Path) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    with Session(engine) as worker:
        registry.bump_generation(session=worker)
        worker.commit()
    with Session(engine) as other_worker:
        assert registry.bump_generation(session=other_worker) == 2
        other_worker.commit()
    with Session(engine) as reader:
        assert registry.get_state(session=reader, key="generation") == "2"
    engine.dispose()


def test_set_state_overwrites_a_value(session: Session) -> None:
    registry.set_state(session=session, key="embedding_model", value="fake")
    registry.set_state(session=session, key="embedding_model", value="all-minilm-l6-v2")
    session.commit()
    assert registry.get_state(session=session, key="embedding_model") == "all-minilm-l6-v2"
