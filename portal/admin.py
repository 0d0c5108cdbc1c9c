"""Administration: teams, the catalog's routing and turnaround, and the center's staff.

Every function is for admins only (PermissionDenied otherwise) and writes an `admin.*` audit
event with the values before and after the change. Validation errors are language-neutral
keys (see web/i18n/portal.py), except those of accounts.create_user, which are its fixed
English messages.
"""

from __future__ import annotations

import re
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import accounts
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Service, Team, User
from portal.tracking import record_event

STAFF_ROLES: Final = ("staff", "admin")
MAX_TEAM_NAME = 100
MAX_TURNAROUND_DAYS = 365
MAX_POSITION = 10000
_TEAM_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}", re.ASCII)


class _Unset:
    """Marks a keyword that the caller did not give (None is a meaningful value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def ensure_admin(*, user: User) -> None:
    """Raise PermissionDenied unless the user is an active admin."""
    if user.role != "admin" or not user.active:
        raise PermissionDenied("this is for administrators")


# --- teams ---------------------------------------------------------------------------------


def _team_dict(team: Team) -> dict[str, str]:
    return {"code": team.code, "name_zh": team.name_zh, "name_en": team.name_en}


def _clean_names(name_zh: str, name_en: str) -> tuple[str, str, dict[str, str]]:
    names = {"name_zh": (name_zh or "").strip(), "name_en": (name_en or "").strip()}
    errors = {}
    for field, value in names.items():
        if not value:
            errors[field] = "required"
        elif len(value) > MAX_TEAM_NAME:
            errors[field] = "too_long"
    return names["name_zh"], names["name_en"], errors


def list_teams(*, session: Session, actor: User) -> list[Team]:
    """Return every team, by code."""
    ensure_admin(user=actor)
    return list(session.scalars(select(Team).order_by(Team.code)))


def create_team(*, session: Session, actor: User, code: str, name_zh: str, name_en: str) -> Team:
    """Add a team that services and staff can be routed to."""
    ensure_admin(user=actor)
    code = (code or "").strip()
    name_zh, name_en, errors = _clean_names(name_zh, name_en)
    if not _TEAM_CODE.fullmatch(code):
        errors["code"] = "invalid_team_code"
    elif session.get(Team, code) is not None:
        errors["code"] = "team_exists"
    if errors:
        raise ValidationFailed(errors)
    team = Team(code=code, name_zh=name_zh, name_en=name_en)
    session.add(team)
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="admin.team_created",
        after=_team_dict(team),
    )
    session.commit()
    return team


def rename_team(*, session: Session, actor: User, code: str, name_zh: str, name_en: str) -> Team:
    """Change a team's Chinese and English names."""
    ensure_admin(user=actor)
    team = session.get(Team, code)
    if team is None:
        raise NotFound(f"no team {code!r}")
    name_zh, name_en, errors = _clean_names(name_zh, name_en)
    if errors:
        raise ValidationFailed(errors)
    before = _team_dict(team)
    team.name_zh, team.name_en = name_zh, name_en
    if before != _team_dict(team):
        record_event(
            session=session,
            request=None,
            actor=actor,
            kind="admin.team_renamed",
            before=before,
            after=_team_dict(team),
        )
        session.commit()
    return team


# --- services ------------------------------------------------------------------------------


def _service_dict(service: Service) -> dict[str, Any]:
    return {
        "code": service.code,
        "active": service.active,
        "team_code": service.team_code,
        "turnaround_days": service.turnaround_days,
        "position": service.position,
    }


def list_services(*, session: Session, actor: User) -> list[Service]:
    """Return every service of the catalog, inactive ones included, in display order."""
    ensure_admin(user=actor)
    return list(session.scalars(select(Service).order_by(Service.position, Service.code)))


def update_service(
    *,
    session: Session,
    actor: User,
    service_code: str,
    active: bool | _Unset = UNSET,
    team_code: str | None | _Unset = UNSET,
    turnaround_days: int | None | _Unset = UNSET,
    position: int | _Unset = UNSET,
) -> Service:
    """Change what is given of a service: shown or hidden, its team, turnaround, position."""
    ensure_admin(user=actor)
    service = session.get(Service, service_code)
    if service is None:
        raise NotFound(f"no service {service_code!r}")
    errors: dict[str, str] = {}
    if not isinstance(team_code, _Unset) and team_code is not None:
        if session.get(Team, team_code) is None:
            errors["team_code"] = "unknown_team"
    if isinstance(turnaround_days, int) and not 1 <= turnaround_days <= MAX_TURNAROUND_DAYS:
        errors["turnaround_days"] = "out_of_range_days"
    if isinstance(position, int) and not 0 <= position <= MAX_POSITION:
        errors["position"] = "out_of_range_position"
    if errors:
        raise ValidationFailed(errors)
    before = _service_dict(service)
    if not isinstance(active, _Unset):
        service.active = bool(active)
    if not isinstance(team_code, _Unset):
        service.team_code = team_code
    if not isinstance(turnaround_days, _Unset):
        service.turnaround_days = turnaround_days
    if not isinstance(position, _Unset):
        service.position = position
    after = _service_dict(service)
    if before != after:
        record_event(
            session=session,
            request=None,
            actor=actor,
            kind="admin.service_updated",
            before=before,
            after=after,
        )
        session.commit()
    return service


# --- staff ---------------------------------------------------------------------------------


def _user_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "team_code": user.team_code,
        "active": user.active,
    }


def _staff_member(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound(f"no staff member {user_id}")
    return user


def list_staff(*, session: Session, actor: User) -> list[User]:
    """Return the center's staff and admins, deactivated ones included, by name."""
    ensure_admin(user=actor)
    return accounts.list_staff(session=session, include_inactive=True)


def create_staff(
    *,
    session: Session,
    actor: User,
    email: str,
    password: str,
    name: str,
    role: str = "staff",
    team_code: str | None = None,
) -> User:
    """Create a staff member or an admin (never a company user)."""
    ensure_admin(user=actor)
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": "invalid_role"})
    user = accounts.create_user(
        session=session,
        email=email,
        password=password,
        name=name,
        role=role,
        team_code=team_code or None,
    )
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="admin.user_created",
        after=_user_dict(user),
    )
    session.commit()
    return user


def update_staff(
    *,
    session: Session,
    actor: User,
    user_id: int,
    role: str | _Unset = UNSET,
    team_code: str | None | _Unset = UNSET,
) -> User:
    """Change a staff member's role (staff or admin) or team."""
    ensure_admin(user=actor)
    user = _staff_member(session, user_id)
    errors: dict[str, str] = {}
    if not isinstance(role, _Unset):
        if role not in STAFF_ROLES:
            errors["role"] = "invalid_role"
        elif user.id == actor.id and role != actor.role:
            errors["role"] = "not_yourself"  # an admin cannot lock themselves out
    if isinstance(team_code, str) and session.get(Team, team_code) is None:
        errors["team_code"] = "unknown_team"
    if errors:
        raise ValidationFailed(errors)
    before = _user_dict(user)
    if not isinstance(role, _Unset):
        user.role = role
    if not isinstance(team_code, _Unset):
        user.team_code = team_code
    if before != _user_dict(user):
        record_event(
            session=session,
            request=None,
            actor=actor,
            kind="admin.user_updated",
            before=before,
            after=_user_dict(user),
        )
        session.commit()
    return user


def set_staff_active(*, session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate a staff member (their sessions end at once) or reactivate them."""
    ensure_admin(user=actor)
    user = _staff_member(session, user_id)
    if user.id == actor.id and not active:
        raise ValidationFailed({"active": "not_yourself"})
    if user.active == active:
        return user
    before = _user_dict(user)
    after = {**before, "active": active}
    kind = "admin.user_reactivated" if active else "admin.user_deactivated"
    record_event(session=session, request=None, actor=actor, kind=kind, before=before, after=after)
    # set_active bumps session_version on deactivation and commits the event with it.
    return accounts.set_active(session=session, user_id=user.id, active=active)
