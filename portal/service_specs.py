"""The services' forms, materials and teams as typed objects, read from ``portal/data/*.yaml``.

The definitions are data, reviewed and changed without reading Python:

- ``services.yaml``: one entry per service, in display order: names, team, default priority,
  turnaround, its form's fields and the materials (attachments) it asks for;
- ``fields.yaml``: fields several services share. A service lists a shared field by its name,
  or takes one with changes (``use: report_language`` plus the keys that differ);
- ``attachments.yaml``: materials several services share, listed by their key likewise;
- ``teams.yaml``: each team's default names (admins rename teams afterwards).

A choice is ``[value, 中文, English]``. The files are read once, when this module is imported,
and checked: a mistake stops the start with the file and the place in it (CatalogDataError).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from portal.errors import NotFound
from portal.workflow import Priority

FieldKind = Literal["text", "textarea", "select", "multiselect", "boolean", "integer", "date"]
DATA_DIR = Path(__file__).parent / "data"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


@dataclass(frozen=True)
class Choice:
    """One option of a select or multiselect field."""

    value: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class FieldSpec:
    """A typed field of a service's request form."""

    name: str
    label_zh: str
    label_en: str
    kind: FieldKind
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    future_only: bool = False  # dates: deadlines and bookings cannot lie in the past


@dataclass(frozen=True)
class AttachmentSpec:
    """A document the center needs (required) or finds useful (optional) for a service."""

    key: str
    label_zh: str
    label_en: str
    required: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    """Everything about a service's form that the knowledge base does not hold."""

    code: str
    name_zh: str
    name_en: str
    team_code: str
    default_priority: Priority
    turnaround_days: int
    fields: tuple[FieldSpec, ...]
    attachments: tuple[AttachmentSpec, ...] = field(default=())


@dataclass(frozen=True)
class Catalog:
    """The loaded data files: services by code (in display order) and teams' (zh, en) names."""

    services: dict[str, ServiceSpec]
    teams: dict[str, tuple[str, str]]


class CatalogDataError(ValueError):
    """A catalog data file is malformed; the message names the file and the place in it."""


_KINDS: frozenset[str] = frozenset(get_args(FieldKind))
_FIELD_KEYS = {f.name for f in fields(FieldSpec)}
_FIELD_OPTIONAL = _FIELD_KEYS - {"name", "label_zh", "label_en", "kind"}


def _fail(where: str, problem: str) -> CatalogDataError:
    return CatalogDataError(f"{where}: {problem}")


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _fail(where, "expected a mapping with text keys")
    return value


def _keys(data: Mapping[str, Any], where: str, *, required: set[str], optional: set[str]) -> None:
    missing = sorted(required - set(data))
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    unknown = sorted(set(data) - required - optional)
    if unknown:
        raise _fail(
            where, f"unknown key {', '.join(unknown)} (allowed: {sorted(required | optional)})"
        )


def _text(value: object, where: str) -> str:
    # YAML reads yes/no/on/off as booleans and 1.0 as a number: such a value must be quoted.
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected non-empty text, got {value!r} (quote it)")
    return value


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"expected a whole number, got {value!r}")
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, f"expected true or false, got {value!r}")
    return value


def _choices(value: object, where: str) -> tuple[Choice, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(where, "expected a list of [value, 中文, English]")
    out = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, list) or len(item) != 3:
            raise _fail(here, f"expected [value, 中文, English], got {item!r}")
        out.append(Choice(*(_text(part, here) for part in item)))
    values = [c.value for c in out]
    if len(values) != len(set(values)):
        raise _fail(where, "a choice value appears twice")
    return tuple(out)


def _field_changes(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check a field's keys (all but `name` optional here) and return them typed."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        here = f"{where}.{key}"
        if key in ("name", "label_zh", "label_en"):
            changes[key] = _text(value, here)
        elif key == "kind":
            if value not in _KINDS:
                raise _fail(here, f"unknown kind {value!r} (one of {sorted(_KINDS)})")
            changes[key] = value
        elif key in ("required", "future_only"):
            changes[key] = _bool(value, here)
        elif key in ("max_length", "minimum", "maximum"):
            changes[key] = _int(value, here)
        elif key == "choices":
            changes[key] = _choices(value, here)
        else:
            raise _fail(where, f"unknown key {key} (allowed: {sorted(_FIELD_KEYS)})")
    return changes


def _checked_field(spec: FieldSpec, where: str) -> FieldSpec:
    has_choices = spec.kind in ("select", "multiselect")
    if has_choices != bool(spec.choices):
        problem = "needs choices" if has_choices else "takes no choices"
        raise _fail(where, f"a {spec.kind} field {problem}")
    return spec


def _field(data: object, where: str, shared: Mapping[str, FieldSpec] | None = None) -> FieldSpec:
    if shared is not None and isinstance(data, str):
        if data not in shared:
            raise _fail(where, f"no shared field {data!r} in fields.yaml")
        return shared[data]
    data = _mapping(data, where)
    if shared is not None and "use" in data:
        base = _text(data["use"], f"{where}.use")
        if base not in shared:
            raise _fail(where, f"no shared field {base!r} in fields.yaml")
        rest = {k: v for k, v in data.items() if k != "use"}
        return _checked_field(replace(shared[base], **_field_changes(rest, where)), where)
    _keys(data, where, required={"name", "label_zh", "label_en", "kind"}, optional=_FIELD_OPTIONAL)
    return _checked_field(FieldSpec(**_field_changes(data, where)), where)


def _attachment(data: object, where: str) -> AttachmentSpec:
    data = _mapping(data, where)
    _keys(data, where, required={"key", "label_zh", "label_en"}, optional={"required"})
    return AttachmentSpec(
        key=_text(data["key"], f"{where}.key"),
        label_zh=_text(data["label_zh"], f"{where}.label_zh"),
        label_en=_text(data["label_en"], f"{where}.label_en"),
        required=_bool(data.get("required", False), f"{where}.required"),
    )


def _unique(names: list[str], where: str, what: str) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _fail(where, f"{what} {', '.join(twice)} appear(s) twice")


def _service(
    code: str,
    data: object,
    where: str,
    *,
    fields_by_name: Mapping[str, FieldSpec],
    attachments_by_key: Mapping[str, AttachmentSpec],
    teams: Mapping[str, tuple[str, str]],
) -> ServiceSpec:
    data = _mapping(data, where)
    _keys(
        data,
        where,
        required={"name_zh", "name_en", "team", "default_priority", "turnaround_days", "fields"},
        optional={"attachments"},
    )
    team = _text(data["team"], f"{where}.team")
    if team not in teams:
        raise _fail(f"{where}.team", f"no team {team!r} in teams.yaml")
    priorities = [p.value for p in Priority]
    if data["default_priority"] not in priorities:
        raise _fail(f"{where}.default_priority", f"expected one of {priorities}")
    raw_fields = data["fields"]
    if not isinstance(raw_fields, list) or not raw_fields:
        raise _fail(f"{where}.fields", "expected a non-empty list")
    form = tuple(
        _field(item, f"{where}.fields[{i}]", fields_by_name) for i, item in enumerate(raw_fields)
    )
    _unique([f.name for f in form], f"{where}.fields", "field")
    raw_attachments = data.get("attachments", [])
    if not isinstance(raw_attachments, list):
        raise _fail(f"{where}.attachments", "expected a list")
    materials: list[AttachmentSpec] = []
    for i, item in enumerate(raw_attachments):
        here = f"{where}.attachments[{i}]"
        if isinstance(item, str):
            if item not in attachments_by_key:
                raise _fail(here, f"no shared attachment {item!r} in attachments.yaml")
            materials.append(attachments_by_key[item])
        else:
            materials.append(_attachment(item, here))
    _unique([a.key for a in materials], f"{where}.attachments", "attachment")
    turnaround = _int(data["turnaround_days"], f"{where}.turnaround_days")
    if turnaround < 1:
        raise _fail(f"{where}.turnaround_days", "must be at least 1")
    return ServiceSpec(
        code=code,
        name_zh=_text(data["name_zh"], f"{where}.name_zh"),
        name_en=_text(data["name_en"], f"{where}.name_en"),
        team_code=team,
        default_priority=Priority(data["default_priority"]),
        turnaround_days=turnaround,
        fields=form,
        attachments=tuple(materials),
    )


def _read(folder: Path, name: str) -> Mapping[str, Any]:
    path = folder / name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CatalogDataError(f"{name}: not valid YAML: {exc}") from None
    return _mapping(data, name)


def load_catalog(folder: Path = DATA_DIR) -> Catalog:
    """Read and check the catalog's data files; raise CatalogDataError naming the mistake."""
    teams: dict[str, tuple[str, str]] = {}
    for code, data in _read(folder, "teams.yaml").items():
        where = f"teams.yaml: {code}"
        names = _mapping(data, where)
        _keys(names, where, required={"name_zh", "name_en"}, optional=set())
        teams[code] = (_text(names["name_zh"], where), _text(names["name_en"], where))
    shared_fields = {
        name: _field(
            {"name": name, **_mapping(data, f"fields.yaml: {name}")}, f"fields.yaml: {name}"
        )
        for name, data in _read(folder, "fields.yaml").items()
    }
    shared_attachments = {
        key: _attachment(
            {"key": key, **_mapping(data, f"attachments.yaml: {key}")}, f"attachments.yaml: {key}"
        )
        for key, data in _read(folder, "attachments.yaml").items()
    }
    services = {
        code: _service(
            code,
            data,
            f"services.yaml: {code}",
            fields_by_name=shared_fields,
            attachments_by_key=shared_attachments,
            teams=teams,
        )
        for code, data in _read(folder, "services.yaml").items()
    }
    return Catalog(services=services, teams=teams)


_CATALOG = load_catalog()
SPECS: dict[str, ServiceSpec] = _CATALOG.services
TEAMS: dict[str, tuple[str, str]] = _CATALOG.teams
SERVICE_CODES: tuple[str, ...] = tuple(SPECS)


def spec_for(*, service_code: str) -> ServiceSpec:
    """Return the form spec of a service, or raise NotFound."""
    spec = SPECS.get(service_code)
    if spec is None:
        raise NotFound(f"no service {service_code!r}")
    return spec
