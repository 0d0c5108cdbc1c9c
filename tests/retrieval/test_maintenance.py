"""Staff maintenance end to end on real parts (SQLite, embedded Chroma, the USE model).

Uploads are indexed by the background worker; until a new version's job commits, the old one
keeps answering; a failing job leaves it serving; supersession and withdrawal change answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge import jobs, registry
from knowledge.tables import IndexJobRow, JobStatus
from knowledge.uploads import UploadRejected
from retrieval.index_worker import IndexWorker
from retrieval.knowledge_admin import KnowledgeAdmin
from retrieval.tables import PassageVectorsRow
from web.core.components import Components

OLD = (
    "The Nansha cleanroom subsidy notice supports cell therapy workshops.\n\n"
    "## Rate\n\nThe Nansha cleanroom subsidy is 15% of the equipment investment.\n\n"
    "## Cap\n\nThe Nansha cleanroom subsidy is capped at RMB 3 million per company.\n"
)
NEW = OLD.replace("15%", "22%").replace("RMB 3 million", "RMB 5 million")
REPLACEMENT = (
    "The 2026 Nansha cleanroom measures replace the earlier cleanroom subsidy notice.\n\n"
    "## Rate\n\nUnder the 2026 Nansha cleanroom measures the subsidy is 30% of the equipment "
    "investment.\n"
)
META = {"language": "en", "category": "policy", "jurisdiction": "nansha"}


@pytest.fixture
def admin(fresh_components: Components, tmp_path: Path) -> KnowledgeAdmin:
    return KnowledgeAdmin(
        sessions=fresh_components.sessions,
        indexer=fresh_components.indexer,
        staging=tmp_path / "staging",
        max_bytes=1024 * 1024,
    )


@pytest.fixture
def worker(fresh_components: Components) -> IndexWorker:
    return IndexWorker(sessions=fresh_components.sessions, indexer=fresh_components.indexer)


def upload(admin: KnowledgeAdmin, doc_id: str, text: str, title: str) -> None:
    admin.upload(
        data=text.encode(),
        filename=f"{doc_id}.md",
        metadata={**META, "id": doc_id, "title": title},
        changed_by="zhao@gba-cgt.cn",
    )


def ask(parts: Components, question: str):  # type: ignore[no-untyped-def]
    parts.assistant.refresh()
    return parts.assistant.answer(question)


def test_an_upload_is_queued_then_indexed_by_the_worker_and_cited_with_its_version(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    assert admin.state("cleanroom-en").status == JobStatus.QUEUED
    assert ask(fresh_components, "What is the Nansha cleanroom subsidy rate?").citations == []

    assert worker.run_pending() == 1

    state = admin.state("cleanroom-en")
    assert state.status == JobStatus.READY and state.done == state.total > 0
    answer = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert not answer.refused and "15%" in answer.answer
    assert {(c.document_id, c.version) for c in answer.citations} == {("cleanroom-en", 1)}
    assert not list((admin.staging).rglob("*.md"))  # the staged file is cleaned up


def test_the_old_version_answers_until_the_new_one_is_indexed_and_stays_readable(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()

    state = admin.replace(
        document_id="cleanroom-en",
        data=NEW.encode(),
        filename="v2.md",
        changed_by="li@gba-cgt.cn",
        note="2026 revision",
    )
    assert state.status == JobStatus.QUEUED and state.target_version == 2
    before = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert "15%" in before.answer and before.citations[0].version == 1

    worker.run_pending()

    after = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert "22%" in after.answer and "15%" not in after.answer
    assert {c.version for c in after.citations} == {2}
    versions = admin.versions("cleanroom-en")
    assert [(v.version, v.change, v.changed_by, v.note) for v in versions] == [
        (2, "content", "li@gba-cgt.cn", "2026 revision"),
        (1, "created", "zhao@gba-cgt.cn", None),
    ]
    assert "15%" in versions[1].text  # what version 1 answers quoted can still be shown


def test_a_job_that_fails_mid_way_leaves_the_old_version_serving_and_says_why(
    fresh_components: Components,
    admin: KnowledgeAdmin,
    worker: IndexWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()
    admin.replace(document_id="cleanroom-en", data=NEW.encode(), filename="v2.md", changed_by="s")

    def crash(**_: object) -> None:
        raise RuntimeError("vector store unavailable")

    monkeypatch.setattr(fresh_components.vector_store, "add_vectors", crash)
    worker.run_pending()

    state = admin.state("cleanroom-en")
    assert state.status == JobStatus.FAILED and "vector store unavailable" in (state.error or "")
    row = admin.get("cleanroom-en")
    assert row.version == 1 and "15%" in row.text
    answer = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert "15%" in answer.answer and answer.citations[0].version == 1


def test_an_unreadable_staged_file_fails_its_job_with_the_loader_reason(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()
    admin.replace(document_id="cleanroom-en", data=NEW.encode(), filename="v2.md", changed_by="s")
    with fresh_components.sessions() as session:
        job = jobs.active_for(session=session, document_id="cleanroom-en")
        assert job is not None
        Path(job.staged_path).write_bytes(b"   ")  # the file went bad on disk

    worker.run_pending()

    state = admin.state("cleanroom-en")
    assert state.status == JobStatus.FAILED and "no readable text" in (state.error or "")
    assert admin.get("cleanroom-en").version == 1


def test_a_job_left_indexing_by_a_crashed_process_is_resumed_and_completed(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    with fresh_components.sessions() as session:
        job = jobs.active_for(session=session, document_id="cleanroom-en")
        assert job is not None
        long_ago = datetime.now(UTC) - jobs.LEASE - timedelta(seconds=1)
        assert jobs.claim(session=session, job_id=job.id, now=long_ago)  # then the process died

    assert worker.run_pending() == 1  # the next process to start takes it up

    assert admin.state("cleanroom-en").status == JobStatus.READY
    assert "15%" in ask(fresh_components, "What is the Nansha cleanroom subsidy rate?").answer


def test_a_second_upload_with_a_taken_id_is_refused_and_nothing_is_stored(
    fresh_components: Components, admin: KnowledgeAdmin
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    with pytest.raises(UploadRejected) as caught:
        upload(admin, "cleanroom-en", NEW, "Another")
    assert caught.value.code == "id_taken"
    with fresh_components.sessions() as session:
        assert len(list(session.scalars(select(IndexJobRow)))) == 1
    assert len(list(admin.staging.rglob("*.md"))) == 1


def test_superseded_text_is_cited_only_about_the_past_and_then_names_its_replacement(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    upload(admin, "cleanroom-2026-en", REPLACEMENT, "2026 Nansha cleanroom measures")
    worker.run_pending()

    row = admin.supersede(
        document_id="cleanroom-en", superseded_by="cleanroom-2026-en", changed_by="s@x.cn"
    )
    assert row.status == "superseded" and row.superseded_by == "cleanroom-2026-en"
    assert row.version == 2 and admin.versions("cleanroom-en")[0].change == "superseded"

    now = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert {c.document_id for c in now.citations} == {"cleanroom-2026-en"}
    assert "30%" in now.answer

    past = ask(fresh_components, "What was the previous Nansha cleanroom subsidy rate?")
    old = [c for c in past.citations if c.document_id == "cleanroom-en"]
    assert old and old[0].version == 2
    assert "superseded by “2026 Nansha cleanroom measures”" in past.answer


def test_withdrawal_takes_the_document_out_of_every_index_and_keeps_its_versions(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()
    with fresh_components.sessions() as session:
        chunk_ids = set(registry.chunk_ids(session=session, document_id="cleanroom-en"))
    assert chunk_ids and chunk_ids <= fresh_components.vector_store.ids()

    assert admin.withdraw(document_id="cleanroom-en", changed_by="s@x.cn", note="wrong") is True

    with fresh_components.sessions() as session:
        assert registry.chunk_ids(session=session, document_id="cleanroom-en") == []
        vectors = set(session.scalars(select(PassageVectorsRow.chunk_id)))
    assert not chunk_ids & vectors and not chunk_ids & fresh_components.vector_store.ids()
    answer = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert all(c.document_id != "cleanroom-en" for c in answer.citations)
    assert [v.change for v in admin.versions("cleanroom-en")] == ["withdrawn", "created"]
    assert admin.get("cleanroom-en").withdrawn
    assert admin.withdraw(document_id="cleanroom-en", changed_by="s@x.cn") is False


def test_a_metadata_edit_is_a_new_version_applied_at_once(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()

    row = admin.update_metadata(
        document_id="cleanroom-en",
        changes={"doc_number": "穗南开管〔2026〕7号", "issued": "2026-03"},
        changed_by="s@x.cn",
        note="number added",
    )

    assert (row.version, row.doc_number, row.issued) == (2, "穗南开管〔2026〕7号", "2026-03")
    assert admin.versions("cleanroom-en")[0].change == "metadata"
    answer = ask(fresh_components, "What is the Nansha cleanroom subsidy rate?")
    assert answer.citations[0].version == 2
    with pytest.raises(UploadRejected) as caught:
        admin.update_metadata(
            document_id="cleanroom-en", changes={"issued": "March"}, changed_by="s"
        )
    assert caught.value.field == "issued"
    assert admin.get("cleanroom-en").version == 2


def test_a_job_whose_process_keeps_dying_is_given_up_with_a_reason(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    with fresh_components.sessions() as session:
        job = jobs.active_for(session=session, document_id="cleanroom-en")
        assert job is not None
        step = jobs.LEASE + timedelta(seconds=5)
        start = datetime.now(UTC) - 4 * step
        for n in range(3):  # three processes died while running it, one after the other
            assert jobs.claim(session=session, job_id=job.id, now=start + n * step)

    worker.run_pending()

    state = admin.state("cleanroom-en")
    assert state.status == JobStatus.FAILED and "given up after 3 attempts" in (state.error or "")


def test_withdrawal_cancels_a_queued_or_running_version(
    fresh_components: Components, admin: KnowledgeAdmin, worker: IndexWorker
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()
    admin.replace(document_id="cleanroom-en", data=NEW.encode(), filename="v2.md", changed_by="s")
    with fresh_components.sessions() as session:
        job = jobs.active_for(session=session, document_id="cleanroom-en")
        assert job is not None and jobs.claim(session=session, job_id=job.id)  # now running

    # A running job no longer blocks withdrawal (issue 14): it is cancelled, and its worker
    # stops instead of bringing the passages back.
    assert admin.withdraw(document_id="cleanroom-en", changed_by="s") is True
    assert worker.run(job.id) == JobStatus.FAILED
    assert admin.get("cleanroom-en").withdrawn
    state = admin.state("cleanroom-en")
    assert state.status == JobStatus.FAILED and "withdrawn" in (state.error or "")
    assert worker.run_pending() == 0


def test_a_job_failing_at_its_commit_leaves_no_stray_vectors_behind(
    fresh_components: Components,
    admin: KnowledgeAdmin,
    worker: IndexWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload(admin, "cleanroom-en", OLD, "Nansha cleanroom subsidy notice")
    worker.run_pending()
    admin.replace(document_id="cleanroom-en", data=NEW.encode(), filename="v2.md", changed_by="s")

    def crash(**_: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(registry, "save_document", crash)  # after the vectors were written
    worker.run_pending()
    monkeypatch.undo()

    assert admin.state("cleanroom-en").status == JobStatus.FAILED
    with fresh_components.sessions() as session:
        serving = set(registry.chunk_ids(session=session, document_id="cleanroom-en"))
    assert serving and fresh_components.vector_store.ids() == serving
    assert "15%" in ask(fresh_components, "What is the Nansha cleanroom subsidy rate?").answer
