"""A request's status changes: the transition table applied, with its clocks and notices.

Who may move a request where is `portal.workflow`'s table; here a move also pauses and
resumes the SLA clock (awaiting the company), stamps resolution and closing, records the
event and tells the company in words.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal import notifications, texts
from portal.errors import PermissionDenied
from portal.models import ServiceRequest, User
from portal.sla import WorkingCalendar, moment_or_now
from portal.tracking import ensure_visible, record_event
from portal.workflow import COMPANY_STEPS, FINAL, Status, check_transition

# Staff steps that answer the company count as the first response.
_RESPONDING = frozenset({Status.AWAITING_COMPANY, Status.RESOLVED, Status.REJECTED})


def move(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    target: Status,
    note: str | None,
    now: datetime,
    calendar: WorkingCalendar | None,
) -> None:
    """Move the request to `target` (checked), with its clocks, event and notice; no commit."""
    current = Status(request.status)
    check_transition(current, target)
    if not actor.is_staff and (current, target) not in COMPANY_STEPS:
        raise PermissionDenied(f"only the center can move a request from {current} to {target}")
    if current == Status.AWAITING_COMPANY and request.awaiting_since is not None:
        cal = calendar or WorkingCalendar.load(session=session)
        request.paused_seconds = (request.paused_seconds or 0) + cal.business_seconds(
            request.awaiting_since, now
        )
        request.awaiting_since = None
    if target == Status.AWAITING_COMPANY:
        request.awaiting_since = now
    if target == Status.RESOLVED:
        request.resolved_at = now
    elif target == Status.IN_PROGRESS and current == Status.RESOLVED:
        request.resolved_at = None  # reopened: the resolution clock runs again
    if target in FINAL:
        request.closed_at = now
    if actor.is_staff and target in _RESPONDING and request.first_response_at is None:
        request.first_response_at = now
    request.status = target
    record_event(
        session=session,
        request=request,
        actor=actor,
        kind="status",
        before=current.value,
        after=target.value,
        note=note,
    )
    text = texts.status_changed(number=request.tracking_number, status=target, note=note)
    notifications.notify_company(
        session=session, request=request, actor=actor, subject=text.subject, body=text.body
    )


def transition(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    target: Status,
    note: str | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> ServiceRequest:
    """Move a request to another status if the table and the actor's role allow it."""
    stage_transition(
        session=session,
        actor=actor,
        request=request,
        target=target,
        note=note,
        now=now,
        calendar=calendar,
    )
    session.commit()
    return request


def stage_transition(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    target: Status,
    note: str | None = None,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """Move a request like `transition` but leave the commit to the caller (bulk actions)."""
    ensure_visible(user=actor, request=request)
    move(
        session=session,
        actor=actor,
        request=request,
        target=Status(target),
        note=note,
        now=moment_or_now(now),
        calendar=calendar,
    )


def withdraw(
    *, session: Session, user: User, request: ServiceRequest, note: str | None = None
) -> ServiceRequest:
    """Withdraw the company's own open request."""
    ensure_visible(user=user, request=request)
    if user.is_staff:
        raise PermissionDenied("staff reject requests; only the company withdraws")
    return transition(
        session=session, actor=user, request=request, target=Status.WITHDRAWN, note=note
    )
