"""Pages of the portal: `page` renders a template with the helpers request pages use."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from web.i18n import UiLanguage
from web.templating import render
from web.views.display import local_time, pick
from web.views.progress import calendar_text, clock_texts, working_hours_text


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
