"""Bulk actions, merging duplicates, saved views and the customer panel."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import (
    bulk,
    merging,
    request_assignment,
    request_messages,
    request_transitions,
    saved_views,
)
from portal.customers import customer_panel
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attachment, Event, Message, OutboxMessage, ServiceRequest
from portal.sla import WorkingCalendar
from portal.workflow import Priority, Status


def _events(session: Session, request: ServiceRequest, kind: str) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.request_id == request.id, Event.kind == kind))
    )


def test_bulk_assignment_changes_each_request_and_audits_each(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    one, two = submit_one(people["a"]), submit_one(people["b"])
    outcome = bulk.apply(
        session=session,
        actor=people["staff"],
        request_ids=[one.id, two.id],
        action="assign",
        value=str(people["staff2"].id),
    )
    assert outcome.changed == [one.tracking_number, two.tracking_number]
    assert one.assignee_id == two.assignee_id == people["staff2"].id
    for r in (one, two):
        (event,) = _events(session, r, "assigned")
        assert (event.before, event.after, event.actor_id) == (
            None,
            people["staff2"].id,
            people["staff"].id,
        )
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == people["staff2"].id)
    ).all()
    assert len(told) == 1 and one.tracking_number in told[0].body


def test_bulk_assignment_to_a_company_user_is_refused(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    one = submit_one(people["a"])
    with pytest.raises(ValidationFailed):
        bulk.apply(
            session=session,
            actor=people["staff"],
            request_ids=[one.id],
            action="assign",
            value=str(people["a"].id),
        )
    with pytest.raises(PermissionDenied):
        bulk.apply(
            session=session,
            actor=people["a"],
            request_ids=[one.id],
            action="priority",
            value="high",
        )


def test_bulk_priority_skips_requests_already_at_it(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    one, two = submit_one(people["a"]), submit_one(people["a"])
    request_assignment.set_priority(
        session=session, actor=people["staff"], request=two, priority=Priority.URGENT
    )
    outcome = bulk.apply(
        session=session,
        actor=people["staff"],
        request_ids=[one.id, two.id],
        action="priority",
        value="urgent",
    )
    assert (outcome.changed, outcome.unchanged) == ([one.tracking_number], [two.tracking_number])
    assert len(_events(session, one, "priority")) == 1


def test_bulk_status_with_one_illegal_step_changes_nothing_and_names_it(
    session: Session, people: dict[str, Any], submit_one: Any, calendar: WorkingCalendar
) -> None:
    one, two = submit_one(people["a"]), submit_one(people["a"])
    request_transitions.transition(
        session=session,
        actor=people["staff"],
        request=two,
        target=Status.IN_PROGRESS,
        calendar=calendar,
    )
    # submitted -> resolved is not in the table; in_progress -> resolved is.
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.apply(
            session=session,
            actor=people["staff"],
            request_ids=[one.id, two.id],
            action="status",
            value="resolved",
            calendar=calendar,
        )
    assert refused.value.refused == {one.tracking_number: "illegal_transition"}
    session.refresh(one), session.refresh(two)
    assert (one.status, two.status) == (Status.SUBMITTED, Status.IN_PROGRESS)

    outcome = bulk.apply(
        session=session,
        actor=people["staff"],
        request_ids=[one.id, two.id],
        action="status",
        value="in_progress",
        calendar=calendar,
    )
    assert outcome.changed == [one.tracking_number] and outcome.unchanged == [two.tracking_number]
    (event,) = [e for e in _events(session, one, "status") if e.after == "in_progress"]
    assert event.before == "submitted"


def test_bulk_needs_a_selection(session: Session, people: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as failure:
        bulk.apply(
            session=session, actor=people["staff"], request_ids=[], action="priority", value="high"
        )
    assert failure.value.errors == {"selected": "none_selected"}


def test_merging_moves_messages_and_files_closes_the_duplicate_and_tells_the_company(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    kept, duplicate = submit_one(people["a"]), submit_one(people["a2"])
    request_messages.add_message(
        session=session, user=people["a2"], request=duplicate, body="样品已寄出"
    )
    merging.merge(session=session, actor=people["staff"], duplicate=duplicate, target=kept)
    assert duplicate.status == Status.CLOSED and duplicate.merged_into_id == kept.id
    bodies = session.scalars(select(Message.body).where(Message.request_id == kept.id)).all()
    assert "样品已寄出" in bodies
    files = session.scalars(select(Attachment).where(Attachment.request_id == kept.id)).all()
    assert len(files) == 2  # its own required file and the duplicate's
    assert _events(session, duplicate, "merged_into")[0].after["into"] == kept.tracking_number
    assert _events(session, kept, "merged_from")[0].after["from"] == duplicate.tracking_number
    closing = [e for e in _events(session, duplicate, "status") if e.after == "closed"]
    assert kept.tracking_number in (closing[0].note or "")
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("%Merged into%"))
    ).all()
    assert {m.user_id for m in told} == {people["a"].id, people["a2"].id}


def test_merging_refuses_another_companys_request_and_closed_ones(
    session: Session, people: dict[str, Any], submit_one: Any, calendar: WorkingCalendar
) -> None:
    mine, theirs = submit_one(people["a"]), submit_one(people["b"])
    with pytest.raises(ValidationFailed) as failure:
        merging.merge(session=session, actor=people["staff"], duplicate=mine, target=theirs)
    assert failure.value.errors == {"target": "merge_other_company"}
    with pytest.raises(ValidationFailed):
        merging.merge(session=session, actor=people["staff"], duplicate=mine, target=mine)
    other = submit_one(people["a"])
    request_transitions.transition(
        session=session,
        actor=people["staff"],
        request=other,
        target=Status.REJECTED,
        calendar=calendar,
    )
    with pytest.raises(ValidationFailed) as failure:
        merging.merge(session=session, actor=people["staff"], duplicate=mine, target=other)
    assert failure.value.errors == {"target": "merge_target_closed"}
    assert session.scalars(select(Message).where(Message.request_id == theirs.id)).all() == []


def test_customer_panel_shows_contact_members_and_other_requests(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    first, second = submit_one(people["a"]), submit_one(people["a2"])
    submit_one(people["b"])
    panel = customer_panel(session=session, actor=people["staff"], request=second)
    assert panel.company.name == "Alpha Bio"
    assert {u.id for u in panel.members} == {people["a"].id, people["a2"].id}
    assert [r.id for r in panel.other_requests] == [first.id]
    assert (panel.total_requests, panel.open_requests) == (2, 2)
    with pytest.raises(PermissionDenied):
        customer_panel(session=session, actor=people["a"], request=second)


def test_saved_views_are_personal_or_shared_with_the_team_and_counted(
    session: Session, people: dict[str, Any], submit_one: Any, calendar: WorkingCalendar
) -> None:
    submit_one(people["a"])
    submit_one(people["b"])
    staff, colleague = people["staff"], people["staff2"]
    company = people["company_a"].id
    mine = saved_views.create_view(
        session=session,
        actor=staff,
        name="Alpha",
        query=f"company={company}&sort=newest&bogus=1",
        shared=False,
    )
    assert mine.query == f"company={company}&sort=newest"
    team = saved_views.create_view(
        session=session,
        actor=colleague,
        name="全部未分派",
        query="assignee=unassigned",
        shared=True,
    )
    assert team.team_code is None  # no team: shared with all staff
    assert [v.id for v in saved_views.list_views(session=session, actor=staff)] == [
        mine.id,
        team.id,
    ]
    assert [v.id for v in saved_views.list_views(session=session, actor=colleague)] == [team.id]
    from datetime import UTC, datetime

    counts = saved_views.counts(
        session=session, actor=staff, views=[mine, team], now=datetime.now(UTC), calendar=calendar
    )
    assert counts == {mine.id: 1, team.id: 2}
    with pytest.raises(PermissionDenied):
        saved_views.delete_view(session=session, actor=staff, view_id=team.id)
    with pytest.raises(NotFound):
        saved_views.delete_view(session=session, actor=colleague, view_id=mine.id)
    saved_views.delete_view(session=session, actor=staff, view_id=mine.id)
    with pytest.raises(ValidationFailed):
        saved_views.create_view(session=session, actor=staff, name=" ", query="", shared=False)


def test_a_saved_status_all_view_shows_closed_requests_too() -> None:
    filters = saved_views.filters_from_query("status=all&assignee=me&q=CAR-T")
    assert set(filters.status) == set(Status) and filters.assignee == "me"
    assert filters.text == "CAR-T"
