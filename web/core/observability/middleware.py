"""The request middleware: a request id, one access log line and the HTTP latency metric.

Every request gets an id (a sane incoming `X-Request-ID`, else a new one), echoed in the
response and put on every log line written while the request runs. One access line per
request names the route template, never the raw path: no query string, no cookie, no header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.core.observability.logs import request_id_var
from web.core.observability.metrics import Metrics

access_log = logging.getLogger("web.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# Probes run every few seconds: their access lines are DEBUG, everything else INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def route_template(scope: Scope) -> str:
    """The matched route's path template (bounded label values), never the raw path."""
    route = scope.get("route")
    if route is None and scope.get("endpoint") is not None:
        # Routes that are not API routes (mounts, the OpenAPI page) only leave their endpoint.
        endpoint = scope["endpoint"]
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            if getattr(candidate, "endpoint", None) is endpoint or (
                getattr(candidate, "app", None) is endpoint
            ):
                route = candidate
                break
    if route is None:
        return "unmatched"
    path = getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"
    return path  # a mount's path_format is already "/static/{path}"


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1").strip()
            return candidate if _SANE_ID.fullmatch(candidate) else None
    return None


class RequestObserver:
    """ASGI middleware: request id, one access log line, and the HTTP latency metric."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with its id in context, then log and measure it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # unless a response starts: an unhandled error
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope.get("method", "GET")
            self.metrics.observe_request(method=method, route=route, status=status, seconds=seconds)
            access_log.log(
                logging.DEBUG if route in QUIET_ROUTES else logging.INFO,
                "%s %s %d %.1fms",
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id_var.reset(token)
