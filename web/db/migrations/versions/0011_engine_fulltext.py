"""keyword search in the engine: passage tokens, term counts, FTS5 / tsvector (issue 11)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:40:00

The tables start empty: the next ingest (at start-up, or `cgt-portal ingest`) fills them from
the registry's chunks before anything else (retrieval.indexer.Indexer.ensure_fulltext).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retrieval import fulltext

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if "rt_passage_tokens" not in tables:
        op.create_table(
            "rt_passage_tokens",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("chunk_id", sa.String(length=32), nullable=False),
            sa.Column("document_id", sa.String(length=120), nullable=False),
            sa.Column("tokens", sa.Text(), nullable=False),
            sa.Column("unit_tokens", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("chunk_id"),
        )
        op.create_index(
            op.f("ix_rt_passage_tokens_document_id"), "rt_passage_tokens", ["document_id"]
        )
    if "rt_terms" not in tables:
        op.create_table(
            "rt_terms",
            sa.Column("term", sa.String(length=200), nullable=False),
            sa.Column("passages", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("term"),
        )
    if bind.dialect.name == "sqlite":
        op.execute(fulltext.SQLITE_FTS)
    elif bind.dialect.name == "postgresql":
        op.execute(fulltext.POSTGRES_TSV)
        op.execute(fulltext.POSTGRES_GIN)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {fulltext.FTS_TABLE}")
    op.drop_table("rt_terms")
    op.drop_index(op.f("ix_rt_passage_tokens_document_id"), table_name="rt_passage_tokens")
    op.drop_table("rt_passage_tokens")
