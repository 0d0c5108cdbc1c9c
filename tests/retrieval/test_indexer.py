"""Ingest embeds only what changed, and nothing of a removed or replaced document survives."""

from __future__ import annotations

from sqlalchemy import select

from knowledge import registry
from knowledge.loaders import load_bytes
from retrieval.tables import PassageVectorsRow
from web.wiring import Components


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
    assert all(p.document_id != "beta-en" for p in index.passages)
    assert all(
        index.passages[h.index].document_id != "beta-en"
        for h in index.keyword.search("talent housing", 5)
    )


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
