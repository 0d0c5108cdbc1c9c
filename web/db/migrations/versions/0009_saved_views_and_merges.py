"""saved queue views and merged duplicates (issue 13)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # A database adopted from before migrations (or built from the models) has both already.
    inspector = sa.inspect(op.get_bind())
    if "portal_saved_views" not in set(inspector.get_table_names()):
        _create_saved_views()
    if "merged_into_id" not in {c["name"] for c in inspector.get_columns("portal_requests")}:
        with op.batch_alter_table("portal_requests", schema=None) as batch_op:
            batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                "fk_portal_requests_merged_into_id", "portal_requests", ["merged_into_id"], ["id"]
            )


def _create_saved_views() -> None:
    op.create_table(
        "portal_saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("team_code", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["portal_users.id"]),
        sa.ForeignKeyConstraint(["team_code"], ["portal_teams.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portal_saved_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_saved_views_owner_id"), ["owner_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("portal_requests", schema=None) as batch_op:
        batch_op.drop_constraint("fk_portal_requests_merged_into_id", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("portal_saved_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_saved_views_owner_id"))
    op.drop_table("portal_saved_views")
