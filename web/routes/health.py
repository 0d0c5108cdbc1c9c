"""Liveness, readiness and metrics (docs/operations.md)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from portal import working_calendar

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> JSONResponse:
    """Answer 200 while the process serves requests (liveness; readiness is /readyz)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Answer 200 once the knowledge base is indexed and loaded and the database answers."""
    state = request.app.state
    checks: dict[str, str] = {}
    if state.startup_error:
        checks["index"] = f"failed: {state.startup_error}"
    elif not state.ready.is_set():
        checks["index"] = "indexing"
    else:
        checks["index"] = "ok"
    try:
        with state.components.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # the class only: driver messages may name hosts and users
        log.warning("readiness: the database did not answer", exc_info=True)
        checks["database"] = f"unavailable: {type(error).__name__}"
    missing = [name for name, result in checks.items() if result != "ok"]
    body: dict[str, object] = {"status": "ready" if not missing else "not_ready", "checks": checks}
    if missing:
        body["missing"] = missing
    warnings = _warnings(state) if checks["database"] == "ok" else []
    if warnings:
        body["warnings"] = warnings  # reported, never a reason to take the portal out of service
    return JSONResponse(body, status_code=503 if missing else 200)


def today() -> date:
    """The date in the center's time zone (a function, so tests can move the clock)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _warnings(state: object) -> list[str]:
    try:
        with state.components.sessions() as session:  # type: ignore[attr-defined]
            year = working_calendar.missing_next_year(session=session, today=today())
    except Exception:  # a warning must not turn readiness into an error
        log.warning("readiness: the working calendar could not be checked", exc_info=True)
        return []
    if year is None:
        return []
    return [f"calendar: no holidays for {year} yet (not in the holidays package, no overrides)"]


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The portal's metrics in the Prometheus text format."""
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)
