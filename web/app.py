"""The FastAPI application factory."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from web import auth, errors
from web.core import mailer, observability
from web.core.components import (
    Components,
    build,
    ingest_bundled,
    prepare_knowledge,
    start_index_worker,
)
from web.core.portal_parts import prepare_portal, sync_catalog
from web.deps import LANGUAGE_COOKIE
from web.i18n import LANGUAGES
from web.routes import (
    accounts,
    admin,
    admin_holidays,
    api,
    api_docs,
    api_knowledge,
    api_requests,
    chat,
    documents,
    feedback,
    health,
    history,
    impact,
    materials,
    members,
    notifications,
    passwords,
    request_suggestions,
    requests,
    services,
    staff,
    staff_canned,
    staff_exports,
    staff_knowledge,
    staff_knowledge_document,
    staff_queue,
    staff_reply,
    unanswered,
)
from web.security import SecurityHeaders, refuse_nul_characters
from web.settings import Settings, secret_is_strong, use_data_folder_secret

log = logging.getLogger(__name__)


class PortalApp(FastAPI):
    """FastAPI with request ids, the access log, metrics and security headers outermost.

    Forwarded headers are believed only from the configured proxies (CGT_PORTAL_TRUSTED_PROXIES),
    here rather than in the server, so the rule holds however the app is served.

    Middleware added with `add_middleware` runs inside Starlette's own error handler and body
    limit, so their 500 and 413 responses would leave without the security headers or an
    `X-Request-ID`, and unmeasured. These two layers wrap the whole stack instead.
    """

    def build_middleware_stack(self) -> ASGIApp:
        """The usual stack, inside the security headers, inside the request observer."""
        inner = SecurityHeaders(super().build_middleware_stack())
        observed = observability.RequestObserver(inner, metrics=self.state.metrics)
        proxies = self.state.components.settings.trusted_proxy_list
        if not proxies:  # the peer is the client: X-Forwarded-For is just a header anyone sends
            return observed
        # uvicorn types ASGI apps with its own TypedDict events; Starlette's ASGIApp is the same.
        return ProxyHeadersMiddleware(observed, trusted_hosts=proxies)  # type: ignore[arg-type,return-value]


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """Build the portal: pages, JSON API and health checks over wired components."""
    settings = settings or (components.settings if components else Settings())
    if settings.environment == "production" and not secret_is_strong(settings.secret_key):
        # Settings refuse this already; settings built or changed around validation do not pass.
        raise RuntimeError("refusing to start in production with the default or a weak secret key")
    use_data_folder_secret(settings)  # never sign with the placeholder outside tests
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
        # Staff uploads are indexed in the background, once the start-up sync is done.
        index_worker = start_index_worker(parts, gate=app.state.ready)
        app.state.index_worker = index_worker
        try:
            yield
        finally:
            index_worker.stop()
            if delivery is not None:
                delivery.stop()

    app = PortalApp(
        title="GBA CGT Public Service Center portal",
        version="0.1.0",
        description="Cited answers from the center's documents, and the document library.",
        lifespan=lifespan,
        # FastAPI's own pages load their scripts from a CDN and run inline script; ReDoc is
        # served from installed files instead (web.routes.api_docs).
        docs_url=None,
        redoc_url=None,
        # Every state-changing request with the session cookie must carry the CSRF token;
        # no text may carry a NUL (PostgreSQL cannot store it).
        dependencies=[Depends(auth.csrf_protect), Depends(refuse_nul_characters)],
        # Bounded bodies: a huge upload is refused (413) before it is spooled or read.
        max_body_size=max(parts.settings.max_request_mb, parts.settings.knowledge_upload_max_mb + 1)
        * 1024
        * 1024,
    )
    app.state.components = parts
    app.state.ready = threading.Event()
    app.state.startup_error = None
    errors.install(app)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    api_docs.install(app)  # the API reference at /redoc, under its own CSP
    for router in (health.router, api.router, chat.router, documents.router, accounts.router):
        app.include_router(router)
    # Service requests: the company's pages, the staff console and their JSON API.
    app.state.portal = prepare_portal(
        sessions=parts.sessions,
        embeddings=parts.embeddings,
        uploads=parts.settings.uploads_path,
        company_quota_mb=parts.settings.company_storage_quota_mb,
    )
    # The suggestions first: /requests/suggestions is not a tracking number.
    for router in (request_suggestions.router, requests.router, staff.router, api_requests.router):
        app.include_router(router)
    app.include_router(staff_canned.router)  # reusable reply texts
    app.include_router(staff_reply.router)  # drafting replies from the knowledge base
    app.include_router(staff_exports.router)  # queue and dashboard as CSV / XLSX
    app.include_router(services.router)  # the public catalog and service guides
    app.include_router(materials.router)  # staff asking for a material (一次性告知)
    app.include_router(staff_queue.router)  # the queue page, saved views, bulk actions
    app.include_router(admin.router)  # teams, catalog routing and staff accounts
    app.include_router(admin_holidays.router)  # the working calendar's holidays
    app.include_router(notifications.router)
    # Answer feedback, answers attached to requests, impact recall of changed documents.
    app.include_router(feedback.router)
    app.include_router(impact.router)
    # Staff maintenance of the knowledge base: pages and the document API.
    app.state.knowledge = prepare_knowledge(parts)
    app.include_router(staff_knowledge.router)  # the list and uploads, before /{document_id}
    app.include_router(staff_knowledge_document.router)
    app.include_router(api_knowledge.router)
    app.include_router(unanswered.router)  # unanswered questions and curated staff answers
    # Passwords, a company's members and a user's past conversations (issue 12).
    for router in (passwords.router, members.router, history.router):
        app.include_router(router)

    @app.middleware("http")
    async def remember_language(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
            response.set_cookie(
                LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax", httponly=True
            )
        return response

    # Logging and metrics; PortalApp puts the request observer around everything.
    observability.install(app, parts.settings)
    return app


def _prepare(app: FastAPI, parts: Components) -> None:
    """Index the bundled knowledge base if needed, load the index, then report ready."""
    try:
        if parts.settings.ingest_on_start:
            report = ingest_bundled(parts)
            if report.changed:
                log.info(
                    "knowledge base indexed: %d added, %d updated, %d removed",
                    len(report.added),
                    len(report.updated),
                    len(report.removed),
                )
        sync_catalog(parts.sessions)  # service names and turnaround from the fresh index
        parts.assistant.index()  # load the snapshot and warm the models before the first user
        parts.assistant.answer("南沙 warm-up")
        app.state.ready.set()
    except Exception as error:  # reported by /readyz, and the app keeps serving pages
        log.exception("preparing the knowledge base failed")
        app.state.startup_error = f"{type(error).__name__}: {error}"
