"""The staff queue, the dashboard numbers, notifications delivery and canned replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal import (
    canned,
    dashboard,
    notifications,
    request_assignment,
    request_messages,
    request_transitions,
    service_requests,
)
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Deflection, OutboxMessage
from portal.sla import WorkingCalendar
from portal.workflow import Priority, Status

MONDAY_9 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Guangzhou
CAL = WorkingCalendar()


def _fixture(session: Session, people: dict[str, Any], submit_one: Any) -> dict[str, Any]:
    staff = people["staff"]
    old = submit_one(people["a"], title="Old sterility request", now=MONDAY_9)
    fresh = submit_one(
        people["b"],
        title="Fresh vector titer",
        now=MONDAY_9 + timedelta(days=2),
        service_code="vector_plasmid_analytics",
        fields={
            "product_type": "aav",
            "development_stage": "research",
            "sample_type": "AAV9",
            "sample_quantity": "2",
            "cold_chain": "minus_80c",
            "tests_requested": ["titer"],
            "report_language": "en",
        },
    )
    done = submit_one(people["a"], title="Done one", now=MONDAY_9)
    request_assignment.claim(session=session, actor=staff, request=done)
    request_transitions.transition(
        session=session,
        actor=staff,
        request=done,
        target=Status.IN_PROGRESS,
        now=MONDAY_9 + timedelta(hours=2),
        calendar=CAL,
    )
    request_messages.add_message(
        session=session,
        user=staff,
        request=done,
        body="Working on it",
        now=MONDAY_9 + timedelta(hours=2),
    )
    request_transitions.transition(
        session=session,
        actor=staff,
        request=done,
        target=Status.RESOLVED,
        now=MONDAY_9 + timedelta(hours=6),
        calendar=CAL,
    )
    service_requests.rate(session=session, user=people["a"], request=done, rating=4)
    session.add_all(
        [
            Deflection(user_id=people["a"].id, query="q", answers_shown=3),
            Deflection(user_id=people["a"].id, query="q2", answers_shown=2, request_id=old.id),
        ]
    )
    session.commit()
    return {"old": old, "fresh": fresh, "done": done}


def test_queue_puts_breached_first_and_counts_statuses(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    made = _fixture(session, people, submit_one)
    now = MONDAY_9 + timedelta(days=2, hours=1)  # old: 18 business h, past its 16 h response
    result = dashboard.queue(
        session=session,
        user=people["staff"],
        filters=dashboard.QueueFilters(),
        now=now,
        calendar=CAL,
    )
    assert [r.request.id for r in result.rows] == [made["old"].id, made["fresh"].id]
    assert result.rows[0].sla.state == "breached"
    assert result.counts["submitted"] == 2 and result.counts["resolved"] == 1
    assert result.total == 2


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"service": "vector_plasmid_analytics"}, ["fresh"]),
        ({"text": "old sterility"}, ["old"]),
        ({"text": "Beta"}, ["fresh"]),
        ({"assignee": "me"}, ["done"]),
        ({"assignee": "unassigned"}, ["old", "fresh"]),
        ({"sla_state": "breached"}, ["old"]),
        ({"status": (Status.RESOLVED,)}, ["done"]),
        ({"priority": Priority.URGENT}, []),
        ({"team": "testing", "sort": "newest"}, ["fresh", "old"]),
        ({"company_id": -1}, []),
    ],
)
def test_queue_filters(
    session: Session,
    people: dict[str, Any],
    submit_one: Any,
    filters: dict[str, Any],
    expected: list[str],
) -> None:
    made = _fixture(session, people, submit_one)
    if filters.get("assignee") == "me":
        filters = {**filters, "status": tuple(Status)}
    now = MONDAY_9 + timedelta(days=2, hours=1)
    result = dashboard.queue(
        session=session,
        user=people["staff"],
        filters=dashboard.QueueFilters(**filters),
        now=now,
        calendar=CAL,
    )
    assert [r.request.id for r in result.rows] == [made[k].id for k in expected]


def test_queue_is_staff_only(session: Session, people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        dashboard.queue(
            session=session,
            user=people["a"],
            filters=dashboard.QueueFilters(),
            now=MONDAY_9,
            calendar=CAL,
        )


def test_dashboard_numbers(session: Session, people: dict[str, Any], submit_one: Any) -> None:
    _fixture(session, people, submit_one)
    now = MONDAY_9 + timedelta(days=2, hours=1)
    stats = dashboard.stats(session=session, now=now, calendar=CAL)
    assert stats.total_requests == 3
    assert stats.open_by_status == {"submitted": 2}
    assert stats.open_by_service == {"release_lot_testing": 1, "vector_plasmid_analytics": 1}
    assert stats.median_first_response_hours == 2.0
    assert stats.median_resolution_hours == 6.0
    assert stats.sla_breach_rate == round(1 / 3, 4)
    assert stats.rating_average == 4.0 and stats.rating_distribution[4] == 1
    assert stats.deflection_rate == 0.5 and stats.deflections == 2
    assert sum(stats.submitted_per_day.values()) == 3


def test_deliver_pending_marks_sent_and_records_failures(
    session: Session, people: dict[str, Any]
) -> None:
    notifications.enqueue(
        session=session, user_ids=[people["a"].id, people["b"].id], subject="Hi", body="Body"
    )
    session.commit()

    def send(message: OutboxMessage) -> None:
        if message.user_id == people["b"].id:
            raise ConnectionError("smtp down")

    report = notifications.deliver_pending(session=session, send=send)
    assert (report.sent, report.failed, report.pending) == (1, 1, 1)
    failed = session.query(OutboxMessage).filter_by(user_id=people["b"].id).one()
    assert failed.attempts == 1 and "smtp down" in (failed.last_error or "")
    assert notifications.deliver_pending(session=session, send=None).pending == 1
    assert len(notifications.unread_for(session=session, user=people["a"])) == 1
    assert notifications.mark_read(session=session, user=people["a"]) == 1
    assert notifications.unread_for(session=session, user=people["a"]) == []


def test_canned_replies_crud_is_staff_only(session: Session, people: dict[str, Any]) -> None:
    staff = people["staff"]
    reply = canned.create_reply(session=session, actor=staff, title="Need COA", body="Please")
    canned.update_reply(
        session=session,
        actor=staff,
        reply_id=reply.id,
        title="Need COA",
        body="Please upload the COA",
    )
    assert [r.body for r in canned.list_replies(session=session, actor=staff)] == [
        "Please upload the COA"
    ]
    with pytest.raises(ValidationFailed):
        canned.create_reply(session=session, actor=staff, title="", body="x")
    with pytest.raises(PermissionDenied):
        canned.list_replies(session=session, actor=people["a"])
    canned.delete_reply(session=session, actor=staff, reply_id=reply.id)
    assert canned.list_replies(session=session, actor=staff) == []


def test_weekly_trends_put_each_request_in_its_week(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    _fixture(session, people, submit_one)
    now = MONDAY_9 + timedelta(days=9)  # the Wednesday of the following week
    stats = dashboard.stats(session=session, now=now, calendar=CAL)
    assert len(stats.weekly) == dashboard.WEEKS
    this_week, last_week = stats.weekly[-1], stats.weekly[-2]
    assert this_week.week_start == "2026-03-09" and this_week.created == 0
    assert this_week.median_first_response_hours is None and this_week.breach_rate is None
    assert last_week.week_start == "2026-03-02" and last_week.created == 3
    assert last_week.median_first_response_hours == 2.0
    assert last_week.median_resolution_hours == 6.0
    assert last_week.breach_rate is not None and 0 < last_week.breach_rate <= 1
    assert stats.deflected == 1
