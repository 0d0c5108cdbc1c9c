"""chunks know their article: key, label as written, first paragraph (issue 10)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_kb_chunks_document_article"


def upgrade() -> None:
    """Upgrade schema."""
    inspector = sa.inspect(op.get_bind())
    # A database adopted from before migrations may already have these (create_all).
    columns = {c["name"] for c in inspector.get_columns("kb_chunks")}
    indexes = {i["name"] for i in inspector.get_indexes("kb_chunks")}
    with op.batch_alter_table("kb_chunks", schema=None) as batch_op:
        if "article_key" not in columns:
            batch_op.add_column(sa.Column("article_key", sa.String(length=16), nullable=True))
        if "article_label" not in columns:
            batch_op.add_column(sa.Column("article_label", sa.String(length=40), nullable=True))
        if "paragraph_start" not in columns:
            batch_op.add_column(sa.Column("paragraph_start", sa.Integer(), nullable=True))
    if _INDEX not in indexes:
        with op.batch_alter_table("kb_chunks", schema=None) as batch_op:
            batch_op.create_index(_INDEX, ["document_id", "article_key"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("kb_chunks", schema=None) as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.drop_column("paragraph_start")
        batch_op.drop_column("article_label")
        batch_op.drop_column("article_key")
