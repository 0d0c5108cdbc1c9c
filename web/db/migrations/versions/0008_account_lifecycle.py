"""company owners and one-time account links (issue 12: password reset, invitations)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # A database adopted from before migrations already has today's tables (web.db.migrate).
    inspector = sa.inspect(op.get_bind())
    columns = {c["name"] for c in inspector.get_columns("portal_users")}
    if "company_owner" not in columns:
        _add_owners()
    if "portal_account_tokens" not in set(inspector.get_table_names()):
        _create_tokens()


def _add_owners() -> None:
    with op.batch_alter_table("portal_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("company_owner", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Every existing company gets an owner: its earliest member (the registrant, in practice).
    users = sa.table(
        "portal_users",
        sa.column("id", sa.Integer()),
        sa.column("company_id", sa.Integer()),
        sa.column("company_owner", sa.Boolean()),
    )
    earliest = (
        sa.select(sa.func.min(users.c.id))
        .where(users.c.company_id.is_not(None))
        .group_by(users.c.company_id)
    )
    op.execute(users.update().where(users.c.id.in_(earliest)).values(company_owner=sa.true()))


def _create_tokens() -> None:
    op.create_table(
        "portal_account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["portal_users.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["portal_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("portal_account_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_account_tokens_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("portal_account_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_account_tokens_user_id"))
    op.drop_table("portal_account_tokens")
    with op.batch_alter_table("portal_users", schema=None) as batch_op:
        batch_op.drop_column("company_owner")
