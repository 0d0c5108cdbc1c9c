"""The API reference (ReDoc) at /redoc, from files installed with fastapi-offline: no CDN.

ReDoc reads /openapi.json and renders it. The page carries no inline script (the
`<redoc spec-url>` element starts ReDoc by itself), so only its CSP differs from the
app's: ReDoc styles itself with inline styles and runs its search in a blob: worker
(web.security.API_REFERENCE_CSP). Swagger UI is not served: it needs an inline start-up
script, and its "Try it out" would send requests with the visitor's session cookie.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from web.security import API_REFERENCE_CSP

ASSETS_URL = "/api-reference-assets"
ASSETS = Path(fastapi_offline.__file__).parent / "static"

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – API reference</title>
<link rel="icon" href="{assets}/favicon.png">
</head>
<body>
<redoc spec-url="{spec}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body>
</html>
"""


@router.get("/redoc", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    """Show the JSON API's reference, rendered by ReDoc from /openapi.json."""
    root = request.scope.get("root_path", "")
    page = _PAGE.format(
        title=escape(request.app.title),
        assets=escape(root + ASSETS_URL),
        spec=escape(root + (request.app.openapi_url or "/openapi.json")),
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": API_REFERENCE_CSP})


@router.get("/docs")
def api_reference_alias() -> RedirectResponse:
    """Send the usual FastAPI address of the API docs to /redoc."""
    return RedirectResponse("/redoc", status_code=308)


def install(app: FastAPI) -> None:
    """Serve the reference page and ReDoc's own files."""
    app.mount(ASSETS_URL, StaticFiles(directory=str(ASSETS)), name="api_reference_assets")
    app.include_router(router)
