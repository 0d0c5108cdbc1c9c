"""The transition table, and who may take which step."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal import request_transitions, service_requests
from portal.errors import InvalidTransition, PermissionDenied
from portal.workflow import COMPANY_STEPS, TRANSITIONS, Status, check_transition

ALL_PAIRS = [(a, b) for a in Status for b in Status]
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_every_allowed_transition_passes(current: Status, target: Status) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_every_refused_transition_raises_with_a_clear_message(
    current: Status, target: Status
) -> None:
    with pytest.raises(InvalidTransition) as info:
        check_transition(current, target)
    assert f"{current.value} cannot become {target.value}" in str(info.value)


def _force(session: Session, request: Any, status: Status) -> None:
    request.status = status
    session.commit()


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_staff_may_take_every_allowed_step(
    session: Session, people: dict[str, Any], submit_one: Any, current: Status, target: Status
) -> None:
    request = submit_one(people["a"])
    _force(session, request, current)
    request_transitions.transition(
        session=session, actor=people["staff"], request=request, target=target
    )
    assert request.status == target


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_company_may_take_only_company_steps(
    session: Session, people: dict[str, Any], submit_one: Any, current: Status, target: Status
) -> None:
    request = submit_one(people["a"])
    _force(session, request, current)
    if (current, target) in COMPANY_STEPS:
        request_transitions.transition(
            session=session, actor=people["a2"], request=request, target=target
        )
        assert request.status == target
    else:
        with pytest.raises(PermissionDenied):
            request_transitions.transition(
                session=session, actor=people["a2"], request=request, target=target
            )
        assert request.status == current


def test_refused_transition_changes_nothing_and_writes_no_event(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(InvalidTransition):
        request_transitions.transition(
            session=session, actor=people["staff"], request=request, target=Status.CLOSED
        )
    session.rollback()
    items = service_requests.timeline(session=session, user=people["staff"], request=request)
    assert [i.event.kind for i in items if i.event and i.event.kind == "status"] == []
    assert request.status == Status.SUBMITTED


def test_transition_records_event_and_notifies_company(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    from portal import notifications

    request = submit_one(people["a"])
    before = len(notifications.unread_for(session=session, user=people["a2"]))
    request_transitions.transition(
        session=session,
        actor=people["staff"],
        request=request,
        target=Status.IN_PROGRESS,
        note="Starting",
    )
    events = [
        i.event
        for i in service_requests.timeline(session=session, user=people["staff"], request=request)
        if i.event and i.event.kind == "status"
    ]
    assert (events[-1].before, events[-1].after, events[-1].note) == (
        "submitted",
        "in_progress",
        "Starting",
    )
    assert events[-1].actor_id == people["staff"].id
    assert len(notifications.unread_for(session=session, user=people["a2"])) == before + 1
