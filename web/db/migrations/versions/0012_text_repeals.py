"""what each held text repeals, read from its closing articles (issue 10)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 05:30:00

Ingest now keeps the titles a text's closing articles repeal in its metadata (`repeals`,
knowledge/repeals.py). Texts ingested before keep their rows when their files have not
changed, so this reads each one's close once and adds what it repeals. Metadata that already
says (staff's or a newer ingest's) is left as it is. Nothing to undo on downgrade: a key the
older code does not read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from knowledge.documents import REPEALS
from knowledge.repeals import CLOSING_CHARS, repealed_titles

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENTS = sa.table(
    "kb_documents",
    sa.column("id", sa.String),
    sa.column("text", sa.Text),
    sa.column("extra", sa.JSON),
)
_BATCH = 200


def upgrade() -> None:
    """Add `repeals` to the metadata of texts whose closing articles repeal others."""
    bind = op.get_bind()
    ids = list(bind.scalars(sa.select(_DOCUMENTS.c.id).order_by(_DOCUMENTS.c.id)))
    # Only the close is read: a library of thousands of texts never sits in memory at once.
    length = sa.func.length(_DOCUMENTS.c.text)
    start_at = sa.case((length > CLOSING_CHARS, length - CLOSING_CHARS + 1), else_=1)
    close = sa.func.substr(_DOCUMENTS.c.text, start_at)
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        rows = bind.execute(
            sa.select(_DOCUMENTS.c.id, _DOCUMENTS.c.extra, close).where(_DOCUMENTS.c.id.in_(batch))
        )
        for doc_id, extra, text in rows:
            extra = dict(extra or {})
            if REPEALS in extra:
                continue
            titles = repealed_titles(text or "")
            if titles:
                bind.execute(
                    sa.update(_DOCUMENTS)
                    .where(_DOCUMENTS.c.id == doc_id)
                    .values(extra={**extra, REPEALS: titles})
                )


def downgrade() -> None:
    """Nothing to undo: the older code does not read `repeals`."""
