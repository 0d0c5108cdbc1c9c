"""The SQL engine and its schema: SQLite tuned for a single machine, or a server database."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from web.db import migrate
from web.settings import Settings


def build_engine(settings: Settings) -> Engine:
    """The SQL engine; SQLite gets WAL, foreign keys and a busy timeout."""
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # No cap on connections: some requests hold one connection while opening another (the
        # chat page and its notification badge, the assistant and its index check), so a
        # capped pool (5 + 10) stalled under 50 users until its 30 s timeout and answered 500
        # (benchmarks/README.md, "Load test"). A SQLite connection is only an open file.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=-1,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # A server database: bounded by settings, sized so that every request thread of a worker
    # (40 in uvicorn's thread pool) can hold a connection without waiting for the pool.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


def create_schema(engine: Engine) -> None:
    """Upgrade the database to the latest migration (web/migrations)."""
    migrate.upgrade(engine)


def build_sessions(settings: Settings) -> sessionmaker[Session]:
    """Only the database, for commands that need no models (e.g. `users create`)."""
    engine = build_engine(settings)
    create_schema(engine)
    return sessionmaker(engine, expire_on_commit=False)
