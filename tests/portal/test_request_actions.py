"""Acting on a request: rating, withdrawing, assigning, moving service, status notices."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import request_assignment, request_messages, request_transitions, service_requests
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import OutboxMessage
from portal.workflow import Status


def test_rating_only_when_resolved_only_company_only_once(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(PermissionDenied):
        service_requests.rate(session=session, user=people["a"], request=request, rating=5)
    request.status = Status.IN_PROGRESS
    session.commit()
    request_transitions.transition(
        session=session, actor=people["staff"], request=request, target=Status.RESOLVED
    )
    with pytest.raises(PermissionDenied):
        service_requests.rate(session=session, user=people["staff"], request=request, rating=5)
    with pytest.raises(ValidationFailed):
        service_requests.rate(session=session, user=people["a"], request=request, rating=6)
    service_requests.rate(
        session=session, user=people["a"], request=request, rating=4, comment="Good"
    )
    assert (request.rating, request.rating_comment) == (4, "Good")
    with pytest.raises(PermissionDenied):
        service_requests.rate(session=session, user=people["a2"], request=request, rating=1)


def test_withdraw_is_the_companys_and_closed_requests_take_no_company_messages(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(PermissionDenied):
        request_transitions.withdraw(session=session, user=people["staff"], request=request)
    request_transitions.withdraw(
        session=session, user=people["a"], request=request, note="Not needed"
    )
    assert request.status == Status.WITHDRAWN and request.closed_at is not None
    with pytest.raises(PermissionDenied):
        request_messages.add_message(session=session, user=people["a"], request=request, body="hm")


def test_assign_requires_a_staff_assignee_and_notifies(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(ValidationFailed):
        request_assignment.assign(
            session=session, actor=people["staff"], request=request, assignee_id=people["a"].id
        )
    request_assignment.assign(
        session=session, actor=people["staff"], request=request, assignee_id=people["staff2"].id
    )
    assert request.assignee_id == people["staff2"].id
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.user_id == people["staff2"].id)
        )
        == 1
    )


def test_set_service_moves_team_and_records_events(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    request_assignment.set_service(
        session=session,
        actor=people["staff"],
        request=request,
        service_code="hgr_compliance_support",
    )
    assert request.team_code == "hgr_customs"
    kinds = [
        i.event.kind
        for i in service_requests.timeline(session=session, user=people["staff"], request=request)
        if i.event
    ]
    assert "service" in kinds and "team" in kinds


def test_notifications_name_statuses_in_words_and_never_say_received_before_the_center_acts(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    item = submit_one(people["a"])
    request_transitions.transition(
        session=session, actor=people["staff"], request=item, target=Status.IN_PROGRESS
    )

    texts = [
        m.subject + "\n" + m.body
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == item.id))
    ]

    assert any("已提交 / Submitted" in t for t in texts)
    assert not any("已受理" in t or "Received" in t for t in texts)
    moved = next(t for t in texts if "处理中" in t)
    assert "Status: In progress" in moved and "in_progress" not in moved
