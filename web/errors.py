"""Every error mapped to HTTP in one place: JSON for the API, a page for people.

The domain packages (portal, knowledge, retrieval) raise errors that carry no HTTP; the web's
own exceptions live in web/exceptions.py. `MAPPED` gives each error class its status, the
message key of the error page and the JSON `detail`; routes catch an error only to do
something special with it (show a form again with its messages and the values kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from knowledge.loaders import LoaderError
from knowledge.uploads import UploadRejected
from portal import errors as domain
from portal.bulk import BulkRefused
from retrieval.answer_log import AnswerNotFound
from retrieval.conversations import NotYours
from retrieval.curated import CuratedInvalid, CuratedNotFound
from retrieval.feedback import FeedbackNotFound, InvalidFeedback
from retrieval.knowledge_admin import DocumentMissing
from web.auth import login_url
from web.exceptions import CsrfFailed, NotAuthenticated, NotFound, NotReady
from web.i18n import negotiate
from web.templating import render


@dataclass(frozen=True)
class Mapped:
    """How one error class is answered: status, error-page message and JSON detail."""

    status: int
    message_key: str
    detail: Callable[[Any], object]
    headers: Callable[[Any], dict[str, str]] | None = None


def _text(error: Exception) -> str:
    return str(error)


def _fixed(detail: str) -> Callable[[Any], object]:
    return lambda error: detail


def _missing(kind: str, key_length: int | None = None) -> Callable[[Any], object]:
    """A lookup error whose first argument is the id: worded like web's NotFound."""

    def detail(error: Exception) -> object:
        key = str(error.args[0]) if error.args else ""
        return str(NotFound(kind, key[:key_length]))

    return detail


def _problems(errors: dict[str, str]) -> list[dict[str, str]]:
    """The same shape as FastAPI's own 422 below, so clients parse one format."""
    return [{"field": field, "message": message} for field, message in errors.items()]


def _refused(error: UploadRejected) -> object:
    return [{"field": error.field, "message": error.detail, "code": error.code}]


NOT_FOUND = "error.not_found"
INVALID = "error.invalid"

MAPPED: dict[type[Exception], Mapped] = {
    # The web's own.
    NotFound: Mapped(404, NOT_FOUND, _text),
    NotReady: Mapped(
        503,
        "error.not_ready",
        _fixed("the knowledge base is still being indexed"),
        lambda error: {"Retry-After": "5"},
    ),
    CsrfFailed: Mapped(
        403, "error.csrf", _fixed("missing or invalid CSRF token: reload the page and try again")
    ),
    # portal
    domain.NotFound: Mapped(404, NOT_FOUND, _fixed("not found")),
    domain.PermissionDenied: Mapped(403, "error.forbidden", lambda e: str(e) or "forbidden"),
    domain.InvalidTransition: Mapped(409, "error.invalid_transition", _text),
    domain.ValidationFailed: Mapped(422, INVALID, lambda e: _problems(e.errors)),
    domain.RateLimited: Mapped(
        429, "error.rate_limited", _text, lambda e: {"Retry-After": str(e.retry_after)}
    ),
    BulkRefused: Mapped(409, "error.invalid_transition", _text),
    # knowledge
    UploadRejected: Mapped(422, INVALID, _refused),
    LoaderError: Mapped(422, INVALID, lambda e: _problems({"file": str(e)})),
    # retrieval
    DocumentMissing: Mapped(404, NOT_FOUND, _missing("document")),
    AnswerNotFound: Mapped(404, NOT_FOUND, _missing("answer", 32)),
    FeedbackNotFound: Mapped(404, NOT_FOUND, _missing("feedback")),
    CuratedNotFound: Mapped(404, NOT_FOUND, _missing("curated answer")),
    NotYours: Mapped(404, NOT_FOUND, _missing("conversation")),
    InvalidFeedback: Mapped(422, INVALID, lambda e: _problems({e.field: e.message})),
    CuratedInvalid: Mapped(422, INVALID, lambda e: _problems(e.errors)),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _page(
    request: Request, status: int, message_key: str, headers: dict[str, str] | None = None
) -> Response:
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


def respond(request: Request, error: Exception) -> Response:
    """The response for a mapped error: its JSON detail, or the error page."""
    mapped = next(MAPPED[cls] for cls in type(error).__mro__ if cls in MAPPED)
    headers = mapped.headers(error) if mapped.headers else None
    if _wants_json(request):
        return JSONResponse(
            {"detail": mapped.detail(error)}, status_code=mapped.status, headers=headers
        )
    return _page(request, mapped.status, mapped.message_key, headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into responses."""

    async def mapped_error(request: Request, error: Exception) -> Response:
        return respond(request, error)

    for error_class in MAPPED:
        app.add_exception_handler(error_class, mapped_error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _wants_json(request) or error.status_code != 404:
            return JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return _page(request, 404, NOT_FOUND)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, error: NotAuthenticated) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "sign in first"},
                status_code=401,
                headers={"WWW-Authenticate": 'Cookie realm="cgt-portal"'},
            )
        if request.headers.get("HX-Request") == "true":  # htmx: load the login page whole
            return Response(status_code=401, headers={"HX-Redirect": login_url(error.next_url)})
        return RedirectResponse(login_url(error.next_url), status_code=303)

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
