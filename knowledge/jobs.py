"""Background indexing jobs: a queue in SQL that any number of app processes share safely.

A job is claimed with a conditional UPDATE (`... WHERE id = :id AND status = 'queued'`, or an
`indexing` job whose lease ran out), so two processes never run the same job; a process that
crashes mid-way leaves its job `indexing` with a stale heartbeat, and the next process to look
takes it up again. Nothing here touches the index itself (see retrieval.index_worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from knowledge.tables import IndexJobRow, JobStatus

ACTIVE = (JobStatus.QUEUED, JobStatus.INDEXING)
LEASE = timedelta(minutes=2)  # an `indexing` job without a heartbeat for this long is orphaned


@dataclass(frozen=True)
class JobView:
    """What pages and the API show of a document's latest job."""

    id: int
    status: str
    error: str | None
    done: int
    total: int
    target_version: int
    started_at: datetime | None = None

    @property
    def percent(self) -> int:
        """Progress in percent (0 while nothing is known)."""
        return int(100 * self.done / self.total) if self.total else 0

    def rate(self, now: datetime | None = None) -> float | None:
        """Passages embedded per second so far (None before the first batch)."""
        if not self.done or self.started_at is None:
            return None
        started = self.started_at if self.started_at.tzinfo else self.started_at.replace(tzinfo=UTC)
        elapsed = ((now or _now()) - started).total_seconds()
        return self.done / elapsed if elapsed > 0 else None

    def seconds_left(self, now: datetime | None = None) -> int | None:
        """About how long the rest takes at the rate so far (None while unknown)."""
        rate = self.rate(now)
        if not rate or not self.total:
            return None
        return max(0, round((self.total - self.done) / rate))

    @classmethod
    def of(cls, row: IndexJobRow) -> JobView:
        """The view of a job row."""
        return cls(
            row.id, row.status, row.error, row.done, row.total, row.target_version, row.started_at
        )


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    *,
    session: Session,
    document_id: str,
    kind: str,
    target_version: int,
    filename: str,
    staged_path: str,
    meta: dict[str, Any],
    requested_by: str | None,
    note: str | None = None,
) -> IndexJobRow:
    """Queue a job (the caller commits)."""
    row = IndexJobRow(
        document_id=document_id,
        kind=kind,
        status=JobStatus.QUEUED,
        target_version=target_version,
        filename=filename,
        staged_path=staged_path,
        meta=meta,
        requested_by=requested_by,
        note=note,
        done=0,
        total=0,
        attempts=0,
        created_at=_now(),
    )
    session.add(row)
    session.flush()
    return row


def claimable(*, session: Session, now: datetime | None = None) -> list[int]:
    """Ids of jobs waiting to run, oldest first: queued ones and orphaned `indexing` ones."""
    stale = (now or _now()) - LEASE
    return list(
        session.scalars(
            select(IndexJobRow.id)
            .where(
                or_(
                    IndexJobRow.status == JobStatus.QUEUED,
                    (IndexJobRow.status == JobStatus.INDEXING) & (IndexJobRow.heartbeat_at < stale),
                )
            )
            .order_by(IndexJobRow.id)
        )
    )


def claim(*, session: Session, job_id: int, now: datetime | None = None) -> bool:
    """Take a job for this process; False when another process got it first. Commits."""
    now = now or _now()
    stale = now - LEASE
    result = session.execute(
        update(IndexJobRow)
        .where(
            IndexJobRow.id == job_id,
            or_(
                IndexJobRow.status == JobStatus.QUEUED,
                (IndexJobRow.status == JobStatus.INDEXING) & (IndexJobRow.heartbeat_at < stale),
            ),
        )
        .values(
            status=JobStatus.INDEXING,
            started_at=now,
            heartbeat_at=now,
            attempts=IndexJobRow.attempts + 1,
            error=None,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def heartbeat(
    *, session: Session, job_id: int, done: int | None = None, total: int | None = None
) -> None:
    """Record that the job is alive, with its progress. Commits."""
    values: dict[str, Any] = {"heartbeat_at": _now()}
    if done is not None:
        values["done"] = done
    if total is not None:
        values["total"] = total
    session.execute(
        update(IndexJobRow)
        .where(IndexJobRow.id == job_id, IndexJobRow.status == JobStatus.INDEXING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def finish(*, session: Session, job_id: int) -> None:
    """Mark a job done (the caller commits, with the document it indexed)."""
    row = session.get(IndexJobRow, job_id)
    if row is not None:
        row.status = JobStatus.READY
        row.finished_at = _now()
        row.done = max(row.done, row.total)
        row.error = None


def fail(*, session: Session, job_id: int, error: str) -> None:
    """Mark a job failed with the reason staff will read. Commits."""
    row = session.get(IndexJobRow, job_id)
    if row is not None:
        row.status = JobStatus.FAILED
        row.finished_at = _now()
        row.error = error[:2000]
    session.commit()


def cancel(*, session: Session, job_id: int, error: str, running: bool = False) -> bool:
    """Fail a queued job (and a running one too when `running`); False if none was. Commits.

    A running job's worker sees the change at its next progress report and stops.
    """
    statuses = ACTIVE if running else (JobStatus.QUEUED,)
    result = session.execute(
        update(IndexJobRow)
        .where(IndexJobRow.id == job_id, IndexJobRow.status.in_(statuses))
        .values(status=JobStatus.FAILED, error=error, finished_at=_now())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def is_running(*, session: Session, job_id: int) -> bool:
    """Whether the job is still `indexing` (not cancelled meanwhile)."""
    status = session.scalar(select(IndexJobRow.status).where(IndexJobRow.id == job_id))
    return status == JobStatus.INDEXING


def get(*, session: Session, job_id: int) -> IndexJobRow | None:
    """One job, or None."""
    return session.get(IndexJobRow, job_id)


def latest_for(*, session: Session, document_id: str) -> IndexJobRow | None:
    """The newest job of a document, or None when it was never uploaded through the portal."""
    return session.scalar(
        select(IndexJobRow)
        .where(IndexJobRow.document_id == document_id)
        .order_by(IndexJobRow.id.desc())
        .limit(1)
    )


def latest_by_document(*, session: Session) -> dict[str, IndexJobRow]:
    """The newest job of every document that has one."""
    latest: dict[str, IndexJobRow] = {}
    for row in session.scalars(select(IndexJobRow).order_by(IndexJobRow.id)):
        latest[row.document_id] = row
    return latest


def active_for(*, session: Session, document_id: str) -> IndexJobRow | None:
    """The document's queued or running job, if any."""
    return session.scalar(
        select(IndexJobRow)
        .where(IndexJobRow.document_id == document_id, IndexJobRow.status.in_(ACTIVE))
        .order_by(IndexJobRow.id.desc())
        .limit(1)
    )
