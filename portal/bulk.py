"""Bulk actions on the staff queue: assign, change priority or status of several requests at once.

All or nothing: every request is checked first; if any cannot take the change, nothing is
changed and each refusal is reported with its reason. Each change is audited on its request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import notifications, request_transitions, texts
from portal.errors import PortalError, ValidationFailed
from portal.models import ServiceRequest, User
from portal.sla import WorkingCalendar
from portal.tracking import ensure_staff, record_event
from portal.workflow import TRANSITIONS, Priority, Status

Action = Literal["assign", "priority", "status"]
ACTIONS: tuple[Action, ...] = ("assign", "priority", "status")
MAX_SELECTED = 200


class BulkRefused(PortalError):
    """Some selected requests cannot take the change; `refused` maps tracking number to reason."""

    def __init__(self, refused: dict[str, str]) -> None:
        super().__init__(f"{len(refused)} of the selected requests cannot take this change")
        self.refused = refused


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action changed (tracking numbers) and what needed no change."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _selected(*, session: Session, request_ids: Sequence[int]) -> list[ServiceRequest]:
    ids = list(dict.fromkeys(request_ids))
    if not ids:
        raise ValidationFailed({"selected": "none_selected"})
    if len(ids) > MAX_SELECTED:
        raise ValidationFailed({"selected": "too_many_selected"})
    rows = list(session.scalars(select(ServiceRequest).where(ServiceRequest.id.in_(ids))).unique())
    if len(rows) != len(ids):
        raise ValidationFailed({"selected": "unknown_request"})
    return sorted(rows, key=lambda r: ids.index(r.id))


def apply(
    *,
    session: Session,
    actor: User,
    request_ids: Sequence[int],
    action: Action,
    value: str,
    note: str | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> BulkOutcome:
    """Apply one change to every selected request, or to none (BulkRefused says why)."""
    ensure_staff(user=actor)
    if action not in ACTIONS:
        raise ValidationFailed({"action": "invalid_choice"})
    rows = _selected(session=session, request_ids=request_ids)
    if action == "assign":
        return _assign(session=session, actor=actor, rows=rows, value=value)
    if action == "priority":
        if value not in Priority._value2member_map_:
            raise ValidationFailed({"value": "invalid_choice"})
        return _priority(session=session, actor=actor, rows=rows, priority=Priority(value))
    if value not in Status._value2member_map_:
        raise ValidationFailed({"value": "invalid_choice"})
    target = Status(value)
    refused = {
        r.tracking_number: "illegal_transition"
        for r in rows
        if r.status != target and target not in TRANSITIONS[Status(r.status)]
    }
    if refused:
        raise BulkRefused(refused)
    outcome = BulkOutcome()
    for r in rows:
        if r.status == target:
            outcome.unchanged.append(r.tracking_number)
            continue
        request_transitions.stage_transition(
            session=session,
            actor=actor,
            request=r,
            target=target,
            note=note,
            now=now,
            calendar=calendar,
        )
        outcome.changed.append(r.tracking_number)
    session.commit()
    return outcome


def _assign(
    *, session: Session, actor: User, rows: list[ServiceRequest], value: str
) -> BulkOutcome:
    assignee_id: int | None = None
    if value == "me":
        assignee_id = actor.id
    elif value:
        if not value.isdigit() or len(value) > 10:
            raise ValidationFailed({"value": "not_staff"})
        assignee = session.get(User, int(value))
        if assignee is None or not assignee.is_staff or not assignee.active:
            raise ValidationFailed({"value": "not_staff"})
        assignee_id = assignee.id
    outcome = BulkOutcome()
    for r in rows:
        if r.assignee_id == assignee_id:
            outcome.unchanged.append(r.tracking_number)
            continue
        record_event(
            session=session,
            request=r,
            actor=actor,
            kind="assigned",
            before=r.assignee_id,
            after=assignee_id,
        )
        r.assignee_id = assignee_id
        outcome.changed.append(r.tracking_number)
    if assignee_id is not None and assignee_id != actor.id and outcome.changed:
        numbers, n = ", ".join(outcome.changed), len(outcome.changed)
        notifications.enqueue(
            session=session,
            user_ids=[assignee_id],
            subject=texts.BULK_ASSIGNED_SUBJECT.format(count=n),
            body=numbers,
            request_id=None,
        )
    session.commit()
    return outcome


def _priority(
    *, session: Session, actor: User, rows: list[ServiceRequest], priority: Priority
) -> BulkOutcome:
    outcome = BulkOutcome()
    for r in rows:
        if r.priority == priority:
            outcome.unchanged.append(r.tracking_number)
            continue
        record_event(
            session=session,
            request=r,
            actor=actor,
            kind="priority",
            before=Priority(r.priority).value,
            after=priority.value,
        )
        r.priority = priority
        outcome.changed.append(r.tracking_number)
    session.commit()
    return outcome
