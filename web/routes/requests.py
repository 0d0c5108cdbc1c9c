"""The company's service requests: list, new-request form, request page, replies, files.

The answers suggested while the company types are in request_suggestions.py."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import (
    catalog,
    completeness,
    deflection,
    request_files,
    request_messages,
    request_transitions,
    service_requests,
    service_specs,
)
from portal.errors import NotFound as DomainNotFound
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import ServiceRequest
from web import auth, material_uploads
from web.clock import sla_of
from web.deps import (
    CalendarDep,
    CurrentUser,
    FormDep,
    LanguageDep,
    PortalDep,
    SessionDep,
    VisibleRequest,
)
from web.exceptions import NotFound
from web.forms import SubmittedForm
from web.numbers import parse_int
from web.pages import page
from web.views import answers
from web.views.request_detail import detail_context

router = APIRouter(tags=["requests"])


# --- list -----------------------------------------------------------------------------------


@router.get("/requests", response_class=HTMLResponse)
def my_requests(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    language: LanguageDep,
    calendar: CalendarDep,
) -> Response:
    """List the company's requests: tracking number, service, status, SLA, last update."""
    items = service_requests.list_for_user(session=session, user=user)
    rows = [(item, sla_of(item, calendar)) for item in items]
    return page(request, "requests/list.html", {"rows": rows}, language=language)


# --- new request ----------------------------------------------------------------------------


def _form_context(
    *,
    service_code: str | None,
    session: Any,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    key: str | None = None,
    deflection_id: str = "",
    answer: Any = None,
    slots: material_uploads.SlotResult | None = None,
) -> dict[str, Any]:
    spec = None
    service = None
    checklist = None
    if service_code:
        spec = service_specs.spec_for(service_code=service_code)
        service = catalog.get_service(session=session, service_code=service_code)
        checklist = completeness.check(
            spec=spec, values=values or {}, materials=slots.materials if slots else ()
        )
    return {
        "checklist": checklist,
        "kept": slots.materials if slots else {},
        "kept_tokens": slots.tokens if slots else {},
        "services": catalog.list_services(session=session),
        "spec": spec,
        "service": service,
        "values": values or {},
        "errors": errors or {},
        "idempotency_key": key or secrets.token_urlsafe(24),
        "deflection_id": deflection_id,
        "answer": answer,  # an assistant answer to attach on submit (issue 4)
    }


@router.get("/requests/new", response_class=HTMLResponse)
def new_request(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    language: LanguageDep,
    service: Annotated[str | None, Query(max_length=60)] = None,
    answer: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """Show the catalog, or the chosen service's form; `answer` is attached on submit."""
    if user.is_staff:
        raise PermissionDenied("only company users submit requests")
    turn = None
    if answer:
        turn = answers.visible_answer(session=session, user=user, answer_id=answer)
    context = _form_context(service_code=service or None, session=session, answer=turn)
    return page(request, "requests/new.html", context, language=language)


@router.post("/requests", response_class=HTMLResponse)
def submit_request(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    language: LanguageDep,
    portal: PortalDep,
    form: FormDep,
) -> Response:
    """Submit a request; 303 to its page, or the form again with messages and kept values."""
    code = form.text("service_code")
    key = form.text("idempotency_key")
    deflection_id = _int_or_none(form.text("deflection_id"))
    try:
        spec = service_specs.spec_for(service_code=code)
    except DomainNotFound:
        return RedirectResponse("/requests/new", status_code=303)
    raw = {f.name: form.values.get(f.name, "") for f in spec.fields}
    answer_id = form.text("answer_id")[:33]
    # Checked before anything is created: an answer the company may not see is a 404.
    if answer_id:
        answers.visible_answer(session=session, user=user, answer_id=answer_id)
    # Each material's slot is checked on its own; good files are kept for a retry.
    slots = material_uploads.read_slots(
        request=request,
        user=user,
        store=portal.store,
        service_code=code,
        uploads=form.uploads,
        values=form.values,
    )
    missing = {
        completeness.slot_name(a.key): "required"
        for a in spec.attachments
        if a.required and a.key not in slots.materials
    }
    if slots.errors or missing:
        # Report every problem at once: the slots and whatever the fields lack.
        errors = {**_title_errors(form), **_field_errors(code, raw), **missing, **slots.errors}
        return _form_again(request, session, language, form, errors, slots)
    try:
        created = service_requests.submit(
            session=session,
            user=user,
            service_code=code,
            title=form.text("title"),
            description=form.text("description"),
            fields=raw,
            idempotency_key=key,
            files=form.files,
            store=portal.store,
            catalog_match=portal.catalog_match,
            materials=slots.materials,
            deflection_shown=deflection.shown_count(
                session=session, user=user, deflection_id=deflection_id
            ),
        )
    except ValidationFailed as failure:
        return _form_again(request, session, language, form, failure.errors, slots)
    deflection.link_request(
        session=session, user=user, deflection_id=deflection_id, request_id=created.id
    )
    if answer_id:
        answers.attach(session=session, user=user, request=created, answer_id=answer_id)
    return RedirectResponse(f"/requests/{quote(created.tracking_number)}?created=1", 303)


def _form_again(
    request: Request,
    session: Any,
    language: Any,
    form: SubmittedForm,
    errors: dict[str, str],
    slots: material_uploads.SlotResult | None = None,
) -> Response:
    code = form.text("service_code")
    answer_id = form.text("answer_id")[:33]
    context = _form_context(
        service_code=code,
        session=session,
        values=dict(form.values),
        errors=errors,
        key=form.text("idempotency_key"),
        deflection_id=form.text("deflection_id"),
        answer=answers.visible_answer(
            session=session, user=auth.current_user(request), answer_id=answer_id
        )
        if answer_id
        else None,
        slots=slots,
    )
    return page(request, "requests/new.html", context, language=language, status_code=422)


def _field_errors(code: str, raw: dict[str, Any]) -> dict[str, str]:
    try:
        catalog.validate_fields(service_code=code, raw=raw)
    except ValidationFailed as failure:
        return failure.errors
    return {}


def _title_errors(form: SubmittedForm) -> dict[str, str]:
    errors = {}
    for name in ("title", "description"):
        if not form.text(name).strip():
            errors[name] = "required"
    return errors


def _int_or_none(value: str) -> int | None:
    return parse_int(value, field="deflection_id", minimum=1)


# --- one request ----------------------------------------------------------------------------


@router.get("/requests/{tracking_number}", response_class=HTMLResponse)
def request_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: VisibleRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    created: bool = False,
    attached: bool = False,
) -> Response:
    """Show a request: details, timeline, SLA remaining, reply, withdraw and rating forms."""
    if user.is_staff:
        return RedirectResponse(f"/staff/requests/{quote(item.tracking_number)}", 303)
    context = detail_context(session=session, user=user, item=item, calendar=calendar)
    context.update(created=created, errors={}, values={}, attached=attached)
    return page(request, "requests/detail.html", context, language=language)


def _back(item: ServiceRequest, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/requests/{quote(item.tracking_number)}{anchor}", status_code=303)


@router.post("/requests/{tracking_number}/messages", response_class=HTMLResponse)
def reply(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: VisibleRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    portal: PortalDep,
    form: FormDep,
) -> Response:
    """Add information or files (answering the center moves it back to in progress)."""
    try:
        request_messages.add_message(
            session=session,
            user=user,
            request=item,
            body=form.text("body"),
            files=form.files,
            store=portal.store,
            calendar=calendar,
        )
    except ValidationFailed as failure:
        context = detail_context(session=session, user=user, item=item, calendar=calendar)
        context.update(created=False, errors=failure.errors, values={"body": form.text("body")})
        return page(request, "requests/detail.html", context, language=language, status_code=422)
    return _back(item, "#timeline")


@router.post("/requests/{tracking_number}/withdraw")
def withdraw(session: SessionDep, user: CurrentUser, item: VisibleRequest) -> Response:
    """Withdraw the request (only while it is open)."""
    request_transitions.withdraw(session=session, user=user, request=item)
    return _back(item)


@router.post("/requests/{tracking_number}/rating", response_class=HTMLResponse)
def rate(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    item: VisibleRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    rating: Annotated[str, Form(max_length=2)] = "",
    comment: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Rate a resolved request 1-5 with an optional comment."""
    try:
        stars = parse_int(rating, field="rating")
        if stars is None:
            raise ValidationFailed({"rating": "required"})
        service_requests.rate(
            session=session, user=user, request=item, rating=stars, comment=comment
        )
    except ValidationFailed as failure:
        context = detail_context(session=session, user=user, item=item, calendar=calendar)
        context.update(created=False, errors=failure.errors, values={"comment": comment})
        return page(request, "requests/detail.html", context, language=language, status_code=422)
    return _back(item, "#rating")


@router.get("/requests/{tracking_number}/attachments/{attachment_id}")
def download(
    attachment_id: int,
    session: SessionDep,
    user: CurrentUser,
    item: VisibleRequest,
    portal: PortalDep,
) -> Response:
    """Download an attachment the user may see (always as a download, never rendered)."""
    row = request_files.get_attachment(session=session, user=user, attachment_id=attachment_id)
    if row.request_id != item.id:
        raise NotFound("attachment", str(attachment_id))
    data = portal.store.read(row.sha256)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
