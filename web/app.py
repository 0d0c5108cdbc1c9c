"""The FastAPI application factory."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from web import auth, errors, mailer
from web.deps import LANGUAGE_COOKIE
from web.i18n import LANGUAGES
from web.portal_wiring import prepare_portal, sync_catalog
from web.routes import (
    accounts,
    admin,
    api,
    api_requests,
    chat,
    documents,
    health,
    notifications,
    requests,
    staff,
)
from web.security import SecurityHeaders
from web.settings import Settings
from web.wiring import Components, build, ingest_bundled

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """Build the portal: pages, JSON API and health checks over wired components."""
    settings = settings or (components.settings if components else Settings())
    parts = components or build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = threading.Thread(target=_prepare, args=(app, parts), daemon=True)
        worker.start()
        send = mailer.sender_from(parts.settings)
        delivery = None
        if send is not None:  # each worker runs one loop; claims keep them from double-sending
            delivery = mailer.DeliveryLoop(
                sessions=parts.sessions, send=send, interval=parts.settings.smtp_interval
            ).start()
        app.state.delivery = delivery
        try:
            yield
        finally:
            if delivery is not None:
                delivery.stop()

    app = FastAPI(
        title="GBA CGT Public Service Center portal",
        version="0.1.0",
        description="Cited answers from the center's documents, and the document library.",
        lifespan=lifespan,
        # Every state-changing request with the session cookie must carry the CSRF token.
        dependencies=[Depends(auth.csrf_protect)],
    )
    app.state.components = parts
    app.state.ready = threading.Event()
    app.state.startup_error = None
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    for router in (health.router, api.router, chat.router, documents.router, accounts.router):
        app.include_router(router)
    # Service requests: the company's pages, the staff console and their JSON API.
    app.state.portal = prepare_portal(
        sessions=parts.sessions, embeddings=parts.embeddings, uploads=parts.settings.uploads_path
    )
    for router in (requests.router, staff.router, api_requests.router):
        app.include_router(router)
    app.include_router(admin.router)  # teams, catalog routing and staff accounts
    app.include_router(notifications.router)

    @app.middleware("http")
    async def remember_language(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
            response.set_cookie(
                LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True
            )
        return response

    return app


def _prepare(app: FastAPI, parts: Components) -> None:
    """Index the bundled knowledge base if needed, load the index, then report ready."""
    try:
        if parts.settings.ingest_on_start:
            report = ingest_bundled(parts)
            if report.changed:
                log.info(
                    "knowledge base indexed: %d added, %d updated, %d removed",
                    len(report.added), len(report.updated), len(report.removed),
                )  # fmt: skip
        sync_catalog(parts.sessions)  # service names and turnaround from the fresh index
        parts.assistant.index()  # load the snapshot and warm the models before the first user
        parts.assistant.answer("南沙 warm-up")
        app.state.ready.set()
    except Exception as error:  # reported by /healthz, and the app keeps serving pages
        log.exception("preparing the knowledge base failed")
        app.state.startup_error = f"{type(error).__name__}: {error}"
