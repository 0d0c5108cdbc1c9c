"""Administration pages: staff accounts, teams, the catalog's routing (holidays: admin_holidays)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import admin
from portal.errors import ValidationFailed
from portal.models import User
from web.deps import CurrentAdmin, LanguageDep, SessionDep
from web.forms import Text
from web.i18n import UiLanguage
from web.numbers import collect_int
from web.pages import admin_page

router = APIRouter(prefix="/admin", tags=["admin"])


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


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
    return admin_page(request, "admin/staff.html", context, language, **extra)


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
    return admin_page(request, "admin/teams.html", context, language, **extra)


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
    return admin_page(request, "admin/services.html", context, language, **extra)


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
