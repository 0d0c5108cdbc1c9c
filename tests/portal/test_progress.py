"""The progress view's four steps (提交 → 受理 → 办理 → 办结) from a request's status events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.models import Event, ServiceRequest, User
from portal.progress import progress
from portal.workflow import Status

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMPANY = User(id=1, email="a@example.cn", name="林晓", role="company")
STAFF = User(id=2, email="s@gba-cgt.cn", name="何敏", role="staff")


def _request(status: Status, **extra: object) -> ServiceRequest:
    return ServiceRequest(status=status, created_at=T0, **extra)


def _submitted() -> Event:
    return Event(id=1, kind="submitted", actor=COMPANY, at=T0, after={"status": "submitted"})


def _move(n: int, before: Status, after: Status, actor: User = STAFF) -> Event:
    return Event(
        id=n + 1,
        kind="status",
        actor=actor,
        before=before.value,
        after=after.value,
        at=T0 + timedelta(hours=n),
    )


def _states(steps: list) -> list[tuple[str, str]]:
    return [(s.key, s.state) for s in steps]


def test_a_submitted_request_waits_to_be_accepted_and_is_not_called_received() -> None:
    steps = progress(request=_request(Status.SUBMITTED), events=[_submitted()])

    assert _states(steps) == [
        ("submitted", "done"),
        ("accepted", "current"),
        ("processing", "pending"),
        ("done", "pending"),
    ]
    assert steps[0].at == T0 and steps[0].actor is COMPANY
    assert steps[1].at is None


def test_in_progress_shows_when_and_by_whom_the_center_accepted_it() -> None:
    events = [
        _submitted(),
        _move(1, Status.SUBMITTED, Status.TRIAGED),
        _move(3, Status.TRIAGED, Status.IN_PROGRESS),
    ]

    steps = progress(request=_request(Status.IN_PROGRESS), events=events)

    assert _states(steps) == [
        ("submitted", "done"),
        ("accepted", "done"),
        ("processing", "current"),
        ("done", "pending"),
    ]
    assert steps[1].at == T0 + timedelta(hours=1) and steps[1].actor is STAFF
    assert steps[2].at == T0 + timedelta(hours=3)


def test_awaiting_the_company_is_named_on_the_current_step() -> None:
    events = [_submitted(), _move(1, Status.SUBMITTED, Status.AWAITING_COMPANY)]

    steps = progress(request=_request(Status.AWAITING_COMPANY), events=events)

    assert steps[2].state == "current" and steps[2].outcome == Status.AWAITING_COMPANY


def test_a_closed_request_keeps_the_date_it_was_resolved() -> None:
    events = [
        _submitted(),
        _move(1, Status.SUBMITTED, Status.IN_PROGRESS),
        _move(5, Status.IN_PROGRESS, Status.RESOLVED),
        _move(9, Status.RESOLVED, Status.CLOSED, actor=COMPANY),
    ]

    steps = progress(request=_request(Status.CLOSED), events=events)

    assert [s.state for s in steps] == ["done"] * 4
    assert steps[3].at == T0 + timedelta(hours=5) and steps[3].actor is STAFF


def test_a_reopened_request_is_not_finished_any_more() -> None:
    events = [
        _submitted(),
        _move(1, Status.SUBMITTED, Status.IN_PROGRESS),
        _move(2, Status.IN_PROGRESS, Status.RESOLVED),
        _move(3, Status.RESOLVED, Status.IN_PROGRESS, actor=COMPANY),
    ]

    steps = progress(request=_request(Status.IN_PROGRESS), events=events)

    assert steps[2].state == "current" and steps[3].state == "pending"


def test_a_rejected_request_stops_at_acceptance_and_skips_the_rest() -> None:
    events = [_submitted(), _move(2, Status.SUBMITTED, Status.REJECTED)]

    steps = progress(request=_request(Status.REJECTED), events=events)

    assert _states(steps) == [
        ("submitted", "done"),
        ("accepted", "stopped"),
        ("processing", "skipped"),
        ("done", "skipped"),
    ]
    assert steps[1].outcome == Status.REJECTED and steps[1].at == T0 + timedelta(hours=2)


def test_a_request_withdrawn_while_worked_on_stops_at_completion() -> None:
    events = [
        _submitted(),
        _move(1, Status.SUBMITTED, Status.IN_PROGRESS),
        _move(4, Status.IN_PROGRESS, Status.WITHDRAWN, actor=COMPANY),
    ]

    steps = progress(request=_request(Status.WITHDRAWN), events=events)

    assert steps[3].state == "stopped" and steps[3].actor is COMPANY
    assert steps[3].outcome == Status.WITHDRAWN
