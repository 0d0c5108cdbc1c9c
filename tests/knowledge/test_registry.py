"""The document registry in real SQLite: saving, removing, articles, state (knowledge.registry)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.chunking import chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.tables import ChunkRow
from tests.knowledge.registry_support import TEXT, save

MakeDocument = Callable[..., SourceDocument]  # the make_document fixture in conftest.py


def chunk_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChunkRow)) or 0


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


# --- stored articles ---------------------------------------------------------------------------


def test_the_registry_stores_article_fields_and_finds_an_articles_chunks(session: Session) -> None:
    long_article = "第三条 " + "\n".join(
        f"第{n}款的内容应当完整保留，不得删减。" * 3 for n in range(9)
    )
    text = f"# 示例条例\n\n通过。\n\n第一条 甲。\n第二条 乙。\n{long_article}\n第十条之一 丁。\n"
    meta = DocumentMeta(id="sample-law", title="示例条例", language="zh", category="regulation")
    document = SourceDocument(meta=meta, text=text)
    chunks = chunk_document(document, max_chars=120)
    registry.save_document(session=session, document=document, chunks=chunks, origin="bundled")
    session.commit()

    assert registry.article_keys(session=session, document_id="sample-law") == [
        "1",
        "2",
        "3",
        "10-1",
    ]
    parts = registry.article_chunks(session=session, document_id="sample-law", article_key="3")
    assert len(parts) > 1
    assert [p.ordinal for p in parts] == sorted(p.ordinal for p in parts)
    assert {p.article_label for p in parts} == {"第三条"}
    assert parts[0].paragraph_start == 1 and parts[-1].paragraph_start > 1
    assert "".join(p.text for p in parts).startswith("第三条 ")
    added = registry.article_chunks(session=session, document_id="sample-law", article_key="10-1")
    assert [c.text for c in added] == ["第十条之一 丁。"]
    assert registry.article_chunks(session=session, document_id="sample-law", article_key="9") == []
    preamble = registry.chunks_of(session=session, document_id="sample-law")[0]
    assert (preamble.text, preamble.article_key, preamble.paragraph_start) == ("通过。", None, None)


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
