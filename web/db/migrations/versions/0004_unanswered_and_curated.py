"""unanswered questions and curated staff answers (issue 4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # A database adopted from before migrations may already have these (create_all).
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "rt_gap_groups" not in tables:
        op.create_table(
            "rt_gap_groups",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("representative", sa.Text(), nullable=False),
            sa.Column("model_id", sa.String(length=60), nullable=False),
            sa.Column("vector_sum", sa.LargeBinary(), nullable=False),
            sa.Column("leader", sa.LargeBinary(), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("languages", sa.String(length=20), nullable=False),
            sa.Column("first_asked", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_asked", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("curated_id", sa.Integer(), nullable=True),
            sa.Column("status_by", sa.String(length=200), nullable=True),
            sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("rt_gap_groups", schema=None) as batch_op:
            batch_op.create_index("ix_rt_gap_groups_status_size", ["status", "size"], unique=False)
            batch_op.create_index(
                batch_op.f("ix_rt_gap_groups_last_asked"), ["last_asked"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_rt_gap_groups_curated_id"), ["curated_id"], unique=False
            )
    if "rt_gap_questions" not in tables:
        op.create_table(
            "rt_gap_questions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("turn_id", sa.Integer(), nullable=False),
            sa.Column("group_id", sa.Integer(), nullable=False),
            sa.Column("question", sa.Text(), nullable=False),
            sa.Column("language", sa.String(length=4), nullable=False),
            sa.Column("reason", sa.String(length=20), nullable=False),
            sa.Column("confidence", sa.Double(), nullable=False),
            sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("turn_id"),
        )
        with op.batch_alter_table("rt_gap_questions", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_rt_gap_questions_group_id"), ["group_id"], unique=False
            )
    if "rt_curated_answers" not in tables:
        op.create_table(
            "rt_curated_answers",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("questions", sa.JSON(), nullable=False),
            sa.Column("language", sa.String(length=4), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.Column("citations", sa.JSON(), nullable=False),
            sa.Column("author_id", sa.Integer(), nullable=True),
            sa.Column("author", sa.String(length=200), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("rt_curated_answers", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_rt_curated_answers_active"), ["active"], unique=False
            )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rt_curated_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rt_curated_answers_active"))
    op.drop_table("rt_curated_answers")
    with op.batch_alter_table("rt_gap_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rt_gap_questions_group_id"))
    op.drop_table("rt_gap_questions")
    with op.batch_alter_table("rt_gap_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rt_gap_groups_curated_id"))
        batch_op.drop_index(batch_op.f("ix_rt_gap_groups_last_asked"))
        batch_op.drop_index("ix_rt_gap_groups_status_size")
    op.drop_table("rt_gap_groups")
