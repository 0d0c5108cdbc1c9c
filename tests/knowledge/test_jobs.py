"""The indexing-job queue in real SQLite: claims are exclusive, orphaned jobs are resumed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from knowledge import jobs
from knowledge.tables import JobStatus


def _enqueue(session: Session, document_id: str = "doc-en") -> int:
    job = jobs.enqueue(
        session=session,
        document_id=document_id,
        kind="upload",
        target_version=1,
        filename="doc.pdf",
        staged_path="/tmp/doc.pdf",
        meta={},
        requested_by="s@x.cn",
    )
    session.commit()
    return job.id


def test_a_queued_job_is_claimed_by_exactly_one_of_two_processes(
    session: Session,
) -> None:
    job_id = _enqueue(session)
    # A second app process: its own connection to the same database (SQLite file or, on the
    # server pass, PostgreSQL).
    other = Session(session.get_bind())

    assert jobs.claimable(session=session) == [job_id]
    assert jobs.claim(session=session, job_id=job_id) is True
    assert jobs.claim(session=other, job_id=job_id) is False
    assert jobs.claimable(session=other) == []
    row = jobs.get(session=other, job_id=job_id)
    assert row is not None and row.status == JobStatus.INDEXING and row.attempts == 1
    other.close()


def test_a_job_left_indexing_by_a_dead_process_is_resumed_after_its_lease(
    session: Session,
) -> None:
    job_id = _enqueue(session)
    long_ago = datetime.now(UTC) - jobs.LEASE - timedelta(seconds=5)
    assert jobs.claim(session=session, job_id=job_id, now=long_ago)  # then the process died

    assert jobs.claimable(session=session) == [job_id]
    assert jobs.claim(session=session, job_id=job_id) is True
    assert jobs.get(session=session, job_id=job_id).attempts == 2  # type: ignore[union-attr]
    # A live job (fresh heartbeat) is not taken from its process.
    assert jobs.claimable(session=session) == []
    assert jobs.claim(session=session, job_id=job_id) is False


def test_heartbeat_records_progress_and_fail_records_the_reason(session: Session) -> None:
    job_id = _enqueue(session)
    jobs.claim(session=session, job_id=job_id)

    jobs.heartbeat(session=session, job_id=job_id, done=16, total=40)
    session.expire_all()
    row = jobs.get(session=session, job_id=job_id)
    assert row is not None and (row.done, row.total) == (16, 40)
    assert jobs.JobView.of(row).percent == 40

    jobs.fail(session=session, job_id=job_id, error="doc.pdf: not a readable PDF")
    session.expire_all()
    row = jobs.get(session=session, job_id=job_id)
    assert row is not None and row.status == JobStatus.FAILED
    assert row.error == "doc.pdf: not a readable PDF" and row.finished_at is not None
    assert jobs.active_for(session=session, document_id="doc-en") is None


def test_the_latest_job_of_each_document_is_what_its_page_shows(session: Session) -> None:
    first = _enqueue(session, "a-en")
    jobs.claim(session=session, job_id=first)
    jobs.finish(session=session, job_id=first)
    session.commit()
    second = _enqueue(session, "a-en")
    _enqueue(session, "b-en")

    latest = jobs.latest_by_document(session=session)
    assert latest["a-en"].id == second and latest["a-en"].status == JobStatus.QUEUED
    assert jobs.latest_for(session=session, document_id="a-en").id == second  # type: ignore[union-attr]
    assert jobs.active_for(session=session, document_id="a-en").id == second  # type: ignore[union-attr]
    assert set(latest) == {"a-en", "b-en"}


def test_a_running_job_reports_its_rate_and_the_time_left() -> None:
    from datetime import UTC, datetime, timedelta

    from knowledge.jobs import JobView

    started = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    view = JobView(1, "indexing", None, done=300, total=1200, target_version=1, started_at=started)

    now = started + timedelta(seconds=60)
    assert view.rate(now) == 5.0
    assert view.seconds_left(now) == 180  # 900 passages at 5 per second
    fresh = JobView(2, "indexing", None, done=0, total=1200, target_version=1, started_at=started)
    assert fresh.rate(now) is None and fresh.seconds_left(now) is None, "unknown before a batch"
