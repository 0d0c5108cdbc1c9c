"""The service catalog: services and teams in the database, and the check of a service's form.

The services' definitions (forms, materials, routing defaults) are data files read by
`portal.service_specs` (`service_specs.SPECS`, `service_specs.spec_for`).
Validation messages are language-neutral keys (their zh/en texts are `portal.texts.FIELD_ERRORS`),
so that `web` shows them in the user's language next to each field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import NotFound, ValidationFailed
from portal.models import Service, Team
from portal.service_specs import SPECS, TEAMS, FieldSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ServiceDocument(Protocol):
    """What sync_catalog needs of a knowledge-base document (DocumentRow fits)."""

    id: str
    title: str
    language: str
    category: str
    extra: dict[str, Any]


def sync_catalog(*, session: Session, documents: Iterable[ServiceDocument]) -> list[Service]:
    """Add missing teams and services; refresh names from the knowledge base's service documents.

    What admins set (team names, a service's team, turnaround and order) survives: only
    services and teams that do not exist yet get the defaults.
    """
    for code, (name_zh, name_en) in TEAMS.items():
        if session.get(Team, code) is None:
            session.add(Team(code=code, name_zh=name_zh, name_en=name_en))
    by_code: dict[str, dict[str, ServiceDocument]] = {}
    for doc in documents:
        service_code = (doc.extra or {}).get("service_code")
        if doc.category == "service" and isinstance(service_code, str) and service_code in SPECS:
            by_code.setdefault(service_code, {})[doc.language] = doc
    services = []
    for position, spec in enumerate(SPECS.values()):
        docs = by_code.get(spec.code, {})
        existing = session.get(Service, spec.code)
        service = existing or Service(code=spec.code, active=True)
        zh, en = docs.get("zh"), docs.get("en")
        service.name_zh = zh.title if zh else spec.name_zh
        service.name_en = en.title if en else spec.name_en
        if service.team_code is None:  # admins may re-route a service; keep their choice
            service.team_code = spec.team_code
        described_by = en or zh
        service.document_id = described_by.id if described_by else None
        if existing is None:
            days = next((d.extra.get("turnaround_days") for d in docs.values()), None)
            service.turnaround_days = days if isinstance(days, int) else spec.turnaround_days
            service.position = position
        session.add(service)
        services.append(service)
    session.commit()
    return services


def team_names(*, session: Session) -> dict[str, tuple[str, str]]:
    """Every team's (Chinese, English) name by code, as admins last set them."""
    return {
        t.code: (t.name_zh, t.name_en) for t in session.scalars(select(Team).order_by(Team.code))
    }


def list_services(*, session: Session, include_inactive: bool = False) -> list[Service]:
    """Return the catalog's services in display order."""
    stmt = select(Service).order_by(Service.position, Service.code)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list(session.scalars(stmt))


def get_service(*, session: Session, service_code: str) -> Service:
    """Return an active service, or raise NotFound."""
    service = session.get(Service, service_code)
    if service is None or not service.active:
        raise NotFound(f"no service {service_code!r}")
    return service


_INT = re.compile(r"-?[0-9]{1,9}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"1", "true", "on", "yes", "y"}
_FALSE = {"", "0", "false", "off", "no", "n"}


def validate_fields(
    *, service_code: str, raw: Mapping[str, str | list[str]], today: date | None = None
) -> dict[str, Any]:
    """Check a form against its service's fields; return clean values or raise ValidationFailed."""
    spec = SPECS.get(service_code)
    if spec is None:
        raise ValidationFailed({"service_code": "unknown_service"})
    today = today or datetime.now(SHANGHAI).date()
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for fs in spec.fields:
        try:
            value = _clean_one(fs, raw.get(fs.name), today)
        except _FieldError as exc:
            errors[fs.name] = exc.key
            continue
        if value is not None:
            clean[fs.name] = value
    if errors:
        raise ValidationFailed(errors)
    return clean


class _FieldError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _clean_one(fs: FieldSpec, value: object, today: date) -> Any:
    if fs.kind == "multiselect":
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        picked = [str(item).strip() for item in items if str(item).strip()]
        allowed = [c.value for c in fs.choices]
        if any(item not in allowed for item in picked):
            raise _FieldError("invalid_choice")
        if fs.required and not picked:
            raise _FieldError("required")
        return [v for v in allowed if v in picked] or None
    if isinstance(value, list):
        if len(value) > 1:
            raise _FieldError("not_a_single_value")
        value = value[0] if value else None
    text = value.strip() if isinstance(value, str) else ""
    if fs.kind == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise _FieldError("invalid_boolean")
    if not text:
        if fs.required:
            raise _FieldError("required")
        return None
    if _BAD_CHARS.search(text):
        raise _FieldError("invalid_characters")
    if fs.kind in ("text", "textarea"):
        if fs.max_length is not None and len(text) > fs.max_length:
            raise _FieldError("too_long")
        return text
    if fs.kind == "select":
        if text not in {c.value for c in fs.choices}:
            raise _FieldError("invalid_choice")
        return text
    if fs.kind == "integer":
        if not _INT.fullmatch(text):
            raise _FieldError("not_an_integer")
        number = int(text)
        if (fs.minimum is not None and number < fs.minimum) or (
            fs.maximum is not None and number > fs.maximum
        ):
            raise _FieldError("out_of_range")
        return number
    # date
    if not _DATE.fullmatch(text):
        raise _FieldError("invalid_date")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _FieldError("invalid_date") from None
    if fs.future_only and day < today:
        raise _FieldError("date_in_past")
    return day.isoformat()
