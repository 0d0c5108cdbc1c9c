"""Ingest embeds only what changed, and nothing of a removed or replaced document survives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from knowledge import registry
from knowledge.loaders import load_bytes
from knowledge.tables import DocumentRow, IndexJobRow, JobStatus, StateRow
from retrieval.tables import PassageVectorsRow
from web.core.components import Components


def _doc(doc_id: str, body: str, **meta: str):
    front = "\n".join(f"{k}: {v}" for k, v in {"category": "policy", **meta}.items())
    text = f"---\nid: {doc_id}\ntitle: {doc_id} title\nlanguage: en\n{front}\n---\n{body}"
    return load_bytes(text.encode(), filename=f"{doc_id}.md")


ALPHA = _doc(
    "alpha-en",
    "Alpha summary sentence about cleanroom subsidies.\n\n## Rates\n"
    "The cleanroom subsidy is 15% of fixed-asset investment.\n\n## Scope\n"
    "The subsidy applies to workshops larger than 1,000 square metres.\n",
)
BETA = _doc(
    "beta-en",
    "Beta summary about the talent housing programme.\n\n## Housing\n"
    "Talent housing support reaches up to RMB 5 million per person.\n",
)


def _state(parts: Components, document_id: str) -> tuple[set[str], set[str], set[str]]:
    """Chunk ids of a document in SQL, and which of them have vectors in Chroma and SQL."""
    with parts.sessions() as session:
        sql = set(registry.chunk_ids(session=session, document_id=document_id))
        vectors = set(session.scalars(select(PassageVectorsRow.chunk_id)))
    return sql, sql & parts.vector_store.ids(), sql & vectors


def test_first_ingest_indexes_every_document_in_sql_chroma_and_vectors(
    fresh_components: Components,
) -> None:
    report = fresh_components.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    assert sorted(report.added) == ["alpha-en", "beta-en"]
    sql, chroma, vectors = _state(fresh_components, "alpha-en")
    assert sql and sql == chroma == vectors


def test_reingest_of_unchanged_documents_embeds_nothing(fresh_components: Components) -> None:
    fresh_components.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    report = fresh_components.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    assert report.texts_embedded == 0
    assert not report.changed
    assert sorted(report.unchanged) == ["alpha-en", "beta-en"]


def test_changed_document_is_reembedded_and_its_old_chunks_leave_every_index(
    fresh_components: Components,
) -> None:
    parts = fresh_components
    parts.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    old_ids, _, _ = _state(parts, "alpha-en")
    changed = _doc(
        "alpha-en",
        "Alpha summary sentence about cleanroom subsidies.\n\n## Rates\n"
        "The cleanroom subsidy is now 20% of fixed-asset investment.\n",
    )
    report = parts.indexer.ingest([changed, BETA], origin="bundled", prune=True)

    assert report.updated == ["alpha-en"] and report.unchanged == ["beta-en"]
    new_ids, chroma, vectors = _state(parts, "alpha-en")
    gone = old_ids - new_ids
    assert gone, "the edited passages must get new content-derived ids"
    assert not gone & parts.vector_store.ids()
    with parts.sessions() as session:
        assert not gone & set(session.scalars(select(PassageVectorsRow.chunk_id)))
    assert new_ids == chroma == vectors
    # The unchanged summary keeps its id: ids derive from content, not position.
    assert old_ids & new_ids
    answer = parts.assistant.answer("How large is the cleanroom subsidy?")
    assert "20%" in answer.answer and "15%" not in answer.answer


def test_removed_document_is_gone_from_sql_chroma_vectors_and_keyword_search(
    fresh_components: Components,
) -> None:
    parts = fresh_components
    parts.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    beta_ids, _, _ = _state(parts, "beta-en")
    assert parts.assistant.index().keyword.search("talent housing", 5)

    report = parts.indexer.ingest([ALPHA], origin="bundled", prune=True)

    assert report.removed == ["beta-en"]
    with parts.sessions() as session:
        assert registry.get(session=session, document_id="beta-en") is None
        assert not beta_ids & set(session.scalars(select(PassageVectorsRow.chunk_id)))
    assert not beta_ids & parts.vector_store.ids()
    index = parts.assistant.refresh()
    assert "beta-en" not in index.documents and not index.document_passages("beta-en")
    assert all(h.document_id != "beta-en" for h in index.keyword.search("talent housing", 5))


def test_prune_keeps_documents_of_another_origin(fresh_components: Components) -> None:
    parts = fresh_components
    parts.indexer.ingest([BETA], origin="local", prune=False)
    report = parts.indexer.ingest([ALPHA], origin="bundled", prune=True)
    assert report.removed == []
    with parts.sessions() as session:
        assert registry.get(session=session, document_id="beta-en") is not None


def test_withdrawing_a_document_removes_it_everywhere(fresh_components: Components) -> None:
    parts = fresh_components
    parts.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    alpha_ids, _, _ = _state(parts, "alpha-en")
    assert parts.indexer.remove(["alpha-en", "no-such-doc"]) == ["alpha-en"]
    assert not alpha_ids & parts.vector_store.ids()
    with parts.sessions() as session:
        assert registry.get(session=session, document_id="alpha-en") is None


def test_every_change_bumps_the_generation_that_workers_reload_on(
    fresh_components: Components,
) -> None:
    parts = fresh_components

    def generation() -> int:
        with parts.sessions() as session:
            return int(registry.get_state(session=session, key="generation") or 0)

    parts.indexer.ingest([ALPHA], origin="bundled", prune=True)
    first = generation()
    parts.indexer.ingest([ALPHA], origin="bundled", prune=True)
    assert generation() == first
    parts.indexer.ingest([ALPHA, BETA], origin="bundled", prune=True)
    assert generation() == first + 1


class _Stop(Exception):
    """Stands for Ctrl-C during an ingest."""


def test_an_interrupted_ingest_keeps_finished_documents_and_resumes_with_the_rest(
    fresh_components: Components,
) -> None:
    parts = fresh_components
    parts.indexer.group_passages = 1  # every document is its own group and commit
    gamma = _doc("gamma-en", "Gamma summary about biobank registration deadlines.\n")
    finished: list[str] = []

    def interrupt_after_the_first(document_id: str, _passages: int) -> None:
        finished.append(document_id)
        raise _Stop

    try:
        parts.indexer.ingest(
            [ALPHA, BETA, gamma], origin="local", prune=False, progress=interrupt_after_the_first
        )
    except _Stop:
        pass
    assert finished == ["alpha-en"]
    sql, chroma, vectors = _state(parts, "alpha-en")
    assert sql and sql == chroma == vectors, "the finished document is fully indexed"
    assert not _state(parts, "beta-en")[0]

    report = parts.indexer.ingest([ALPHA, BETA, gamma], origin="local", prune=False)

    assert report.unchanged == ["alpha-en"] and sorted(report.added) == ["beta-en", "gamma-en"]
    index = parts.assistant.refresh()
    assert [h.document_id for h in index.keyword.search("biobank registration", 1)] == ["gamma-en"]


def test_a_committed_document_is_searchable_by_a_worker_without_reloading_passages(
    fresh_components: Components,
) -> None:
    parts = fresh_components
    parts.indexer.ingest([ALPHA], origin="local", prune=False)
    before = parts.assistant.refresh()
    parts.indexer.ingest([BETA], origin="local", prune=False)
    # The old snapshot's keyword search already reaches the engine's new rows ...
    assert [h.document_id for h in before.keyword.search("talent housing", 1)] == ["beta-en"]
    # ... and the next snapshot (per-document metadata only) answers from them.
    after = parts.assistant.refresh()
    assert after.generation > before.generation and "beta-en" in after.documents
    assert after.document_passages("beta-en")


def test_the_sweep_removes_stale_vectors_but_not_those_of_a_job_under_way(
    fresh_components: Components,
) -> None:
    import numpy as np

    parts = fresh_components
    parts.indexer.ingest([ALPHA], origin="local", prune=False)
    alpha_ids, _, _ = _state(parts, "alpha-en")
    width = parts.embeddings.embed_array(["x"]).shape[1]
    parts.vector_store.add_vectors(
        ids=["crashed0001", "uploading001"],
        texts=["left by a crash", "written before its job's commit"],
        vectors=np.ones((2, width), np.float32),
        metadatas=[{"document_id": "gone-en"}, {"document_id": "upload-en"}],
    )
    with parts.sessions() as session:
        session.add(
            IndexJobRow(
                document_id="upload-en",
                kind="upload",
                target_version=1,
                filename="u.md",
                staged_path="/nowhere",
                status=JobStatus.INDEXING,
                created_at=datetime.now(UTC),
            )
        )
        session.commit()

    assert parts.indexer.sweep() == ["crashed0001"]
    assert parts.vector_store.ids() == alpha_ids | {"uploading001"}


def test_a_library_from_before_the_engine_index_is_tokenised_once_at_the_next_ingest(
    fresh_components: Components,
) -> None:
    from retrieval import fulltext
    from retrieval.indexer import FULLTEXT_STATE

    parts = fresh_components
    parts.indexer.ingest([ALPHA, BETA], origin="local", prune=False)
    with parts.sessions() as session:  # as a database migrated from before issue 11 is
        fulltext.clear(session)
        session.execute(StateRow.__table__.delete().where(StateRow.key == FULLTEXT_STATE))
        session.commit()
    assert not parts.assistant.refresh().keyword.search("talent housing", 1)

    report = parts.indexer.ingest([ALPHA, BETA], origin="local", prune=False)

    assert report.texts_embedded == 0, "nothing is embedded again"
    assert parts.indexer.ensure_fulltext() == 0, "and it happens once"
    hits = parts.assistant.refresh().keyword.search("talent housing", 1)
    assert [h.document_id for h in hits] == ["beta-en"]


def test_indexing_one_document_reads_no_other_documents_text(
    fresh_components: Components,
) -> None:
    """An upload into a library of thousands of texts must not read them all into memory."""
    parts = fresh_components
    parts.indexer.ingest([ALPHA], origin="local", prune=False)
    selected: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            selected.append(" ".join(statement.split()))

    event.listen(parts.engine, "before_cursor_execute", record)
    try:
        parts.indexer.ingest([BETA], origin="local", prune=True)
    finally:
        event.remove(parts.engine, "before_cursor_execute", record)
    texts = [s for s in selected if "kb_documents.text" in s]
    # Only the document being saved is read whole, by its id.
    assert all("WHERE kb_documents.id =" in s for s in texts), texts
    assert any("kb_documents.content_hash" in s for s in selected)


def test_a_row_with_invalid_metadata_is_left_out_and_later_changes_still_load(
    fresh_components: Components, caplog: pytest.LogCaptureFixture
) -> None:
    """A row edited past the portal (here a javascript: source URL) fails validation: the index
    loads without it, logs why, and the next document ingested is answerable."""
    parts = fresh_components
    parts.indexer.ingest([ALPHA], origin="local", prune=False)
    with parts.sessions() as session:
        session.get(DocumentRow, ALPHA.id).source_url = "javascript:alert(1)"
        session.commit()
    parts.indexer.ingest([BETA], origin="local", prune=False)  # a new generation to load

    index = parts.assistant.refresh()
    assert set(index.documents) == {BETA.id}
    assert f"document {ALPHA.id} left out of the index: invalid metadata (source_url" in caplog.text
    answer = parts.assistant.answer("How much talent housing support can a person get?")
    assert not answer.refused and answer.citations[0].document_id == BETA.id, answer
