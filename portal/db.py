"""The portal's declarative base and small column helpers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import DeclarativeBase


class PortalBase(DeclarativeBase):
    """Declarative base of the portal tables."""


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
