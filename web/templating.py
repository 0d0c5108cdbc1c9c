"""Jinja2 pages that render whole, or as one named block for htmx requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2_fragments.fastapi import Jinja2Blocks

from web.i18n import UiLanguage, translate

templates = Jinja2Blocks(directory=str(Path(__file__).parent / "templates"))


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (and wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    language: UiLanguage,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page, or only `block` of it when htmx asked; one URL, two representations."""
    full_context = {
        "request": request,
        "lang": language,
        "t": lambda key, **values: translate(key, language, **values),
        **context,
    }
    kwargs: dict[str, Any] = {"status_code": status_code}
    if block and is_htmx(request):
        kwargs["block_name"] = block
    response = templates.TemplateResponse(request, template, full_context, **kwargs)
    response.headers["Vary"] = "HX-Request, Accept-Language, Cookie"
    return response
