"""document versions and background indexing jobs (issue 4)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 17:00:00

"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_META = (
    "id",
    "title",
    "language",
    "translation_of",
    "category",
    "issuer",
    "doc_number",
    "issued",
    "effective",
    "status",
    "jurisdiction",
    "source_url",
    "verified",
)


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # A database adopted from before migrations may already have these (create_all).
    columns = {c["name"] for c in inspector.get_columns("kb_documents")}
    tables = set(inspector.get_table_names())
    with op.batch_alter_table("kb_documents", schema=None) as batch_op:
        if "version" not in columns:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )
        if "withdrawn_at" not in columns:
            batch_op.add_column(
                sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
            )
    if "kb_document_versions" not in tables:
        op.create_table(
            "kb_document_versions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("document_id", sa.String(length=120), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("content_hash", sa.String(length=64), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("meta", sa.JSON(), nullable=False),
            sa.Column("change", sa.String(length=20), nullable=False),
            sa.Column("changed_by", sa.String(length=200), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("document_id", "version"),
        )
        with op.batch_alter_table("kb_document_versions", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_kb_document_versions_document_id"), ["document_id"], unique=False
            )
        _backfill_versions(bind)
    if "kb_index_jobs" not in tables:
        op.create_table(
            "kb_index_jobs",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("document_id", sa.String(length=120), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("target_version", sa.Integer(), nullable=False),
            sa.Column("filename", sa.String(length=300), nullable=False),
            sa.Column("staged_path", sa.String(length=500), nullable=False),
            sa.Column("meta", sa.JSON(), nullable=False),
            sa.Column("requested_by", sa.String(length=200), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("done", sa.Integer(), nullable=False),
            sa.Column("total", sa.Integer(), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("kb_index_jobs", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_kb_index_jobs_document_id"), ["document_id"], unique=False
            )
            batch_op.create_index(batch_op.f("ix_kb_index_jobs_status"), ["status"], unique=False)


def _backfill_versions(bind) -> None:  # type: ignore[no-untyped-def]
    """Every document already indexed becomes version 1, with its text, so it can be cited."""
    documents = sa.table(
        "kb_documents",
        *(sa.column(name) for name in _META),
        sa.column("extra", sa.JSON()),
        sa.column("text"),
        sa.column("content_hash"),
    )
    versions = sa.table(
        "kb_document_versions",
        sa.column("document_id"),
        sa.column("version"),
        sa.column("content_hash"),
        sa.column("text"),
        sa.column("meta", sa.JSON()),
        sa.column("change"),
        sa.column("changed_by"),
        sa.column("note"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = []
    for row in bind.execute(sa.select(documents)).mappings():
        extra = row["extra"]
        if isinstance(extra, str):
            extra = json.loads(extra)
        meta = {**(extra or {}), **{name: row[name] for name in _META}}
        meta["verified"] = bool(meta["verified"])
        rows.append(
            {
                "document_id": row["id"],
                "version": 1,
                "content_hash": row["content_hash"],
                "text": row["text"],
                "meta": meta,
                "change": "created",
                "changed_by": None,
                "note": "recorded when versions were introduced",
                "created_at": now,
            }
        )
    if rows:
        op.bulk_insert(versions, rows)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("kb_index_jobs")
    op.drop_table("kb_document_versions")
    with op.batch_alter_table("kb_documents", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("version")
