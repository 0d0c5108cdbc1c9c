"""Entry point for ASGI servers: `uvicorn web.asgi:create --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from web.app import create_app


def create() -> FastAPI:
    """Build the app from the environment's settings."""
    return create_app()
