"""Staff handling of a request: who works on it, how urgent it is, which service it is for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal import catalog, notifications, texts
from portal.errors import ValidationFailed
from portal.models import ServiceRequest, User
from portal.tracking import ensure_staff, ensure_visible, record_event
from portal.workflow import Priority


def assign(
    *, session: Session, actor: User, request: ServiceRequest, assignee_id: int | None
) -> ServiceRequest:
    """Assign the request to a staff member (None unassigns)."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.is_staff or not assignee.active:
            raise ValidationFailed({"assignee_id": "not_staff"})
    before = request.assignee_id
    if before == assignee_id:
        return request
    request.assignee_id = assignee_id
    record_event(
        session=session,
        request=request,
        actor=actor,
        kind="assigned",
        before=before,
        after=assignee_id,
    )
    if assignee_id is not None and assignee_id != actor.id:
        notifications.enqueue(
            session=session,
            user_ids=[assignee_id],
            subject=texts.ASSIGNED_SUBJECT.format(number=request.tracking_number),
            body=request.title,
            request_id=request.id,
        )
    session.commit()
    session.refresh(request)
    return request


def claim(*, session: Session, actor: User, request: ServiceRequest) -> ServiceRequest:
    """Assign the request to the acting staff member."""
    return assign(session=session, actor=actor, request=request, assignee_id=actor.id)


def set_priority(
    *, session: Session, actor: User, request: ServiceRequest, priority: Priority
) -> ServiceRequest:
    """Change the request's priority (and so its SLA targets)."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    priority = Priority(priority)
    if request.priority != priority:
        before = Priority(request.priority).value
        request.priority = priority
        record_event(
            session=session,
            request=request,
            actor=actor,
            kind="priority",
            before=before,
            after=priority.value,
        )
        session.commit()
    return request


def set_service(
    *, session: Session, actor: User, request: ServiceRequest, service_code: str
) -> ServiceRequest:
    """Move the request to another service, and to that service's team."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    service = catalog.get_service(session=session, service_code=service_code)
    if request.service_code != service_code:
        record_event(
            session=session,
            request=request,
            actor=actor,
            kind="service",
            before=request.service_code,
            after=service_code,
        )
        request.service_code = service_code
        if service.team_code and service.team_code != request.team_code:
            record_event(
                session=session,
                request=request,
                actor=actor,
                kind="team",
                before=request.team_code,
                after=service.team_code,
            )
            request.team_code = service.team_code
        session.commit()
        session.refresh(request)
    return request
