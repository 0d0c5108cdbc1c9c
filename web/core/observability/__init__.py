"""Logs, request ids and Prometheus metrics of the portal (docs/operations.md).

- `logs`: request ids on every line, redaction of secrets, text or JSON lines, uvicorn's config;
- `metrics`: the Prometheus metrics (the one home of prometheus_client) and answer timing;
- `middleware`: the ASGI middleware giving each request its id, access line and latency.

The names callers use are re-exported here, with `install`, which sets both up for an app.
"""

from __future__ import annotations

from fastapi import FastAPI

from web.core.observability.logs import (
    JsonFormatter,
    PortalHandler,
    configure_logging,
    redact,
    register_secrets,
    uvicorn_log_config,
)
from web.core.observability.metrics import Metrics, answering
from web.core.observability.middleware import RequestObserver
from web.settings import Settings

__all__ = [
    "JsonFormatter",
    "Metrics",
    "PortalHandler",
    "RequestObserver",
    "answering",
    "configure_logging",
    "install",
    "redact",
    "register_secrets",
    "uvicorn_log_config",
]


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
