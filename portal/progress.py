"""Where a request stands as four steps: 提交 → 受理 → 办理 → 办结, with when and who.

Built from the request's status events (the audit trail), so the steps show the moment and
the person of each step as they happened; a reopened request's 办结 is undone again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from portal.models import Event, ServiceRequest, User
from portal.sla import as_utc
from portal.workflow import Status

StepKey = Literal["submitted", "accepted", "processing", "done"]
StepState = Literal["done", "current", "pending", "stopped", "skipped"]
STEPS: tuple[StepKey, ...] = ("submitted", "accepted", "processing", "done")

# A status event reaching one of these statuses completes the step.
_REACHES: dict[StepKey, frozenset[Status]] = {
    "accepted": frozenset(
        {Status.TRIAGED, Status.IN_PROGRESS, Status.AWAITING_COMPANY, Status.RESOLVED}
    ),
    "processing": frozenset({Status.IN_PROGRESS, Status.AWAITING_COMPANY, Status.RESOLVED}),
    "done": frozenset({Status.RESOLVED, Status.CLOSED}),
}
# The step that is under way in each open status.
_CURRENT: dict[Status, StepKey] = {
    Status.SUBMITTED: "accepted",
    Status.TRIAGED: "processing",
    Status.IN_PROGRESS: "processing",
    Status.AWAITING_COMPANY: "processing",
}
_STOPPED = frozenset({Status.REJECTED, Status.WITHDRAWN})


@dataclass(frozen=True)
class Step:
    """One step of the progress view."""

    key: StepKey
    state: StepState
    at: datetime | None = None  # when it was reached (or, for the current step, begun)
    actor: User | None = None  # who acted; None for the system
    outcome: Status | None = None  # rejected / withdrawn on a stopped step, awaiting on current


def progress(*, request: ServiceRequest, events: Iterable[Event]) -> list[Step]:
    """Return the four steps of a request from its status events."""
    events = list(events)
    submitted = next((e for e in events if e.kind == "submitted"), None)
    reached: dict[StepKey, tuple[datetime, User | None]] = {
        "submitted": (as_utc(request.created_at), submitted.actor if submitted else None)
    }
    stop: tuple[datetime, User | None] | None = None
    changes = sorted(
        (e for e in events if e.kind == "status"), key=lambda e: (as_utc(e.at), e.id or 0)
    )
    for event in changes:
        try:
            before, after = Status(event.before), Status(event.after)
        except ValueError:
            continue
        moment = (as_utc(event.at), event.actor)
        if before == Status.RESOLVED and after == Status.IN_PROGRESS:
            reached.pop("done", None)  # reopened: not finished any more
        for key, statuses in _REACHES.items():
            if after in statuses and key not in reached:  # closing keeps the resolution's date
                reached[key] = moment
        if after in _STOPPED:
            stop = moment
    status = Status(request.status)
    finished = request.resolved_at or request.closed_at
    if status in (Status.RESOLVED, Status.CLOSED) and "done" not in reached and finished:
        reached["done"] = (as_utc(finished), None)  # finished before events were kept
    steps: list[Step] = []
    if status in _STOPPED:
        stopped_at = next((k for k in STEPS if k not in reached), "done")
        for key in STEPS:
            if key in reached and key != stopped_at:
                steps.append(Step(key, "done", *reached[key]))
            elif key == stopped_at:
                at, actor = stop if stop else (None, None)
                steps.append(Step(key, "stopped", at, actor, outcome=status))
            else:
                steps.append(Step(key, "skipped"))
        return steps
    current = _CURRENT.get(status)
    for key in STEPS:
        if key == current:
            at, actor = reached.get(key, (None, None))
            outcome = status if status == Status.AWAITING_COMPANY else None
            steps.append(Step(key, "current", at, actor, outcome=outcome))
        elif key in reached and (current is None or STEPS.index(key) < STEPS.index(current)):
            steps.append(Step(key, "done", *reached[key]))
        else:
            steps.append(Step(key, "pending"))
    return steps
