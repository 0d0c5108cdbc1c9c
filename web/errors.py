"""Domain errors mapped to HTTP in one place: JSON for the API, a page for people."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.i18n import negotiate


class NotFound(Exception):
    """Something named in the URL does not exist (or may not be seen)."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind


class NotReady(Exception):
    """The knowledge base is still being indexed."""


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _page(request: Request, status: int, message_key: str) -> Response:
    from web.templating import render

    language = request.cookies.get("lang")
    if language not in ("zh", "en"):
        language = negotiate(request.headers.get("accept-language"))
    return render(
        request, "error.html", {"message_key": message_key, "status": status},
        language=language, status_code=status,  # type: ignore[arg-type]
    )  # fmt: skip


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into responses."""

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=404)
        return _page(request, 404, "error.not_found")

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, error: NotReady) -> Response:
        headers = {"Retry-After": "5"}
        if _wants_json(request):
            return JSONResponse(
                {"detail": "the knowledge base is still being indexed"},
                status_code=503, headers=headers,
            )  # fmt: skip
        response = _page(request, 503, "error.not_ready")
        response.headers.update(headers)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _wants_json(request) or error.status_code != 404:
            return JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return _page(request, 404, "error.not_found")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
                "message": e.get("msg", "invalid"),
            }
            for e in error.errors()
        ]
        return JSONResponse({"detail": problems}, status_code=422)
