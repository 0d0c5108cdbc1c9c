"""The background indexing worker: runs queued upload jobs, one at a time, in every app process.

Each job is claimed with a conditional UPDATE (knowledge.jobs.claim), so processes never run the
same job. The file is read, chunked and embedded; vectors are written before the SQL commit that
makes the new version current, so until that commit the previous version keeps answering. A job
that fails (an unreadable file, a crash of the embedder, anything) records its reason and leaves
the previous version serving. A job left `indexing` by a process that died is taken up again
once its heartbeat is older than the lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from knowledge import jobs, registry
from knowledge.documents import SourceDocument
from knowledge.extraction import ExtractionLimits, load_bytes_limited
from knowledge.loaders import LoaderError
from knowledge.registry import STAFF_ORIGIN
from knowledge.tables import JobStatus
from retrieval.indexer import Indexer

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
MAX_ATTEMPTS = 3  # a job whose process died this often is given up (the file may kill it)


class JobCancelled(Exception):
    """The job was cancelled (its document withdrawn) while this worker ran it."""


class IndexWorker:
    """Polls the job table and indexes uploaded documents in a daemon thread."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        indexer: Indexer,
        interval: float = 1.0,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        gate: threading.Event | None = None,
        on_indexed: Callable[[], object] | None = None,
        limits: ExtractionLimits | None = None,
    ) -> None:
        self.limits = limits or ExtractionLimits()  # one file can never hold the queue
        self.sessions = sessions
        self.gate = gate  # jobs wait until it is set (e.g. the bundled sync at start-up is done)
        # Called after a job's commit and before it is marked ready (e.g. the assistant reloads
        # its snapshot), so `ready` means this process already answers from the new version.
        self.on_indexed = on_indexed
        self.indexer = indexer
        self.interval = interval
        self.heartbeat_seconds = heartbeat_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> IndexWorker:
        """Start polling in a daemon thread (jobs left by a crashed process are resumed)."""
        self._thread = threading.Thread(target=self._loop, name="index-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current job."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look for jobs now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while self.gate is not None and not self.gate.wait(self.interval):
            if self._stop.is_set():
                return
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # the loop must survive a database hiccup; the job says why
                log.exception("the indexing worker failed to poll")
            self._wake.wait(self.interval)
            self._wake.clear()

    def run_pending(self) -> int:
        """Run every job this process can claim now; return how many it ran."""
        ran = 0
        while not self._stop.is_set():
            with self.sessions() as session:
                waiting = jobs.claimable(session=session)
                claimed = next(
                    (job_id for job_id in waiting if jobs.claim(session=session, job_id=job_id)),
                    None,
                )
            if claimed is None:
                return ran
            self.run(claimed)
            ran += 1
        return ran

    def run(self, job_id: int) -> str:
        """Run one claimed job to `ready` or `failed`; return the final status."""
        beat = _Heartbeat(self.sessions, job_id, self.heartbeat_seconds)
        beat.start()
        try:
            self._index(job_id, beat)
        except JobCancelled as cancelled:  # its status already says why (jobs.cancel)
            log.info("indexing job %s stopped: %s", job_id, cancelled)
            return JobStatus.FAILED
        except Exception as error:
            reason = str(error) if isinstance(error, LoaderError) else _describe(error)
            log.warning("indexing job %s failed: %s", job_id, reason)
            beat.stop()
            with self.sessions() as session:
                jobs.fail(session=session, job_id=job_id, error=reason)
            return JobStatus.FAILED
        finally:
            beat.stop()
        return JobStatus.READY

    def _index(self, job_id: int, beat: _Heartbeat) -> None:
        with self.sessions() as session:
            job = jobs.get(session=session, job_id=job_id)
            if job is None:
                return
            if job.status != JobStatus.INDEXING:  # cancelled before this worker started
                raise JobCancelled(f"{job.filename}: {job.error or 'cancelled'}")
            if job.attempts > MAX_ATTEMPTS:
                raise LoaderError(
                    f"{job.filename}: given up after {MAX_ATTEMPTS} attempts that did not finish"
                )
            row = registry.get(session=session, document_id=job.document_id)
            if row is None or row.withdrawn:
                raise LoaderError(f"the document {job.document_id} no longer exists")
            # The document's metadata as it is now (staff may have edited it meanwhile).
            metadata = {**row.meta.model_dump(), **(job.meta or {})}
            path, filename = Path(job.staged_path), job.filename
            changed_by, note = job.requested_by, job.note
        try:
            data = path.read_bytes()
        except OSError as error:
            raise LoaderError(
                f"{filename}: the uploaded file is gone ({error.strerror})"
            ) from error
        document = load_bytes_limited(
            data, filename=filename, metadata=metadata, limits=self.limits
        )
        try:
            self._ingest(document, changed_by, note, beat)
        except Exception:
            try:  # vectors written before the failed commit would only clutter the store
                self.indexer.discard_unsaved(document)
            except Exception:
                log.exception("cleaning up after indexing job %s failed", job_id)
            raise
        with self.sessions() as session:
            cancelled = not jobs.is_running(session=session, job_id=job_id)
        if cancelled:  # withdrawn while this job committed: take the passages out again
            self.indexer.withdraw(document.id, changed_by=changed_by, note="job cancelled")
            raise JobCancelled(f"{filename}: cancelled while it was being indexed")
        beat.stop()
        if self.on_indexed is not None:
            try:
                self.on_indexed()
            except Exception:  # other processes reload on their own; so will this one
                log.exception("reloading after indexing job %s failed", job_id)
        with self.sessions() as session:
            job_row = jobs.get(session=session, job_id=job_id)
            current = registry.get(session=session, document_id=document.id)
            if job_row is not None and current is not None:
                job_row.target_version = current.version
            jobs.finish(session=session, job_id=job_id)
            session.commit()
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass

    def _ingest(
        self, document: SourceDocument, changed_by: str | None, note: str | None, beat: _Heartbeat
    ) -> None:
        self.indexer.ingest(
            [document],
            origin=STAFF_ORIGIN,
            prune=False,
            force=True,
            changed_by=changed_by,
            note=note,
            chunk_progress=beat.progress,
        )


class _Heartbeat:
    """Keeps a running job's lease fresh and records its progress."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int, seconds: float) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def progress(self, done: int, total: int) -> None:
        """Record chunks embedded so far (called by the indexer between batches)."""
        with self._lock, self.sessions() as session:
            jobs.heartbeat(session=session, job_id=self.job_id, done=done, total=total)
            if not jobs.is_running(session=session, job_id=self.job_id):
                raise JobCancelled("cancelled while it was being indexed")

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                with self._lock, self.sessions() as session:
                    jobs.heartbeat(session=session, job_id=self.job_id)
            except Exception:  # a missed beat only shortens the lease
                log.exception("heartbeat of indexing job %s failed", self.job_id)


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
