"""Jinja2 pages that render whole, or as one named block for htmx requests."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape

from portal import notifications
from portal.models import User
from web import auth
from web.i18n import UiLanguage, has_text, translate, translate_message, translate_plural
from web.i18n.labels import labeller

templates = Jinja2Blocks(directory=str(Path(__file__).parent / "templates"))
_MARKER = re.compile(r"\[(\d{1,2})\]")


def link_markers(text: str, prefix: str) -> Markup:
    """Escape an answer and turn its [n] markers into links to the citations."""
    return Markup(
        _MARKER.sub(
            lambda m: f'<a class="marker" href="#{prefix}-{m.group(1)}">[{m.group(1)}]</a>',
            str(escape(text)),
        )
    )


def switch_language_url(request: Request, language: UiLanguage) -> str:
    """The current page's address in the other language, keeping its query and fragment."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*query, ('lang', language)])}"


@pass_context
def csrf_input(context: Context, create: bool = False) -> Markup:
    """The hidden CSRF field of a state-changing form (`create`: also for a new visitor)."""
    token = context.get("csrf_token", "")
    if not token and create:
        token = auth.csrf_token(context["request"], create=True)
    return Markup('<input type="hidden" name="{}" value="{}">').format(auth.CSRF_FIELD, token)


def web_url(value: str | None) -> str:
    """`value` when it is an http(s) address, else "": data never becomes a javascript: link."""
    text = (value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def with_param(url: str, name: str, value: str | None) -> str:
    """`url` with `name=value` added to its query (before any #fragment); unchanged if no value."""
    if not value:
        return url
    path, hash_, fragment = url.partition("#")
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}{urlencode([(name, value)])}{hash_}{fragment}"


templates.env.filters["link_markers"] = link_markers
templates.env.filters["with_param"] = with_param
templates.env.filters["web_url"] = web_url
templates.env.globals["new_id"] = lambda: secrets.token_hex(4)
templates.env.globals["csrf_input"] = csrf_input
templates.env.globals["has_text"] = has_text  # the same in every language; macros see it too


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (and wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def _unread_count(request: Request, user: User) -> int:
    """How many of the signed-in user's notifications are unread (for the nav badge)."""
    with request.app.state.components.sessions() as session:
        return len(notifications.unread_for(session=session, user=user))


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
    user = auth.current_user(request)
    full_context = {
        "request": request,
        "lang": language,
        "t": lambda key, **values: translate(key, language, **values),
        "tn": lambda key, count, **values: translate_plural(key, language, count, **values),
        "tm": lambda message: translate_message(message, language),
        "label": labeller(language),
        "switch_url": switch_language_url(request, "en" if language == "zh" else "zh"),
        "csrf_token": auth.csrf_token(request),
        "current_user": user,
        "unread_count": _unread_count(request, user) if user is not None else 0,
        **context,
    }
    kwargs: dict[str, Any] = {"status_code": status_code}
    if block and is_htmx(request):
        kwargs["block_name"] = block
    # Starlette's template response is an HTMLResponse; jinja2-fragments types it as Response.
    response = cast(
        HTMLResponse, templates.TemplateResponse(request, template, full_context, **kwargs)
    )
    response.headers["Vary"] = "HX-Request, Accept-Language, Cookie"
    auth.attach_csrf_cookie(request, response)
    return response
