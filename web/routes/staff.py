"""The staff console: a request's page and the actions on it (triage, assign, status,
messages), and the dashboard."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import (
    catalog,
    dashboard,
    material_requests,
    request_assignment,
    request_messages,
    request_transitions,
    saved_views,
    triage,
)
from portal.errors import ValidationFailed
from portal.models import ServiceRequest
from portal.workflow import Priority, Status
from web.clock import calendar_missing, now
from web.core import reply_drafting
from web.deps import (
    CalendarDep,
    CurrentStaff,
    FormDep,
    LanguageDep,
    PortalDep,
    SessionDep,
    StaffRequest,
    get_assistant_if_ready,
)
from web.numbers import parse_int
from web.pages import page
from web.views.charts import dashboard_charts
from web.views.display import pick
from web.views.request_detail import staff_context

router = APIRouter(prefix="/staff", tags=["staff"])
SORTS = saved_views.SORTS
SLA_STATES = saved_views.SLA_STATES


@router.get("/requests/{tracking_number}", response_class=HTMLResponse)
def request_page(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    canned_id: Annotated[int | None, Query(alias="canned")] = None,
) -> Response:
    """Everything about a request: timeline, internal notes, audit trail, triage, actions."""
    context = staff_context(
        session=session,
        user=user,
        item=item,
        calendar=calendar,
        language=language,
        canned_id=canned_id,
    )
    return page(request, "staff/request.html", context, language=language, block="reply_form")


def _back(item: ServiceRequest, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/staff/requests/{quote(item.tracking_number)}{anchor}", 303)


@router.post("/requests/{tracking_number}/triage/accept")
def accept_triage(session: SessionDep, user: CurrentStaff, item: StaffRequest) -> Response:
    """Apply the triage suggestion as proposed."""
    triage.accept(session=session, actor=user, request=item)
    return _back(item)


@router.post("/requests/{tracking_number}/triage/override")
def override_triage(
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    service_code: Annotated[str, Form(max_length=60)] = "",
    priority: Annotated[str, Form(max_length=10)] = "",
    team_code: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Apply staff's own service, priority or team instead of the suggestion (recorded)."""
    triage.override(
        session=session,
        actor=user,
        request=item,
        service_code=service_code or None,
        priority=Priority(priority) if priority in Priority._value2member_map_ else None,
        team_code=team_code or None,
        note=note.strip() or None,
    )
    return _back(item)


@router.post("/requests/{tracking_number}/claim")
def claim(session: SessionDep, user: CurrentStaff, item: StaffRequest) -> Response:
    """Take the request: assign it to yourself."""
    request_assignment.claim(session=session, actor=user, request=item)
    return _back(item)


@router.post("/requests/{tracking_number}/assign")
def assign(
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    assignee_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Assign the request to a colleague (empty: unassign)."""
    target = parse_int(assignee_id, field="assignee_id", minimum=1)
    request_assignment.assign(session=session, actor=user, request=item, assignee_id=target)
    return _back(item)


@router.post("/requests/{tracking_number}/priority")
def set_priority(
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    priority: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Change the priority (and so the SLA targets)."""
    if priority not in Priority._value2member_map_:
        raise ValidationFailed({"priority": "invalid_choice"})
    request_assignment.set_priority(
        session=session, actor=user, request=item, priority=Priority(priority)
    )
    return _back(item)


@router.post("/requests/{tracking_number}/status")
def change_status(
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    calendar: CalendarDep,
    target: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Move the request along the workflow (an illegal step answers 409 with the reason)."""
    if target not in Status._value2member_map_:
        raise ValidationFailed({"target": "invalid_choice"})
    request_transitions.transition(
        session=session,
        actor=user,
        request=item,
        target=Status(target),
        note=note.strip() or None,
        calendar=calendar,
    )
    return _back(item)


@router.post("/requests/{tracking_number}/messages", response_class=HTMLResponse)
def post_message(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    portal: PortalDep,
    form: FormDep,
) -> Response:
    """Post a public reply or an internal note (with @mentions), with optional files."""
    visibility = "internal" if form.text("visibility") == "internal" else "public"
    body = form.text("body")
    confirmed = form.text("figures_confirmed") == reply_drafting.fingerprint(body)
    if visibility == "public" and not confirmed:
        # Figures no source states are shown to staff first; they send anyway or edit.
        review = reply_drafting.review(assistant=get_assistant_if_ready(request), body=body)
        if review is not None:
            context = staff_context(
                session=session, user=user, item=item, calendar=calendar, language=language
            )
            context.update(
                values={"body": body},
                reply_review=review,
                figures_confirmed=reply_drafting.fingerprint(body),
            )
            return page(request, "staff/request.html", context, language=language, status_code=422)
    try:
        request_messages.add_message(
            session=session,
            user=user,
            request=item,
            body=form.text("body"),
            visibility=visibility,  # type: ignore[arg-type]
            files=form.files,
            store=portal.store,
            calendar=calendar,
        )
    except ValidationFailed as failure:
        context = staff_context(
            session=session, user=user, item=item, calendar=calendar, language=language
        )
        context.update(errors=failure.errors, values={"body": form.text("body")})
        return page(request, "staff/request.html", context, language=language, status_code=422)
    return _back(item, "#timeline")


# --- dashboard ------------------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    calendar: CalendarDep,
) -> Response:
    """Open requests by status and service, response times, SLA, ratings, deflection: charts."""
    stats = dashboard.stats(session=session, now=now(), calendar=calendar)
    names = {s.code: pick(s, language) for s in catalog.list_services(session=session)}
    by_service = sorted(stats.open_by_service.items(), key=lambda kv: -kv[1])
    context = {
        "stats": stats,
        "by_status": [
            (s.value, stats.open_by_status.get(s.value, 0))
            for s in Status
            if s.value in stats.open_by_status
        ],
        "by_service": [(names.get(code, code), n) for code, n in by_service],
        "per_day": list(stats.submitted_per_day.items()),
        "charts": dashboard_charts(stats),
        "extra_materials": [
            (names.get(c.service_code, c.service_code), c.count)
            for c in material_requests.extra_counts(session=session, actor=user)
        ],
        "calendar_missing": calendar_missing(session, now()),
    }
    return page(request, "staff/dashboard.html", context, language=language)
