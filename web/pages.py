"""Pages of the portal: `page` renders a template with the helpers request pages use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from portal import catalog
from portal.sla import as_utc
from web.i18n import UiLanguage
from web.templating import render
from web.views.progress import calendar_text, clock_texts, working_hours_text


def local_time(moment: datetime | None) -> str:
    """A moment as the center's local time (Asia/Shanghai), to the minute."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(catalog.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def pick(obj: Any, language: str, attr: str = "name") -> str:
    """The zh or en variant of a bilingual attribute (name_zh / name_en, label_zh …)."""
    return getattr(obj, f"{attr}_{language}", "") or getattr(obj, f"{attr}_zh", "")


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    language: UiLanguage,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a request page with the helpers every request template uses."""
    helpers: dict[str, Any] = {
        "local_time": local_time,
        "pick": lambda obj, attr="name": pick(obj, language, attr),
        "hm": lambda seconds: divmod(abs(int(seconds)) // 60, 60),
        "hours_text": lambda seconds: working_hours_text(seconds, language),
        "clocks": lambda sla, calendar: clock_texts(sla, calendar, language),
        "calendar_line": lambda calendar: calendar_text(calendar, language),
    }
    return render(
        request,
        template,
        {**helpers, **context},
        language=language,
        block=block,
        status_code=status_code,
    )


def admin_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    language: UiLanguage,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    row: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render an admin page; `row` names the form that `errors` and `values` belong to."""
    context = {**context, "values": values or {}, "errors": errors or {}, "error_row": row}
    return page(request, template, context, language=language, status_code=status_code)
