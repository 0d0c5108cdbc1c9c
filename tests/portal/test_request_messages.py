"""A request's conversation: the timeline, replies, the first response, pauses and @mentions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import (
    notifications,
    request_assignment,
    request_files,
    request_messages,
    request_transitions,
    service_requests,
)
from portal.attachments import AttachmentStore
from portal.errors import NotFound
from portal.models import Mention
from portal.workflow import Status


def test_timeline_hides_internal_notes_and_events_from_the_company(
    session: Session, people: dict[str, Any], submit_one: Any, store: AttachmentStore
) -> None:
    request = submit_one(people["a"])
    staff = people["staff"]
    request_assignment.claim(session=session, actor=staff, request=request)
    request_messages.add_message(
        session=session,
        user=staff,
        request=request,
        body="looks odd",
        visibility="internal",
        files=[("n.txt", b"note")],
        store=store,
    )
    request_messages.add_message(session=session, user=staff, request=request, body="We are on it")
    company_view = service_requests.timeline(session=session, user=people["a"], request=request)
    staff_view = service_requests.timeline(session=session, user=staff, request=request)
    assert [i.message.body for i in company_view if i.message] == ["We are on it"]
    assert not any(i.internal for i in company_view)
    # The company sees the file it sent, never the staff's internal one.
    assert [i.attachment.filename for i in company_view if i.attachment] == [
        "sample-information.pdf"
    ]
    assert {"looks odd", "We are on it"} <= {i.message.body for i in staff_view if i.message}
    assert any(i.event and i.event.kind == "assigned" for i in staff_view)
    times = [i.at for i in staff_view]
    assert times == sorted(times)
    with pytest.raises(NotFound):
        att = next(i.attachment for i in staff_view if i.attachment and i.internal)
        request_files.get_attachment(session=session, user=people["a"], attachment_id=att.id)


def test_staff_public_reply_sets_first_response_once_and_notifies(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    request_messages.add_message(
        session=session, user=people["staff"], request=request, body="Hello"
    )
    first = request.first_response_at
    assert first is not None
    request_messages.add_message(
        session=session, user=people["staff"], request=request, body="Again"
    )
    assert request.first_response_at == first
    subjects = [n.subject for n in notifications.unread_for(session=session, user=people["a"])]
    assert sum("replied" in s for s in subjects) == 2


def test_company_reply_while_awaiting_moves_back_to_in_progress_and_pauses(
    session: Session, people: dict[str, Any], submit_one: Any, now: Any, calendar: Any
) -> None:
    from datetime import timedelta

    request = submit_one(people["a"], now=now)
    request_transitions.transition(
        session=session,
        actor=people["staff"],
        request=request,
        target=Status.AWAITING_COMPANY,
        now=now,
        calendar=calendar,
    )
    assert request.awaiting_since is not None and request.first_response_at is not None
    request_messages.add_message(
        session=session,
        user=people["a"],
        request=request,
        body="Here it is",
        now=now + timedelta(hours=2),
        calendar=calendar,
    )
    assert request.status == Status.IN_PROGRESS
    assert request.awaiting_since is None
    assert request.paused_seconds == 2 * 3600


def test_mentions_create_rows_and_notices(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    note = request_messages.add_message(
        session=session,
        user=people["staff"],
        request=request,
        body="@王芳 please check; cc @li.wei@center.example.",
        visibility="internal",
    )
    mentioned = set(session.scalars(select(Mention.user_id).where(Mention.message_id == note.id)))
    assert mentioned == {people["staff2"].id, people["staff"].id}
    notices = notifications.unread_for(session=session, user=people["staff2"])
    assert any("mentioned you" in n.subject for n in notices)


def test_public_message_does_not_mention_anyone(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    request_messages.add_message(
        session=session, user=people["a"], request=request, body="@王芳 hi"
    )
    assert session.scalar(select(func.count()).select_from(Mention)) == 0
