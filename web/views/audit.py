"""The audit trail as staff read it: event names and before/after values in words, not JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.labels import Language, label
from portal.models import Event


@dataclass(frozen=True)
class AuditRow:
    """One row of the audit table."""

    at: datetime
    actor: str | None  # None: the system
    what: str
    note: str | None
    before: str
    after: str


@dataclass(frozen=True)
class Names:
    """What codes and ids in events stand for: services, teams and staff, by language."""

    services: Mapping[str, str]
    teams: Mapping[str, str]
    users: Mapping[int, str]
    unassigned: str
    moment: Callable[[Any], str]  # an ISO timestamp or datetime as the center's local time


def _size(value: Any) -> str:
    size = int(value or 0)
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


def _field(key: str, value: Any, names: Names, language: Language) -> str:
    """One value of a before/after dict, in words."""
    if value is None or value == "":
        return "—"
    if key == "status":
        return label("status", value, language)
    if key == "priority":
        return label("priority", value, language)
    if key in ("service_code", "service"):
        return names.services.get(str(value), str(value))
    if key in ("team", "team_code"):
        return names.teams.get(str(value), str(value))
    if key == "size":
        return _size(value)
    if key == "change":
        return label("answer_change", value, language)
    if key == "role":
        return label("role", value, language)
    if key == "sources" and isinstance(value, list):
        return ", ".join(f"{s.get('document_id')} v{s.get('version')}" for s in value)
    if isinstance(value, bool):
        return label("boolean", value, language)
    return str(value)


def _value(kind: str, value: Any, names: Names, language: Language) -> str:
    """An event's before or after value, in words."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if kind.startswith("message_"):
            return ""  # the message itself is on the timeline
        separator, colon = ("；", "：") if language == "zh" else ("; ", ": ")
        return separator.join(
            f"{label('field', k, language)}{colon}{_field(k, v, names, language)}"
            for k, v in value.items()
        )
    if kind == "status":
        return label("status", value, language)
    if kind == "priority":
        return label("priority", value, language)
    if kind == "assigned":
        return names.users.get(int(value), f"#{value}")
    if kind == "service":
        return names.services.get(str(value), str(value))
    if kind == "team":
        return names.teams.get(str(value), str(value))
    if kind == "first_response":
        return names.moment(value)
    if kind == "rated":
        return f"{value}/5"
    return str(value)


def audit_rows(events: Iterable[Event], *, names: Names, language: Language) -> list[AuditRow]:
    """Turn a request's events into readable audit rows, oldest first."""
    rows = []
    for e in events:
        before = _value(e.kind, e.before, names, language)
        if e.kind == "assigned" and e.before is None:
            before = names.unassigned
        after = _value(e.kind, e.after, names, language)
        if e.kind == "assigned" and e.after is None:
            after = names.unassigned
        rows.append(
            AuditRow(
                at=e.at,
                actor=e.actor.name if e.actor else None,
                what=label("event", e.kind, language),
                note=e.note,
                before=before,
                after=after,
            )
        )
    return rows
