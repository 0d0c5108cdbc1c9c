"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """Answer 200 once the knowledge base is indexed, 503 before (or after a failed ingest)."""
    state = request.app.state
    if state.ready.is_set():
        return JSONResponse({"status": "ok"})
    body = {"status": "failed" if state.startup_error else "indexing"}
    if state.startup_error:
        body["error"] = state.startup_error
    return JSONResponse(body, status_code=503)
