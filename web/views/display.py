"""How the pages show a moment and a bilingual name: the center's local time, the zh/en variant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal import catalog
from portal.sla import as_utc


def local_time(moment: datetime | None) -> str:
    """A moment as the center's local time (Asia/Shanghai), to the minute."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(catalog.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def pick(obj: Any, language: str, attr: str = "name") -> str:
    """The zh or en variant of a bilingual attribute (name_zh / name_en, label_zh …)."""
    return getattr(obj, f"{attr}_{language}", "") or getattr(obj, f"{attr}_zh", "")
