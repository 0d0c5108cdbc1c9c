"""Canned replies that staff maintain and insert into public replies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import CannedReply, User
from portal.tracking import ensure_staff, record_event

MAX_TITLE = 120
MAX_BODY = 10000


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "required"
    elif len(title) > MAX_TITLE:
        errors["title"] = "too_long"
    if not body:
        errors["body"] = "required"
    elif len(body) > MAX_BODY:
        errors["body"] = "too_long"
    if errors:
        raise ValidationFailed(errors)
    return title, body


def list_replies(*, session: Session, actor: User) -> list[CannedReply]:
    """Return every canned reply, by title."""
    ensure_staff(user=actor)
    return list(session.scalars(select(CannedReply).order_by(CannedReply.title)))


def get_reply(*, session: Session, actor: User, reply_id: int) -> CannedReply:
    """Return one canned reply, or raise NotFound."""
    ensure_staff(user=actor)
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound("no such canned reply")
    return reply


def create_reply(*, session: Session, actor: User, title: str, body: str) -> CannedReply:
    """Add a canned reply."""
    ensure_staff(user=actor)
    title, body = _clean(title, body)
    reply = CannedReply(title=title, body=body, updated_at=utcnow())
    session.add(reply)
    session.flush()
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="canned_created",
        after={"id": reply.id, "title": title},
    )
    session.commit()
    return reply


def update_reply(
    *, session: Session, actor: User, reply_id: int, title: str, body: str
) -> CannedReply:
    """Change a canned reply's title and text."""
    reply = get_reply(session=session, actor=actor, reply_id=reply_id)
    title, body = _clean(title, body)
    before = {"title": reply.title, "body": reply.body}
    reply.title, reply.body, reply.updated_at = title, body, utcnow()
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="canned_updated",
        before=before,
        after={"title": title, "body": body},
    )
    session.commit()
    return reply


def delete_reply(*, session: Session, actor: User, reply_id: int) -> None:
    """Delete a canned reply."""
    reply = get_reply(session=session, actor=actor, reply_id=reply_id)
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="canned_deleted",
        before={"id": reply.id, "title": reply.title, "body": reply.body},
    )
    session.delete(reply)
    session.commit()
