"""Security headers on every response: a strict CSP (no inline scripts), no framing, no sniffing."""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.errors import ValidationFailed

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # htmx and app.js are files; no inline script, no eval
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",  # chart bars set their width in a style attribute
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# The API reference page only (web.routes.api_docs): ReDoc injects its styles inline and runs
# its search in a worker made from a blob: URL. Scripts stay files of this site, as everywhere.
API_REFERENCE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """ASGI middleware adding the headers above unless a route set its own value."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name.encode(), value.encode())
                    for name, value in HEADERS.items()
                    if name.encode() not in present
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


NUL_REFUSED = "Text may not contain NUL characters."
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_nul_characters(request: Request) -> None:
    """App-wide: refuse NUL in the query, form fields or JSON text (422), before any is stored.

    No one types a NUL, and PostgreSQL cannot store one in a text column: accepted, it would
    end in a 500 there (and on SQLite be stored as invisible garbage). File uploads may hold
    any bytes; only text fields are checked.
    """
    if any("\x00" in value for _, value in request.query_params.multi_items()):
        raise ValidationFailed({"query": NUL_REFUSED})
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        if b"\\u0000" in (await request.body()).lower():
            raise ValidationFailed({"body": NUL_REFUSED})
    elif media in _FORM_TYPES:
        form = await request.form()  # cached: the route reads the same parsed form
        for name, value in form.multi_items():
            if isinstance(value, str) and "\x00" in value:
                raise ValidationFailed({name[:40]: NUL_REFUSED})
