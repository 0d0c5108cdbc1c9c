"""The working calendar: holidays and make-up working days, set one by one or imported."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import working_calendar
from portal.errors import ValidationFailed
from portal.models import User
from web.deps import CurrentAdmin, LanguageDep, SessionDep
from web.forms import Text
from web.i18n import UiLanguage
from web.numbers import parse_int
from web.pages import admin_page

router = APIRouter(prefix="/admin", tags=["admin"])
MAX_IMPORT_BYTES = 256 * 1024


# --- working calendar ----------------------------------------------------------------------


def _holidays_page(
    request: Request, session: Any, user: User, language: UiLanguage, year: int, **extra: Any
) -> Response:
    today = date.today()
    context = {
        "year": year,
        "years": list(working_calendar.years_around(today)),
        "days": working_calendar.days_of(session=session, years=range(year, year + 1)),
        "published": working_calendar.published(year),
        "missing": working_calendar.missing_next_year(session=session, today=today),
        "overrides": working_calendar.list_overrides(session=session, actor=user),
    }
    extra["values"] = extra.get("values") or {"kind": "holiday"}
    return admin_page(request, "admin/holidays.html", context, language, **extra)


def _year(raw: str | None) -> int:
    value = parse_int(raw or "", field="year", minimum=2000, maximum=2100)
    return value or date.today().year


@router.get("/holidays", response_class=HTMLResponse)
def holidays_list(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    year: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    """Show the year's holidays and 调休 days, their source, and the overrides, with a form."""
    return _holidays_page(request, session, user, language, _year(year))


@router.post("/holidays", response_class=HTMLResponse)
def holiday_set(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    day: Annotated[str, Form(max_length=10)] = "",
    name: Text = "",
    kind: Annotated[str, Form(max_length=10)] = "holiday",
) -> Response:
    """Make a day a holiday or a working day, whatever the package says."""
    try:
        parsed = date.fromisoformat(day) if day else None
    except ValueError:
        parsed = None
    try:
        if day and parsed is None:
            raise ValidationFailed({"day": "invalid_date"})
        working_calendar.set_override(
            session=session, actor=user, day=parsed, name=name, working=kind == "workday"
        )
    except ValidationFailed as failure:
        values = {"day": day, "name": name, "kind": kind}
        year = parsed.year if parsed else date.today().year
        return _holidays_page(
            request,
            session,
            user,
            language,
            year,
            values=values,
            row="new",
            errors=failure.errors,
            status_code=422,
        )
    return RedirectResponse(
        f"/admin/holidays?year={parsed.year}" if parsed else "/admin/holidays", status_code=303
    )


@router.post("/holidays/{day}/delete")
def holiday_delete(day: str, session: SessionDep, user: CurrentAdmin) -> Response:
    """Remove an override: the package's calendar applies to that day again."""
    try:
        parsed = date.fromisoformat(day[:10])
    except ValueError:
        raise ValidationFailed({"day": "invalid_date"}) from None
    working_calendar.delete_override(session=session, actor=user, day=parsed)
    return RedirectResponse(f"/admin/holidays?year={parsed.year}", status_code=303)


@router.post("/holidays/import", response_class=HTMLResponse)
async def holidays_import(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a CSV file of days (day,name,kind): every line or none."""
    raw = (await file.read(MAX_IMPORT_BYTES + 1)) if file is not None else b""
    try:
        if not raw:
            raise ValidationFailed({"file": "required"})
        if len(raw) > MAX_IMPORT_BYTES:
            raise ValidationFailed({"file": "file_too_large"})
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"file": "not_utf8"}) from None
        working_calendar.import_overrides(session=session, text=text, actor=user)
    except ValidationFailed as failure:
        return _holidays_page(
            request,
            session,
            user,
            language,
            date.today().year,
            row="import",
            errors=failure.errors,
            status_code=422,
        )
    return RedirectResponse("/admin/holidays?imported=1", status_code=303)
