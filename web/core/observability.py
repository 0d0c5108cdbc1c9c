"""Logs, request ids and Prometheus metrics (the one home of prometheus_client).

Every request gets an id (a sane incoming `X-Request-ID`, else a new one), echoed in the
response and put on every log line written while the request runs. One access line per
request names the route template, never the raw path: no query string, no cookie, no header.
A redaction filter on the portal's log handler removes the configured secrets and anything
shaped like a password, token, cookie or credential before a line is written.

Metrics (docs/operations.md): HTTP latency by method, route template and status; answer
latency and answers by outcome and refusal reason; open requests by status and SLA breaches,
computed from the database at scrape time. With several worker processes, set
PROMETHEUS_MULTIPROC_DIR (`cgt-portal serve --workers N` does) and every worker's /metrics
answers for all of them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

from fastapi import FastAPI, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import dashboard
from portal.models import User
from portal.sla import WorkingCalendar
from portal.workflow import OPEN
from retrieval.cited_answer import Answer
from web.settings import DEVELOPMENT_SECRET, Settings

log = logging.getLogger(__name__)
access_log = logging.getLogger("web.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Probes run every few seconds: their access lines are DEBUG, everything else INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REFUSAL_REASONS = frozenset(
    {"no_match", "out_of_scope", "instructions", "missing_regulation", "no_such_article"}
)


def current_request_id() -> str:
    """The id of the request being served ('-' outside a request)."""
    return _request_id.get()


# --- redaction -------------------------------------------------------------------------------

REDACTED = "[REDACTED]"
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_KEYS = (
    r"(?:password|passwd|pwd|secret|secret_key|api[_-]?key|token|csrf[_-]?token|authorization"
    r"|cookie|set-cookie|session|cgt_session|cgt_csrf)"
)
# key = value, key: value, 'key': 'value', "key": "value" (and Bearer/Basic credentials)
_PAIR = re.compile(
    rf"(?i)(\b[\w-]*{_KEYS}[\"']?\s*[:=]\s*[\"']?)((?:bearer|basic|token)\s+)?([^\s\"'&,;}}\]]+)"
)
_URL_CREDENTIALS = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/?#\s@]+:)([^@/\s]+)(@)")


def register_secrets(settings: Settings) -> None:
    """Remember the configured secret values so that no log line ever shows them."""
    values = [settings.secret_key, settings.llm_api_key]
    if settings.smtp_password is not None:
        values.append(settings.smtp_password.get_secret_value())
    try:
        values.append(make_url(settings.sqlalchemy_url).password)
    except Exception:  # an unparsable URL fails elsewhere, with its own message
        pass
    with _secrets_lock:
        # Short values would blank out ordinary words; the placeholder key is no secret.
        _secrets.update(v for v in values if v and len(v) >= 6 and v != DEVELOPMENT_SECRET)


def redact(text: str) -> str:
    """Return the text with secret values, credentials and password-like fields masked."""
    if not text:
        return text
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _URL_CREDENTIALS.sub(rf"\g<1>{REDACTED}\g<3>", text)
    return _PAIR.sub(lambda m: m.group(1) + REDACTED, text)


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


class RedactionFilter(logging.Filter):
    """Mask secrets in the message, the exception text and the extra fields of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` (or keep one given as extra)."""
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get()
        return True


# --- formatting and handlers -----------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines: time, level, logger, [request id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Format, tolerating records that did not pass the request-id filter."""
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


def make_formatter(format: str = "text") -> logging.Formatter:  # noqa: A002 - dictConfig key
    """The formatter for a CGT_PORTAL_LOG_FORMAT value."""
    return JsonFormatter() if format == "json" else TextFormatter()


class PortalHandler(logging.StreamHandler):
    """A stream handler with the portal's filters; by default writes to the current stderr."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._fixed = stream
        super().__init__(stream)
        self.addFilter(RequestIdFilter())
        self.addFilter(RedactionFilter())

    @property
    def stream(self) -> IO[str]:
        """The given stream, else sys.stderr as it is now (test runners swap it)."""
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: IO[str] | None) -> None:
        self._fixed = value


def configure_logging(settings: Settings, *, stream: IO[str] | None = None) -> PortalHandler:
    """Send every log record through one portal handler with the configured format and level."""
    register_secrets(settings)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, PortalHandler):
            root.removeHandler(handler)
    handler = PortalHandler(stream)
    handler.setFormatter(make_formatter(settings.log_format))
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # uvicorn's access line holds the raw path with its query string: ours replaces it.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    return handler


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """The logging configuration `cgt-portal serve` hands to uvicorn (and its workers)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "portal": {"()": "web.core.observability.make_formatter", "format": settings.log_format}
        },
        "handlers": {
            "portal": {"class": "web.core.observability.PortalHandler", "formatter": "portal"}
        },
        "root": {"handlers": ["portal"], "level": settings.log_level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


# --- metrics ---------------------------------------------------------------------------------

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_dir() -> str | None:
    """The folder shared by worker processes for their metrics, when several run."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The portal's metrics: one instance per app (per worker process)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        ready: Callable[[], bool] = lambda: True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess = multiprocess_dir()
        # In multiprocess mode values live in files shared by the workers, not in a registry.
        own = None if self.multiprocess else self.registry
        self.http_latency = Histogram(
            "cgt_portal_http_request_duration_seconds",
            "Time to serve an HTTP request, by method, route template and status",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=own,
        )
        self.answer_latency = Histogram(
            "cgt_portal_answer_duration_seconds",
            "Time the assistant took to answer or refuse a question",
            ["outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=own,
        )
        self.answers = Counter(
            "cgt_portal_answers",
            "Questions answered with citations or refused, by refusal reason",
            ["outcome", "reason"],
            registry=own,
        )
        self.database = DatabaseCollector(sessions=sessions, ready=ready, clock=clock)
        self.registry.register(self.database)

    def observe_request(self, *, method: str, route: str, status: int, seconds: float) -> None:
        """Record one served HTTP request."""
        method = method if method in METHODS else "OTHER"
        self.http_latency.labels(method, route, str(status)).observe(seconds)

    def observe_answer(self, answer: Answer, seconds: float) -> None:
        """Record one answer of the assistant."""
        outcome = "refused" if answer.refused else "answered"
        reason = "none"
        if answer.refused:
            reason = answer.reason if answer.reason in REFUSAL_REASONS else "other"
        self.answer_latency.labels(outcome).observe(seconds)
        self.answers.labels(outcome, reason).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess)
            registry.register(self.database)
            return _generate_latest(registry), CONTENT_TYPE_LATEST
        return _generate_latest(self.registry), CONTENT_TYPE_LATEST


class DatabaseCollector:
    """Gauges read from the database at scrape time: the same in every worker."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        ready: Callable[[], bool],
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._ready = ready
        self._clock = clock

    def describe(self) -> list[Metric]:
        """Nothing up front: registering must not query the database."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Open requests by status, SLA breaches, and whether the database answered."""
        ready = GaugeMetricFamily(
            "cgt_portal_ready", "1 once the knowledge base is indexed and loaded in this worker"
        )
        ready.add_metric([], 1.0 if self._ready() else 0.0)
        yield ready
        up = GaugeMetricFamily(
            "cgt_portal_database_up", "1 when the scrape could read the database"
        )
        try:
            counts, breached = self._queue()
        except Exception:
            log.warning("metrics: reading the request queue failed", exc_info=True)
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        queue = GaugeMetricFamily(
            "cgt_portal_open_requests", "Open service requests by status", labels=["status"]
        )
        for status, n in sorted(counts.items()):
            queue.add_metric([status], float(n))
        yield queue
        sla = GaugeMetricFamily(
            "cgt_portal_sla_breached_requests",
            "Open service requests whose SLA (first response or resolution) is breached",
        )
        sla.add_metric([], float(breached))
        yield sla

    def _queue(self) -> tuple[dict[str, int], int]:
        """Open requests per status, and how many open requests are breached (staff queue)."""
        # The staff queue's own query and SLA clocks, read as a system reader of the queue.
        reader = User(role="staff", active=True, name="metrics", email="metrics@localhost")
        with self._sessions() as session:
            calendar = WorkingCalendar.load(session=session)
            result = dashboard.queue(
                session=session,
                user=reader,
                filters=dashboard.QueueFilters(sla_state="breached", limit=0),
                now=self._clock(),
                calendar=calendar,
            )
        counts = {status.value: result.counts.get(status.value, 0) for status in OPEN}
        return counts, result.total


# --- the request middleware ------------------------------------------------------------------


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
        token = _request_id.set(request_id)
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
            _request_id.reset(token)


# --- wiring ----------------------------------------------------------------------------------


def install(app: FastAPI, settings: Settings) -> Metrics:
    """Set up logging and the metrics of an app (`web.app.PortalApp` wraps it in
    `RequestObserver`, outside Starlette's own error and body-limit responses)."""
    configure_logging(settings)
    state = app.state
    metrics = Metrics(
        sessions=state.components.sessions,
        ready=lambda: state.ready.is_set() and state.startup_error is None,
    )
    state.metrics = metrics
    return metrics


@contextmanager
def answering(request: Request) -> Iterator[Callable[[Answer], None]]:
    """Time an assistant call; the caller hands the answer to the yielded function.

    `with observability.answering(request) as record: record(assistant.ask(...).answer)`
    """
    started = time.perf_counter()
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)

    def record(answer: Answer) -> None:
        seconds = time.perf_counter() - started
        if metrics is not None:
            metrics.observe_answer(answer, seconds)
        outcome = "refused" if answer.refused else "answered"
        log.info(
            "answer %s in %.0fms",
            outcome,
            seconds * 1000,
            extra={"outcome": outcome, "reason": answer.reason, "citations": len(answer.citations)},
        )

    yield record
