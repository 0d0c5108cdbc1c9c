"""The request workflow: statuses, priorities and the transition table."""

from __future__ import annotations

from enum import StrEnum

from portal.errors import InvalidTransition


class Status(StrEnum):
    """Where a service request stands."""

    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    AWAITING_COMPANY = "awaiting_company"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Priority(StrEnum):
    """How urgent a request is; SLA targets depend on it."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


OPEN = frozenset({Status.SUBMITTED, Status.TRIAGED, Status.IN_PROGRESS, Status.AWAITING_COMPANY})
FINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset(
        {
            Status.TRIAGED,
            Status.IN_PROGRESS,
            Status.AWAITING_COMPANY,
            Status.REJECTED,
            Status.WITHDRAWN,
        }
    ),
    Status.TRIAGED: frozenset(
        {Status.IN_PROGRESS, Status.AWAITING_COMPANY, Status.REJECTED, Status.WITHDRAWN}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.AWAITING_COMPANY, Status.RESOLVED, Status.REJECTED, Status.WITHDRAWN}
    ),
    Status.AWAITING_COMPANY: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.WITHDRAWN}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

# Steps a company may take itself; every other step is the center's.
COMPANY_STEPS = frozenset(
    {
        (Status.AWAITING_COMPANY, Status.IN_PROGRESS),  # answering the center's question
        (Status.RESOLVED, Status.CLOSED),  # accepting the resolution
        (Status.RESOLVED, Status.IN_PROGRESS),  # reopening
    }
    | {(status, Status.WITHDRAWN) for status in OPEN}
)


def check_transition(current: Status, target: Status) -> None:
    """Raise InvalidTransition unless the table allows current -> target."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current.value, target.value)
