"""What a request's page shows: to the company, and to staff with their tools around it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal import (
    accounts,
    attached_answers,
    canned,
    catalog,
    service_requests,
    service_specs,
    triage,
)
from portal.customers import customer_panel
from portal.errors import ValidationFailed
from portal.models import ServiceRequest
from portal.progress import progress
from portal.sla import WorkingCalendar
from portal.workflow import FINAL, OPEN, TRANSITIONS, Priority, Status
from web.clock import sla_of
from web.i18n import UiLanguage, translate
from web.views.audit import Names, audit_rows
from web.views.display import local_time, pick


def detail_context(
    *, session: Any, user: Any, item: ServiceRequest, calendar: WorkingCalendar
) -> dict[str, Any]:
    """What the request page shows the company (and staff build on)."""
    spec = service_specs.spec_for(service_code=item.service_code)
    timeline = service_requests.timeline(session=session, user=user, request=item)
    return {
        "item": item,
        "spec": spec,
        "sla": sla_of(item, calendar),
        "calendar": calendar,
        "timeline": timeline,
        "steps": progress(request=item, events=[e.event for e in timeline if e.event]),
        "attached_answers_rows": attached_answers.list_for_request(
            session=session, user=user, request=item
        ),
        "is_open": Status(item.status) in OPEN,
        "is_final": Status(item.status) in FINAL,
    }


def staff_context(
    *,
    session: Any,
    user: Any,
    item: ServiceRequest,
    calendar: Any,
    language: UiLanguage,
    canned_id: int | None = None,
) -> dict[str, Any]:
    """Everything the staff request page shows (also re-rendered by its forms on errors)."""
    context = detail_context(session=session, user=user, item=item, calendar=calendar)
    try:
        suggestion = triage.get_suggestion(session=session, actor=user, request=item)
    except ValidationFailed:
        suggestion = None
    replies = canned.list_replies(session=session, actor=user)
    body = next((r.body for r in replies if r.id == canned_id), "")
    context.update(
        suggestion=suggestion,
        transitions=sorted(TRANSITIONS[Status(item.status)], key=list(Status).index),
        staff=accounts.list_staff(session=session),
        services=catalog.list_services(session=session),
        teams=catalog.team_names(session=session),
        priorities=list(Priority),
        canned=replies,
        values={"body": body},
        errors={},
        audit=audit_rows(
            [e.event for e in context["timeline"] if e.event is not None],
            names=code_names(session=session, language=language),
            language=language,
        ),
        service_names={
            s.code: pick(s, language)
            for s in catalog.list_services(session=session, include_inactive=True)
        },
        customer=customer_panel(session=session, actor=user, request=item),
        merge_errors={},
        merge_value="",
    )
    return context


def code_names(*, session: Any, language: UiLanguage) -> Names:
    """What the codes and ids in audit events and the CSV stand for, in the page's language."""
    index = 0 if language == "zh" else 1
    return Names(
        services={
            s.code: pick(s, language)
            for s in catalog.list_services(session=session, include_inactive=True)
        },
        teams={code: names[index] for code, names in catalog.team_names(session=session).items()},
        users={u.id: u.name for u in accounts.list_staff(session=session, include_inactive=True)},
        unassigned=translate("staff.unassigned", language),
        moment=lambda value: local_time(
            datetime.fromisoformat(value) if isinstance(value, str) else value
        ),
    )
