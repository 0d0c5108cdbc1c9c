"""`cgt-portal serve`: the portal under uvicorn, with the portal's logging."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from web.cli.common import SettingsFactory, console


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add `serve` to the app."""

    @app.command()
    def serve(
        host: Annotated[
            str, typer.Option(envvar="HOST", help="interface to listen on")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(envvar="PORT", help="port to listen on")] = 8000,
        workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    ) -> None:
        """Serve the portal (the bundled knowledge base is indexed on first start)."""
        import shutil

        import uvicorn

        settings = load_settings()
        if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Every worker's /metrics answers for all workers (docs/operations.md). Set before
            # prometheus_client is first imported: it picks its value store at import.
            shared = (settings.data_dir / "metrics-multiproc").resolve()
            shutil.rmtree(shared, ignore_errors=True)  # counters start again with the server
            shared.mkdir(parents=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
        from web.core.observability import uvicorn_log_config

        console.print(
            f"Data in [bold]{settings.data_dir.resolve()}[/]; serving on http://{host}:{port}"
        )
        uvicorn.run(
            "web.asgi:create",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # Forwarded headers are the app's business (CGT_PORTAL_TRUSTED_PROXIES): uvicorn's own
            # default believed any X-Forwarded-For sent from loopback.
            proxy_headers=False,
            log_level=settings.log_level.lower(),
            log_config=uvicorn_log_config(settings),
            access_log=False,  # web.access logs requests
        )
