"""What the backup tests compare: every archived row of a database, and restore targets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select

from web.settings import Settings

PASSWORD = "correct horse battery staple"
PDF = b"%PDF-1.4\n% release test plan\n" + bytes(range(256)) * 8
DERIVED = ("rt_passage_tokens", "rt_terms", "rt_fulltext")  # rebuilt by a restore, not archived


def archived_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every archived table, ordered by primary key, datetimes as UTC."""
    metadata = MetaData()
    metadata.reflect(engine)
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version" or table.name.startswith(DERIVED):
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [
                {k: as_utc(v) for k, v in row.items()}
                for row in connection.execute(select(table).order_by(*order)).mappings()
            ]
    return out


def as_utc(value: Any) -> Any:
    """A datetime in UTC (naive ones are UTC already); anything else unchanged."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def target_settings(tmp_path: Path, name: str = "restored") -> Settings:
    """Settings of an empty restore target in `tmp_path / name`."""
    return Settings(environment="test", data_dir=tmp_path / name, ingest_on_start=False)
