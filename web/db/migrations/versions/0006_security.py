"""conversation owners (issue 14: server-made ids, readable by their owner only)

Revision ID: 0006
Revises: 0004 (the integrator re-chains it onto 0005 when merging)
Create Date: 2026-12-02 12:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Conversations from before have no row, so nobody owns them: they can no longer be read.
    if "rt_conversations" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "rt_conversations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("visitor_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rt_conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rt_conversations_owner_user_id"), ["owner_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rt_conversations_visitor_key"), ["visitor_key"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rt_conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rt_conversations_visitor_key"))
        batch_op.drop_index(batch_op.f("ix_rt_conversations_owner_user_id"))
    op.drop_table("rt_conversations")
