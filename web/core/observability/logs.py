"""Log lines of the portal: request ids, redaction of secrets, text or JSON formatting.

Every log line written while a request runs carries its id (set by `middleware.RequestObserver`).
A redaction filter on the portal's log handler removes the configured secrets and anything
shaped like a password, token, cookie or credential before a line is written.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy.engine import make_url

from web.settings import DEVELOPMENT_SECRET, Settings

# Set by the request middleware for the time a request runs.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served ('-' outside a request)."""
    return request_id_var.get()


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
            record.request_id = request_id_var.get()
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
            "portal": {
                "()": "web.core.observability.logs.make_formatter",
                "format": settings.log_format,
            }
        },
        "handlers": {
            "portal": {"class": "web.core.observability.logs.PortalHandler", "formatter": "portal"}
        },
        "root": {"handlers": ["portal"], "level": settings.log_level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": settings.log_level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }
