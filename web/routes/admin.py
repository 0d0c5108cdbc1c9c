"""Administration pages: staff accounts, teams, the catalog's routing, the working calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import admin, working_calendar
from portal.errors import ValidationFailed
from portal.models import User
from web.deps import CurrentAdmin, LanguageDep, SessionDep
from web.i18n import UiLanguage
from web.numbers import collect_int, parse_int
from web.pages import page

router = APIRouter(prefix="/admin", tags=["admin"])

Text = Annotated[str, Form(max_length=300)]
MAX_IMPORT_BYTES = 256 * 1024


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    language: UiLanguage,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    row: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render an admin page; `row` names the form that `errors` and `values` belong to."""
    context = {**context, "values": values or {}, "errors": errors or {}, "error_row": row}
    return page(request, template, context, language=language, status_code=status_code)


def _optional_int(raw: str, field: str, errors: dict[str, str]) -> int | None:
    return collect_int(raw, field=field, errors=errors, minimum=-999_999_999, maximum=999_999_999)


@router.get("")
def admin_home(user: CurrentAdmin) -> Response:
    """Open the staff page, the first of the administration pages."""
    return _redirect("/admin/staff")


# --- staff ---------------------------------------------------------------------------------


def _staff_page(
    request: Request, session: Any, user: User, language: UiLanguage, **extra: Any
) -> Response:
    context = {
        "staff": admin.list_staff(session=session, actor=user),
        "teams": admin.list_teams(session=session, actor=user),
        "roles": admin.STAFF_ROLES,
    }
    extra["values"] = extra.get("values") or {"role": "staff"}
    return _render(request, "admin/staff.html", context, language, **extra)


@router.get("/staff", response_class=HTMLResponse)
def staff_list(
    request: Request, session: SessionDep, user: CurrentAdmin, language: LanguageDep
) -> Response:
    """List the center's staff and admins, with a form for a new account."""
    return _staff_page(request, session, user, language)


@router.post("/staff", response_class=HTMLResponse)
def staff_create(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    email: Text = "",
    name: Text = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=10)] = "staff",
    team_code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Create a staff or admin account."""
    try:
        admin.create_staff(
            session=session,
            actor=user,
            email=email,
            password=password,
            name=name,
            role=role,
            team_code=team_code or None,
        )
    except ValidationFailed as failure:
        values = {"email": email, "name": name, "role": role, "team_code": team_code}
        return _staff_page(
            request,
            session,
            user,
            language,
            values=values,
            row="new",
            errors=failure.errors,
            status_code=422,
        )
    return _redirect("/admin/staff")


@router.post("/staff/{user_id}", response_class=HTMLResponse)
def staff_update(
    user_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    role: Annotated[str, Form(max_length=10)] = "",
    team_code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Change a staff member's role and team."""
    try:
        admin.update_staff(
            session=session, actor=user, user_id=user_id, role=role, team_code=team_code or None
        )
    except ValidationFailed as failure:
        return _staff_page(
            request,
            session,
            user,
            language,
            row=f"user-{user_id}",
            errors=failure.errors,
            status_code=422,
        )
    return _redirect("/admin/staff")


@router.post("/staff/{user_id}/active", response_class=HTMLResponse)
def staff_active(
    user_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Deactivate a staff member (ending their sessions) or reactivate them."""
    try:
        admin.set_staff_active(session=session, actor=user, user_id=user_id, active=active == "1")
    except ValidationFailed as failure:
        return _staff_page(
            request,
            session,
            user,
            language,
            row=f"user-{user_id}",
            errors=failure.errors,
            status_code=422,
        )
    return _redirect("/admin/staff")


# --- teams ---------------------------------------------------------------------------------


def _teams_page(
    request: Request, session: Any, user: User, language: UiLanguage, **extra: Any
) -> Response:
    context = {"teams": admin.list_teams(session=session, actor=user)}
    return _render(request, "admin/teams.html", context, language, **extra)


@router.get("/teams", response_class=HTMLResponse)
def teams_list(
    request: Request, session: SessionDep, user: CurrentAdmin, language: LanguageDep
) -> Response:
    """List the teams, with forms to rename them and to add one."""
    return _teams_page(request, session, user, language)


@router.post("/teams", response_class=HTMLResponse)
def team_create(
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    code: Annotated[str, Form(max_length=60)] = "",
    name_zh: Text = "",
    name_en: Text = "",
) -> Response:
    """Add a team."""
    try:
        admin.create_team(session=session, actor=user, code=code, name_zh=name_zh, name_en=name_en)
    except ValidationFailed as failure:
        values = {"code": code, "name_zh": name_zh, "name_en": name_en}
        return _teams_page(
            request,
            session,
            user,
            language,
            values=values,
            row="new",
            errors=failure.errors,
            status_code=422,
        )
    return _redirect("/admin/teams")


@router.post("/teams/{code}", response_class=HTMLResponse)
def team_rename(
    code: str,
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    name_zh: Text = "",
    name_en: Text = "",
) -> Response:
    """Rename a team."""
    try:
        admin.rename_team(
            session=session, actor=user, code=code[:40], name_zh=name_zh, name_en=name_en
        )
    except ValidationFailed as failure:
        values = {"name_zh": name_zh, "name_en": name_en}
        return _teams_page(
            request,
            session,
            user,
            language,
            values=values,
            row=f"team-{code}",
            errors=failure.errors,
            status_code=422,
        )
    return _redirect("/admin/teams")


# --- services ------------------------------------------------------------------------------


def _services_page(
    request: Request, session: Any, user: User, language: UiLanguage, **extra: Any
) -> Response:
    context = {
        "services": admin.list_services(session=session, actor=user),
        "teams": admin.list_teams(session=session, actor=user),
    }
    return _render(request, "admin/services.html", context, language, **extra)


@router.get("/services", response_class=HTMLResponse)
def services_list(
    request: Request, session: SessionDep, user: CurrentAdmin, language: LanguageDep
) -> Response:
    """List every service with its state, team, turnaround and position."""
    return _services_page(request, session, user, language)


@router.post("/services/{service_code}", response_class=HTMLResponse)
def service_update(
    service_code: str,
    request: Request,
    session: SessionDep,
    user: CurrentAdmin,
    language: LanguageDep,
    active: Annotated[str, Form(max_length=5)] = "",
    team_code: Annotated[str, Form(max_length=40)] = "",
    turnaround_days: Annotated[str, Form(max_length=20)] = "",
    position: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Show or hide a service, route it to a team, set its turnaround and position."""
    errors: dict[str, str] = {}
    days = _optional_int(turnaround_days, "turnaround_days", errors)
    order = _optional_int(position, "position", errors)
    try:
        if errors:
            raise ValidationFailed(errors)
        admin.update_service(
            session=session,
            actor=user,
            service_code=service_code[:60],
            active=active == "1",
            team_code=team_code or None,
            turnaround_days=days,
            position=order if order is not None else admin.UNSET,
        )
    except ValidationFailed as failure:
        values = {
            "active": active == "1",
            "team_code": team_code,
            "turnaround_days": turnaround_days,
            "position": position,
        }
        return _services_page(
            request,
            session,
            user,
            language,
            values=values,
            row=f"service-{service_code}",
            errors=failure.errors,
            status_code=422,
        )
    return _redirect("/admin/services")


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
    return _render(request, "admin/holidays.html", context, language, **extra)


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
    return _redirect(f"/admin/holidays?year={parsed.year}" if parsed else "/admin/holidays")


@router.post("/holidays/{day}/delete")
def holiday_delete(day: str, session: SessionDep, user: CurrentAdmin) -> Response:
    """Remove an override: the package's calendar applies to that day again."""
    try:
        parsed = date.fromisoformat(day[:10])
    except ValueError:
        raise ValidationFailed({"day": "invalid_date"}) from None
    working_calendar.delete_override(session=session, actor=user, day=parsed)
    return _redirect(f"/admin/holidays?year={parsed.year}")


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
    return _redirect("/admin/holidays?imported=1")
