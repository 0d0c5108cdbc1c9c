"""A request's files: checked and stored before the transaction, recorded with it, downloaded.

The bytes live in the content-addressed `AttachmentStore`; an Attachment row (and an event on
the timeline) ties each file to its request, and to the message it came with, if any.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.attachments import AttachmentStore, Content, sanitise_filename, size_of
from portal.db import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import Attachment, Message, ServiceRequest, User
from portal.tracking import ensure_visible, record_event


def store_files(
    files: Sequence[tuple[str, Content]],
    store: AttachmentStore | None,
    *,
    session: Session | None = None,
    company_id: int | None = None,
    stored_bytes: int = 0,
) -> list[tuple[str, str, int, str]]:
    """Check every file, then write each under its hash: (name, content type, size, sha256).

    Called before the transaction: the tracking number's lock is then never held across a
    file's fsync. A transaction that fails afterwards leaves only an unreferenced blob, which
    nobody can reach (files are served through their rows). With a `company_id`, the files
    (and `stored_bytes` of files already in the store for this request) must fit in what is
    left of that company's storage quota.
    """
    if files and store is None:
        raise ValueError("files given without an attachment store")
    checked = [
        (sanitise_filename(name), store.inspect(name, data), data)  # type: ignore[union-attr]
        for name, data in files
    ]
    quota = store.company_quota_bytes if store is not None else None
    if (checked or stored_bytes) and quota is not None and session is not None and company_id:
        used = session.scalar(
            select(func.coalesce(func.sum(Attachment.size), 0))
            .join(ServiceRequest, Attachment.request_id == ServiceRequest.id)
            .where(ServiceRequest.company_id == company_id)
        )
        if int(used or 0) + stored_bytes + sum(size_of(data) for _, _, data in checked) > quota:
            raise ValidationFailed({"files": "quota_exceeded"})
    return [
        (name, content_type, size_of(data), store.save(data))  # type: ignore[union-attr]
        for name, content_type, data in checked
    ]


def attach_files(
    *,
    session: Session,
    request: ServiceRequest,
    user: User,
    stored: list[tuple[str, str, int, str]],
    message: Message | None,
) -> list[Attachment]:
    """Add a row and an event per stored file; files with an internal note are internal."""
    rows = []
    for name, content_type, size, sha in stored:
        row = Attachment(
            request_id=request.id,
            message_id=message.id if message else None,
            uploaded_by_id=user.id,
            filename=name,
            content_type=content_type,
            size=size,
            sha256=sha,
            created_at=utcnow(),
        )
        session.add(row)
        rows.append(row)
        internal = message is not None and message.visibility == "internal"
        record_event(
            session=session,
            request=request,
            actor=user,
            kind="internal_attachment_added" if internal else "attachment_added",
            after={"filename": name, "size": size},
        )
    return rows


def get_attachment(*, session: Session, user: User, attachment_id: int) -> Attachment:
    """Return an attachment the user may download, or raise NotFound."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("no such file")
    request = session.get(ServiceRequest, row.request_id)
    if request is None:
        raise NotFound("no such file")
    ensure_visible(user=user, request=request)
    if not user.is_staff and row.message_id is not None:
        message = session.get(Message, row.message_id)
        if message is None or message.visibility != "public":
            raise NotFound("no such file")
    return row
