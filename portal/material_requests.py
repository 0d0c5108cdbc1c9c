"""Staff asking a company for a material: the guide lists them, anything else needs a reason.

一次性告知: a company should learn everything it needs from the guide. When staff ask for a
material the guide does not list, they must say why; the reason is kept in the audit trail
and such extra requests are counted per service, so the guides can be completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import (
    request_messages,
    request_transitions,
    service_specs,
    texts,
)
from portal.errors import ValidationFailed
from portal.models import Event, ServiceRequest, User
from portal.sla import WorkingCalendar
from portal.tracking import ensure_staff, ensure_visible, record_event
from portal.workflow import TRANSITIONS, Status

LISTED = "material_requested"
EXTRA = "extra_material_requested"
OTHER = "_other"  # the form's choice for a material the guide does not list
MAX_NAME = 200
MAX_REASON = 2000


@dataclass(frozen=True)
class ExtraCount:
    """How often staff asked for materials a service's guide does not list."""

    service_code: str
    count: int


def ask(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    material: str,
    name: str = "",
    reason: str = "",
    calendar: WorkingCalendar | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Ask the company for a material; one the guide does not list needs a recorded reason."""
    ensure_staff(user=actor)
    ensure_visible(user=actor, request=request)
    spec = service_specs.spec_for(service_code=request.service_code)
    listed = {a.key: a for a in spec.attachments}
    name, reason = (name or "").strip(), (reason or "").strip()
    errors: dict[str, str] = {}
    if material in listed:
        label_zh, label_en = listed[material].label_zh, listed[material].label_en
    elif material == OTHER:
        if not name:
            errors["material_name"] = "material_name_required"
        elif len(name) > MAX_NAME:
            errors["material_name"] = "too_long"
        if not reason:
            errors["reason"] = "reason_required"
        label_zh = label_en = name
    else:
        errors["material"] = "invalid_choice"
        label_zh = label_en = ""
    if len(reason) > MAX_REASON:
        errors["reason"] = "too_long"
    if errors:
        raise ValidationFailed(errors)
    extra = material not in listed
    record_event(
        session=session,
        request=request,
        actor=actor,
        kind=EXTRA if extra else LISTED,
        after={"material": None if extra else material, "name": label_en},
        note=reason or None,
    )
    body = texts.MATERIAL_REQUESTED_BODY.format(label_zh=label_zh, label_en=label_en)
    if reason:
        body += f"\n\n{reason}"
    # The message commits the event with it and notifies the company.
    request_messages.add_message(
        session=session, user=actor, request=request, body=body, calendar=calendar, now=now
    )
    status = Status(request.status)
    if status != Status.AWAITING_COMPANY and Status.AWAITING_COMPANY in TRANSITIONS[status]:
        request_transitions.transition(
            session=session,
            actor=actor,
            request=request,
            target=Status.AWAITING_COMPANY,
            calendar=calendar,
            now=now,
        )
    return request


def extra_counts(*, session: Session, actor: User) -> list[ExtraCount]:
    """Count, per service, the materials staff asked for that its guide does not list."""
    ensure_staff(user=actor)
    rows = session.execute(
        select(ServiceRequest.service_code, func.count(Event.id))
        .join(ServiceRequest, Event.request_id == ServiceRequest.id)
        .where(Event.kind == EXTRA)
        .group_by(ServiceRequest.service_code)
        .order_by(func.count(Event.id).desc(), ServiceRequest.service_code)
    )
    return [ExtraCount(code, int(count)) for code, count in rows]
