"""The staff queue page: filters, saved views with counts, bulk actions; merging duplicates."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from portal import accounts, bulk, catalog, dashboard, merging, saved_views, service_requests
from portal.errors import NotFound as DomainNotFound
from portal.errors import ValidationFailed
from portal.models import User
from portal.saved_views import SLA_STATES, SORTS
from portal.sla import WorkingCalendar
from portal.workflow import Priority, Status
from web.clock import calendar_missing, now
from web.deps import (
    CalendarDep,
    CurrentStaff,
    FiltersDep,
    FormDep,
    LanguageDep,
    SessionDep,
    StaffRequest,
)
from web.i18n import UiLanguage
from web.numbers import parse_int
from web.pages import page
from web.views.request_detail import staff_context

router = APIRouter(prefix="/staff", tags=["staff"])


def _link(query: str, **changes: str) -> str:
    params = [(k, v) for k, v in parse_qsl(query) if k not in changes]
    params += [(k, v) for k, v in changes.items() if v]
    return "/staff/queue" + (f"?{urlencode(params)}" if params else "")


def _queue_page(
    request: Request,
    session: Session,
    user: User,
    language: UiLanguage,
    calendar: WorkingCalendar,
    filters: dashboard.QueueFilters,
    query: str,
    *,
    selected: frozenset[int] = frozenset(),
    refused: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    moment = now()
    result = dashboard.queue(
        session=session, user=user, filters=filters, now=moment, calendar=calendar
    )
    views = saved_views.list_views(session=session, actor=user)
    current = saved_views.normalise_query(query)
    context = {
        "result": result,
        "filters": filters,
        "query": query,
        "current_query": current,
        "views": views,
        "view_counts": saved_views.counts(
            session=session, actor=user, views=views, now=moment, calendar=calendar
        ),
        "services": catalog.list_services(session=session),
        "teams": catalog.team_names(session=session),
        "staff": accounts.list_staff(session=session),
        "statuses": list(Status),
        "priorities": list(Priority),
        "sorts": SORTS,
        "sla_states": SLA_STATES,
        "status_link": lambda s: _link(query, status=s),
        "selected": selected,
        "refused": refused or {},
        "errors": errors or {},
        "values": values or {},
        "done": request.query_params.get("done"),
        "calendar_missing": calendar_missing(session, moment),
    }
    return page(
        request,
        "staff/queue.html",
        context,
        language=language,
        block="results",
        status_code=status_code,
    )


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    calendar: CalendarDep,
    filters: FiltersDep,
) -> Response:
    """The triage queue: saved views, filters, counts, breaching first (htmx: the results)."""
    return _queue_page(request, session, user, language, calendar, filters, request.url.query)


def _back_to_queue(query: str, **extra: str) -> RedirectResponse:
    return RedirectResponse(_link(saved_views.normalise_query(query), **extra), status_code=303)


@router.post("/queue/bulk", response_class=HTMLResponse)
def bulk_action(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    calendar: CalendarDep,
    form: FormDep,
) -> Response:
    """Assign, reprioritise or move every selected request, or none of them (reasons shown)."""
    query = form.text("query")[:2000]
    raw_ids = form.values.get("selected", [])
    raw_ids = raw_ids if isinstance(raw_ids, list) else [raw_ids]
    action = form.text("action")
    values = {name: form.text(name) for name in ("assign_to", "priority_to", "status_to")}
    value = values.get(f"{action}_to", "")
    ids = [parse_int(raw, field="selected", minimum=1) for raw in raw_ids[: bulk.MAX_SELECTED + 1]]
    chosen = [i for i in ids if i is not None]
    note = form.text("note").strip()[:2000] or None
    try:
        outcome = bulk.apply(
            session=session,
            actor=user,
            request_ids=chosen,
            action=action,  # type: ignore[arg-type]
            value=value,
            note=note,
            now=now(),
            calendar=calendar,
        )
    except (bulk.BulkRefused, ValidationFailed) as failure:
        session.rollback()
        refused = failure.refused if isinstance(failure, bulk.BulkRefused) else {}
        errors = failure.errors if isinstance(failure, ValidationFailed) else {}
        filters = saved_views.filters_from_query(query)
        # The selection comes back as it was, except the refused rows (the template unticks
        # them): a second click then applies the change to the others.
        return _queue_page(
            request,
            session,
            user,
            language,
            calendar,
            filters,
            query,
            selected=frozenset(chosen),
            refused=refused,
            errors=errors,
            values={**values, "action": action},
            status_code=422,
        )
    return _back_to_queue(query, done=str(len(outcome.changed)))


@router.post("/views", response_class=HTMLResponse)
def create_view(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    calendar: CalendarDep,
    name: Annotated[str, Form(max_length=500)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
    shared: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Save the queue's current filters and sort as a personal or team view."""
    try:
        saved_views.create_view(
            session=session, actor=user, name=name, query=query, shared=shared == "1"
        )
    except ValidationFailed as failure:
        filters = saved_views.filters_from_query(query)
        values = {"view_name": name, "shared": shared}
        return _queue_page(
            request,
            session,
            user,
            language,
            calendar,
            filters,
            query,
            errors=failure.errors,
            values=values,
            status_code=422,
        )
    return _back_to_queue(query)


@router.post("/views/{view_id}/delete")
def delete_view(view_id: int, session: SessionDep, user: CurrentStaff) -> Response:
    """Delete a saved view (its owner; admins also shared ones)."""
    saved_views.delete_view(session=session, actor=user, view_id=view_id)
    return RedirectResponse("/staff/queue", status_code=303)


# --- merging a duplicate ------------------------------------------------------------------


@router.post("/requests/{tracking_number}/merge", response_class=HTMLResponse)
def merge_request(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    target: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Merge this request, a duplicate, into another of the company's requests."""
    number = target.strip().upper()[:30]
    try:
        if not number:
            raise ValidationFailed({"target": "required"})
        try:
            kept = service_requests.get_for_user(session=session, user=user, tracking_number=number)
        except DomainNotFound:
            raise ValidationFailed({"target": "merge_unknown"}) from None
        merging.merge(session=session, actor=user, duplicate=item, target=kept, now=now())
    except ValidationFailed as failure:
        session.rollback()
        context = staff_context(
            session=session, user=user, item=item, calendar=calendar, language=language
        )
        context.update(merge_errors=failure.errors, merge_value=target[:60])
        return page(request, "staff/request.html", context, language=language, status_code=422)
    return RedirectResponse(f"/staff/requests/{quote(kept.tracking_number)}#timeline", 303)
