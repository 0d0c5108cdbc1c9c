"""Domain errors mapped to HTTP in one place: JSON for the API, a page for people."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal import errors as domain
from web.i18n import negotiate


class NotFound(Exception):
    """Something named in the URL does not exist (or may not be seen)."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind


class NotReady(Exception):
    """The knowledge base is still being indexed."""


class NotAuthenticated(Exception):
    """The route needs a signed-in user and there is none (or the session ended)."""

    def __init__(self, next_url: str = "/") -> None:
        super().__init__("sign in first")
        self.next_url = next_url


class CsrfFailed(Exception):
    """A state-changing request without a valid CSRF token."""


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _page(
    request: Request, status: int, message_key: str, headers: dict[str, str] | None = None
) -> Response:
    from web.templating import render

    language = request.cookies.get("lang")
    if language not in ("zh", "en"):
        language = negotiate(request.headers.get("accept-language"))
    response = render(
        request,
        "error.html",
        {"message_key": message_key, "status": status},
        language=language,  # type: ignore[arg-type]
        status_code=status,
    )
    response.headers.update(headers or {})
    return response


def _json_or_page(
    request: Request,
    status: int,
    detail: object,
    message_key: str,
    headers: dict[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return _page(request, status, message_key, headers)


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
                status_code=503,
                headers=headers,
            )
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

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, error: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "sign in first"},
                status_code=401,
                headers={"WWW-Authenticate": 'Cookie realm="cgt-portal"'},
            )
        from web.auth import login_url

        if request.headers.get("HX-Request") == "true":  # htmx: load the login page whole
            return Response(status_code=401, headers={"HX-Redirect": login_url(error.next_url)})
        return RedirectResponse(login_url(error.next_url), status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, error: CsrfFailed) -> Response:
        detail = "missing or invalid CSRF token: reload the page and try again"
        return _json_or_page(request, 403, detail, "error.csrf")

    @app.exception_handler(domain.NotFound)
    async def domain_not_found(request: Request, error: domain.NotFound) -> Response:
        return _json_or_page(request, 404, "not found", "error.not_found")

    @app.exception_handler(domain.PermissionDenied)
    async def forbidden(request: Request, error: domain.PermissionDenied) -> Response:
        return _json_or_page(request, 403, str(error) or "forbidden", "error.forbidden")

    @app.exception_handler(domain.InvalidTransition)
    async def invalid_transition(request: Request, error: domain.InvalidTransition) -> Response:
        return _json_or_page(request, 409, str(error), "error.invalid_transition")

    @app.exception_handler(domain.ValidationFailed)
    async def validation_failed(request: Request, error: domain.ValidationFailed) -> Response:
        # The same shape as FastAPI's own 422 below, so clients parse one format.
        problems = [{"field": field, "message": message} for field, message in error.errors.items()]
        return _json_or_page(request, 422, problems, "error.invalid")

    @app.exception_handler(domain.RateLimited)
    async def rate_limited(request: Request, error: domain.RateLimited) -> Response:
        headers = {"Retry-After": str(error.retry_after)}
        return _json_or_page(request, 429, str(error), "error.rate_limited", headers)

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
