"""The completeness check before submitting (一次性告知): one list of what is still missing.

Built from the service's guide: the request's title and description, every required field
and every required material, each ticked once it is provided and linked to the guide's clause.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from portal.service_specs import ServiceSpec

ItemKind = Literal["basic", "field", "material"]
# The two texts every request has, besides the service's own fields.
BASICS: tuple[tuple[str, str, str], ...] = (
    ("title", "申请标题", "Title"),
    ("description", "需求描述", "Describe what you need"),
)


@dataclass(frozen=True)
class ChecklistItem:
    """One thing the form needs: its control, its names, whether it is there yet."""

    kind: ItemKind
    name: str  # the form control's name: title, a field's name, or material_<key>
    label_zh: str
    label_en: str
    required: bool
    provided: bool
    clause: str  # the anchor of the guide's clause this item comes from


@dataclass(frozen=True)
class Checklist:
    """Everything a service's form needs, in the guide's order."""

    items: tuple[ChecklistItem, ...]

    @property
    def missing(self) -> tuple[ChecklistItem, ...]:
        """The required items not provided yet."""
        return tuple(i for i in self.items if i.required and not i.provided)

    @property
    def complete(self) -> bool:
        """Whether every required item is provided."""
        return not self.missing


def slot_name(key: str) -> str:
    """The form control of a material's upload slot."""
    return f"material_{key}"


def _given(value: object) -> bool:
    if isinstance(value, list | tuple):
        return any(str(v).strip() for v in value)
    return bool(str(value).strip()) if value is not None else False


def check(
    *, spec: ServiceSpec, values: Mapping[str, object], materials: Collection[str] = ()
) -> Checklist:
    """Return the checklist of a form's values and the materials already provided (their keys)."""
    items = [
        ChecklistItem("basic", name, zh, en, True, _given(values.get(name)), "apply")
        for name, zh, en in BASICS
    ]
    for fs in spec.fields:
        if fs.kind == "boolean":
            continue  # a yes/no box always has an answer
        items.append(
            ChecklistItem(
                "field",
                fs.name,
                fs.label_zh,
                fs.label_en,
                fs.required,
                _given(values.get(fs.name)),
                "fields",
            )
        )
    for a in spec.attachments:
        items.append(
            ChecklistItem(
                "material",
                slot_name(a.key),
                a.label_zh,
                a.label_en,
                a.required,
                a.key in materials,
                f"material-{a.key}",
            )
        )
    return Checklist(tuple(items))
