"""Staff maintenance of the knowledge base: upload, replace, edit, supersede, withdraw.

Uploads are checked synchronously (knowledge.uploads) and then indexed by a background job
(retrieval.index_worker); the document's current version keeps serving until the job commits.
Metadata changes, supersession and withdrawal change no text, need no embedding and are applied
at once. Every change records a version with who made it and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from knowledge import jobs, registry
from knowledge.documents import SourceDocument
from knowledge.extraction import ExtractionLimits
from knowledge.jobs import JobView
from knowledge.registry import STAFF_ORIGIN
from knowledge.tables import SUPERSEDED_BY, DocumentRow, DocumentVersionRow, IndexJobRow, JobStatus
from knowledge.uploads import (
    EDITABLE,
    UploadRejected,
    check_metadata,
    clean_metadata,
    stage,
    validate_upload,
)
from retrieval.indexer import Indexer

_REQUIRED = ("title", "language", "category", "status")


class DocumentMissing(LookupError):
    """No document has this id."""


@dataclass(frozen=True)
class IndexState:
    """How far a document's indexing is: queued | indexing | ready | failed, with the reason."""

    status: str
    error: str | None = None
    done: int = 0
    total: int = 0
    job_id: int | None = None
    target_version: int | None = None
    rate: float | None = None  # passages embedded per second so far
    seconds_left: int | None = None  # at that rate

    @property
    def percent(self) -> int:
        """Progress in percent."""
        if self.status == JobStatus.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        """Whether a job is still queued or running."""
        return self.status in (JobStatus.QUEUED, JobStatus.INDEXING)

    @classmethod
    def of(cls, job: IndexJobRow | None) -> IndexState:
        """The state shown for a document whose latest job is `job` (ready when none)."""
        if job is None:
            return cls(JobStatus.READY)
        view = JobView.of(job)
        return cls(
            view.status,
            view.error,
            view.done,
            view.total,
            view.id,
            view.target_version,
            view.rate(),
            view.seconds_left(),
        )


CANCELLED = "cancelled: the document was withdrawn"


class KnowledgeAdmin:
    """The service behind the staff knowledge pages and the document API."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        indexer: Indexer,
        staging: Path,
        max_bytes: int,
        on_change: Callable[[], object] | None = None,
        limits: ExtractionLimits | None = None,
    ) -> None:
        self.limits = limits or ExtractionLimits()  # text extraction runs in a limited child
        self.sessions = sessions
        self.on_change = on_change  # e.g. the assistant reloads at once after an edit
        self.indexer = indexer
        self.staging = staging
        self.max_bytes = max_bytes

    # -- uploads (background) -------------------------------------------------------------

    def upload(
        self,
        *,
        data: bytes,
        filename: str,
        metadata: dict[str, Any],
        changed_by: str | None,
        note: str | None = None,
    ) -> tuple[DocumentRow, IndexState]:
        """Add a new document: checked now, stored as version 1, indexed by a queued job."""
        document = validate_upload(
            data=data,
            filename=filename,
            metadata=metadata,
            max_bytes=self.max_bytes,
            limits=self.limits,
        )
        self._check_references(document.meta.model_dump())
        with self.sessions() as session:
            if registry.get(session=session, document_id=document.id) is not None:
                raise UploadRejected(
                    "id",
                    "id_taken",
                    f"a document with the id {document.id} exists; upload a new version from "
                    "its page",
                )
        path = stage(folder=self.staging, data=data, filename=filename)
        try:
            with self.sessions() as session:
                # The row (without chunks) makes the document known at once; the job embeds it.
                registry.save_document(
                    session=session,
                    document=document,
                    chunks=[],
                    origin=STAFF_ORIGIN,
                    changed_by=changed_by,
                    note=note,
                )
                job = jobs.enqueue(
                    session=session,
                    document_id=document.id,
                    kind="upload",
                    target_version=1,
                    filename=path.name,
                    staged_path=str(path),
                    meta={},
                    requested_by=changed_by,
                    note=note,
                )
                session.commit()
                row = registry.get(session=session, document_id=document.id)
                assert row is not None
                return row, IndexState.of(job)
        except BaseException:
            _discard(path)
            raise

    def replace(
        self,
        *,
        document_id: str,
        data: bytes,
        filename: str,
        changed_by: str | None,
        note: str | None = None,
    ) -> IndexState:
        """Queue a new version's file; the current version serves until the job completes."""
        with self.sessions() as session:
            row = self._row(session, document_id)
            if jobs.active_for(session=session, document_id=document_id) is not None:
                raise UploadRejected(
                    "file", "job_active", "a new version of this document is being indexed"
                )
            metadata = row.meta.model_dump()
            next_version = (row.version or 1) + 1
        validate_upload(
            data=data,
            filename=filename,
            metadata=metadata,
            max_bytes=self.max_bytes,
            limits=self.limits,
        )
        path = stage(folder=self.staging, data=data, filename=filename)
        try:
            with self.sessions() as session:
                job = jobs.enqueue(
                    session=session,
                    document_id=document_id,
                    kind="replace",
                    target_version=next_version,
                    filename=path.name,
                    staged_path=str(path),
                    meta={},
                    requested_by=changed_by,
                    note=note,
                )
                session.commit()
                return IndexState.of(job)
        except BaseException:
            _discard(path)
            raise

    # -- immediate changes ----------------------------------------------------------------

    def update_metadata(
        self,
        *,
        document_id: str,
        changes: dict[str, Any],
        changed_by: str | None,
        note: str | None = None,
    ) -> DocumentRow:
        """Change a document's metadata (a new version when anything differs)."""
        with self.sessions() as session:
            row = self._row(session, document_id)
            current = row.meta.model_dump()
            text = row.text
            if row.withdrawn:
                raise UploadRejected("id", "withdrawn", "a withdrawn document cannot be edited")
        cleaned = clean_metadata({k: v for k, v in changes.items() if k in EDITABLE})
        for required in _REQUIRED:  # left blank: kept as it is (they cannot be empty)
            if cleaned.get(required) is None:
                cleaned.pop(required, None)
        meta = check_metadata({**current, **cleaned, "id": document_id})
        self._check_references(meta.model_dump())
        if meta.status != "superseded" and current.get(SUPERSEDED_BY):
            meta = check_metadata({**meta.model_dump(), SUPERSEDED_BY: None})
        self._save(SourceDocument(meta=meta, text=text), changed_by, note, change=None)
        return self.get(document_id)

    def supersede(
        self,
        *,
        document_id: str,
        superseded_by: str,
        changed_by: str | None,
        note: str | None = None,
    ) -> DocumentRow:
        """Mark a document superseded by another one (answers then cite it only for the past)."""
        if superseded_by == document_id:
            raise UploadRejected(
                "superseded_by", "self_reference", "a document cannot supersede itself"
            )
        with self.sessions() as session:
            row = self._row(session, document_id)
            replacement = registry.get(session=session, document_id=superseded_by)
            if replacement is None or replacement.withdrawn:
                raise UploadRejected(
                    "superseded_by", "unknown_document", f"no current document {superseded_by}"
                )
            if row.withdrawn:
                raise UploadRejected("id", "withdrawn", "a withdrawn document cannot be edited")
            values = {**row.meta.model_dump(), "status": "superseded", SUPERSEDED_BY: superseded_by}
            text = row.text
        meta = check_metadata(values)
        self._save(SourceDocument(meta=meta, text=text), changed_by, note, change="superseded")
        return self.get(document_id)

    def withdraw(
        self, *, document_id: str, changed_by: str | None, note: str | None = None
    ) -> bool:
        """Withdraw a document: it leaves every index; its versions stay. False if it was."""
        with self.sessions() as session:
            self._row(session, document_id)
            active = jobs.active_for(session=session, document_id=document_id)
            if active is not None:
                # A running job is cancelled too: its worker stops before committing, or
                # withdraws the document again if its commit came first (index_worker).
                jobs.cancel(session=session, job_id=active.id, error=CANCELLED, running=True)
        withdrawn = self.indexer.withdraw(document_id, changed_by=changed_by, note=note)
        self._changed()
        return withdrawn

    # -- reading ---------------------------------------------------------------------------

    def get(self, document_id: str) -> DocumentRow:
        """A document (also a withdrawn one), or DocumentMissing."""
        with self.sessions() as session:
            return self._row(session, document_id)

    def state(self, document_id: str) -> IndexState:
        """The indexing state of a document."""
        with self.sessions() as session:
            return IndexState.of(jobs.latest_for(session=session, document_id=document_id))

    def states(self) -> dict[str, IndexState]:
        """The indexing state of every document that was ever uploaded through the portal."""
        with self.sessions() as session:
            return {
                doc_id: IndexState.of(job)
                for doc_id, job in jobs.latest_by_document(session=session).items()
            }

    def versions(self, document_id: str) -> list[DocumentVersionRow]:
        """A document's versions, newest first."""
        with self.sessions() as session:
            return registry.versions_of(session=session, document_id=document_id)

    def version(self, document_id: str, version: int) -> DocumentVersionRow | None:
        """One version of a document (its full text), or None."""
        with self.sessions() as session:
            return registry.get_version(session=session, document_id=document_id, version=version)

    # -- helpers ---------------------------------------------------------------------------

    def _row(self, session: Session, document_id: str) -> DocumentRow:
        row = registry.get(session=session, document_id=document_id)
        if row is None:
            raise DocumentMissing(document_id)
        return row

    def _check_references(self, meta: dict[str, Any]) -> None:
        counterpart = meta.get("translation_of")
        if not counterpart:
            return
        with self.sessions() as session:
            if registry.get(session=session, document_id=counterpart) is None:
                raise UploadRejected(
                    "translation_of", "unknown_document", f"no document {counterpart}"
                )

    def _save(
        self, document: SourceDocument, changed_by: str | None, note: str | None, change: str | None
    ) -> None:
        self.indexer.ingest(
            [document],
            origin=STAFF_ORIGIN,
            prune=False,
            changed_by=changed_by,
            note=note,
            change=change,
        )
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass
