"""feedback handled by staff (issue 13: feedback items get actions)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 15:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("rt_answer_feedback")}
    if "handled_at" in columns:  # a database made by create_all already has them
        return
    with op.batch_alter_table("rt_answer_feedback") as batch:
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handled_by", sa.String(length=200), nullable=True))
        batch.create_index("ix_rt_answer_feedback_handled_at", ["handled_at"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rt_answer_feedback") as batch:
        batch.drop_index("ix_rt_answer_feedback_handled_at")
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
