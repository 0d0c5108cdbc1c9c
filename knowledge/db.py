"""The knowledge package's declarative base (its tables are in knowledge.tables)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class KnowledgeBase(DeclarativeBase):
    """Declarative base of the knowledge tables."""
