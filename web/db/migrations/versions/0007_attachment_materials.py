"""named attachment slots: which material of the service guide a file is (issue 12)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Files from before were sent through one box: they belong to no named material (NULL).
    # A database adopted from before migrations was made from the models: it has the column.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("portal_attachments")}
    if "material" in columns:
        return
    with op.batch_alter_table("portal_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("material", sa.String(length=60), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("portal_attachments", schema=None) as batch_op:
        batch_op.drop_column("material")
