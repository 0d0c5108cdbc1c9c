"""answers provenance, feedback and request attachments of answers (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 17:00:00

"""

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
