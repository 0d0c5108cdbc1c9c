"""Merging a duplicate request into another of the same company.

The duplicate's messages and files move to the kept request, the duplicate is closed with a
link to it, both carry an audit event, and the company is told.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal import notifications, texts
from portal.errors import ValidationFailed
from portal.models import Attachment, Message, RequestAnswer, ServiceRequest, User
from portal.tracking import ensure_staff, record_event
from portal.workflow import FINAL, Status


def _move_rows(
    session: Session, table: type[Message] | type[Attachment], source: int, target: int
) -> int:
    """Give every row of the source request to the target; return how many moved."""
    count = session.scalar(
        select(func.count()).select_from(table).where(table.request_id == source)
    )
    session.execute(update(table).where(table.request_id == source).values(request_id=target))
    return int(count or 0)


def merge(
    *,
    session: Session,
    actor: User,
    duplicate: ServiceRequest,
    target: ServiceRequest,
    now: datetime | None = None,
) -> ServiceRequest:
    """Move the duplicate's messages and files to `target`, close it as merged, tell the company."""
    ensure_staff(user=actor)
    if duplicate.id == target.id:
        raise ValidationFailed({"target": "merge_same"})
    if duplicate.company_id != target.company_id:
        # Another company's request: merging would hand one company's files to another.
        raise ValidationFailed({"target": "merge_other_company"})
    if duplicate.status in FINAL:
        raise ValidationFailed({"target": "merge_duplicate_closed"})
    if target.status in FINAL:
        raise ValidationFailed({"target": "merge_target_closed"})
    moment = now or datetime.now(UTC)
    moved_messages = _move_rows(session, Message, duplicate.id, target.id)
    moved_files = _move_rows(session, Attachment, duplicate.id, target.id)
    kept = set(
        session.scalars(
            select(RequestAnswer.answer_id).where(RequestAnswer.request_id == target.id)
        )
    )
    for answer in session.scalars(
        select(RequestAnswer).where(RequestAnswer.request_id == duplicate.id)
    ):
        if answer.answer_id not in kept:
            answer.request_id = target.id
    before = Status(duplicate.status)
    kept_number = target.tracking_number
    link = texts.MERGED_NOTE.format(kept=kept_number)
    duplicate.status = Status.CLOSED
    duplicate.closed_at = moment
    duplicate.awaiting_since = None
    duplicate.merged_into_id = target.id
    record_event(
        session=session,
        request=duplicate,
        actor=actor,
        kind="merged_into",
        before=None,
        after={"into": target.tracking_number, "messages": moved_messages, "files": moved_files},
    )
    record_event(
        session=session,
        request=duplicate,
        actor=actor,
        kind="status",
        before=before.value,
        after=Status.CLOSED.value,
        note=link,
    )
    record_event(
        session=session,
        request=target,
        actor=actor,
        kind="merged_from",
        after={"from": duplicate.tracking_number, "messages": moved_messages, "files": moved_files},
    )
    notifications.enqueue(
        session=session,
        user_ids=notifications.company_user_ids(session=session, company_id=duplicate.company_id),
        subject=texts.MERGED_SUBJECT.format(number=duplicate.tracking_number, kept=kept_number),
        body=texts.MERGED_BODY.format(number=duplicate.tracking_number, kept=kept_number),
        request_id=target.id,
    )
    session.commit()
    return target
