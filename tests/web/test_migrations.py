"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from web.db import migrate


def _head(engine) -> str:  # type: ignore[no-untyped-def]
    return ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()


def test_upgrade_builds_every_table_and_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)  # PostgreSQL on the server pass (tests/conftest.py)
    migrate.upgrade(engine)

    tables = set(inspect(engine).get_table_names())
    assert {
        "kb_documents",
        "kb_chunks",
        "rt_passage_vectors",
        "portal_requests",
        "portal_events",
        "alembic_version",
    } <= tables
    # Raises when autogenerate finds a difference between models and migrations.
    command.check(migrate.alembic_config(engine))


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        version = connection.exec_driver_sql("select version_num from alembic_version").scalar()
    assert version == _head(engine)


def test_a_database_from_before_migrations_is_adopted_not_recreated(tmp_path: Path) -> None:
    from sqlalchemy import text

    import knowledge.tables  # noqa: F401  (registers the knowledge tables)
    from knowledge.db import KnowledgeBase

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    KnowledgeBase.metadata.create_all(engine)  # what the first version of the app made
    with engine.begin() as connection:
        connection.execute(text("insert into kb_state (key, value) values ('generation', '7')"))

    migrate.upgrade(engine)

    with engine.connect() as connection:
        kept = connection.execute(text("select value from kb_state")).scalar()
        version = connection.exec_driver_sql("select version_num from alembic_version").scalar()
    assert kept == "7" and version == _head(engine)
    assert "portal_requests" in inspect(engine).get_table_names()
    command.check(migrate.alembic_config(engine))


def test_an_empty_version_table_left_by_a_failed_attempt_does_not_block_adoption(
    tmp_path: Path,
) -> None:
    from sqlalchemy import text

    import knowledge.tables  # noqa: F401  (registers the knowledge tables)
    from knowledge.db import KnowledgeBase

    engine = create_engine(f"sqlite:///{tmp_path / 'half.db'}")
    KnowledgeBase.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text("create table alembic_version (version_num varchar(32) not null)"))

    migrate.upgrade(engine)

    command.check(migrate.alembic_config(engine))


def test_texts_ingested_before_are_read_for_what_they_repeal(database_url: str) -> None:
    """0012 adds `repeals` to documents whose rows predate it; what metadata says stands."""
    import json

    from sqlalchemy import text

    engine = create_engine(database_url)
    command.upgrade(migrate.alembic_config(engine), "0011")
    body = "".join(f"第{i}条 某某工作应当依法进行。\n" for i in range(1, 400))  # > 3,000 chars
    closing = "第四百条 本条例自2020年1月1日起施行。《某某办法》同时废止。\n"
    rows = {
        "repealing": (body + closing, {}),
        "said-already": (closing, {"repeals": ["另一办法"]}),
        "plain": (body, {"adopted": "2019-01-01"}),
    }
    with engine.begin() as connection:
        for doc_id, (content, extra) in rows.items():
            connection.execute(
                text(
                    "insert into kb_documents (id, title, language, category, status, verified,"
                    " extra, text, content_hash, origin, updated_at, version)"
                    " values (:id, :id, 'zh', 'regulation', 'in_force', false, :extra, :text,"
                    " 'h', 'local', CURRENT_TIMESTAMP, 1)"
                ),
                {"id": doc_id, "extra": json.dumps(extra), "text": content},
            )

    migrate.upgrade(engine)

    with engine.connect() as connection:
        found = dict(connection.execute(text("select id, extra from kb_documents")).all())
    found = {k: v if isinstance(v, dict) else json.loads(v) for k, v in found.items()}
    assert found == {
        "repealing": {"repeals": ["某某办法"]},
        "said-already": {"repeals": ["另一办法"]},
        "plain": {"adopted": "2019-01-01"},
    }
