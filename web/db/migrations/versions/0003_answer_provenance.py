"""answers provenance, feedback and request attachments of answers (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 17:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    inspector = sa.inspect(op.get_bind())
    # A database adopted from before migrations may already have these (create_all).
    tables = set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("rt_conversation_turns")}
    with op.batch_alter_table("rt_conversation_turns", schema=None) as batch_op:
        if "answer_id" not in columns:
            batch_op.add_column(sa.Column("answer_id", sa.String(length=32), nullable=True))
            batch_op.create_unique_constraint("uq_rt_conversation_turns_answer_id", ["answer_id"])
        if "asker_id" not in columns:
            batch_op.add_column(sa.Column("asker_id", sa.Integer(), nullable=True))
        if "company_id" not in columns:
            batch_op.add_column(sa.Column("company_id", sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f("ix_rt_conversation_turns_company_id"), ["company_id"], unique=False
            )
    if "rt_answer_sources" not in tables:
        op.create_table(
            "rt_answer_sources",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("answer_id", sa.String(length=32), nullable=False),
            sa.Column("n", sa.Integer(), nullable=False),
            sa.Column("chunk_id", sa.String(length=32), nullable=False),
            sa.Column("document_id", sa.String(length=120), nullable=False),
            sa.Column("document_version", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=300), nullable=False),
            sa.Column("section", sa.String(length=500), nullable=True),
            sa.Column("quote", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("rt_answer_sources", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_rt_answer_sources_answer_id"), ["answer_id"], unique=False
            )
            batch_op.create_index(
                "ix_rt_answer_sources_document", ["document_id", "document_version"], unique=False
            )
    if "rt_answer_feedback" not in tables:
        op.create_table(
            "rt_answer_feedback",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("answer_id", sa.String(length=32), nullable=False),
            sa.Column("giver", sa.String(length=40), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=True),
            sa.Column("company_id", sa.Integer(), nullable=True),
            sa.Column("helpful", sa.Boolean(), nullable=False),
            sa.Column("reason", sa.String(length=20), nullable=True),
            sa.Column("comment", sa.Text(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("answer_id", "giver"),
        )
        with op.batch_alter_table("rt_answer_feedback", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_rt_answer_feedback_answer_id"), ["answer_id"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_rt_answer_feedback_created_at"), ["created_at"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_rt_answer_feedback_helpful"), ["helpful"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_rt_answer_feedback_reason"), ["reason"], unique=False
            )
    if "portal_request_answers" not in tables:
        op.create_table(
            "portal_request_answers",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("request_id", sa.Integer(), nullable=False),
            sa.Column("answer_id", sa.String(length=32), nullable=False),
            sa.Column("question", sa.Text(), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.Column("language", sa.String(length=4), nullable=False),
            sa.Column("refused", sa.Boolean(), nullable=False),
            sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("citations", sa.JSON(), nullable=False),
            sa.Column("attached_by_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["attached_by_id"], ["portal_users.id"]),
            sa.ForeignKeyConstraint(["request_id"], ["portal_requests.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("request_id", "answer_id"),
        )
        with op.batch_alter_table("portal_request_answers", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_portal_request_answers_answer_id"), ["answer_id"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_portal_request_answers_request_id"), ["request_id"], unique=False
            )
    if "portal_impact_notices" not in tables:
        op.create_table(
            "portal_impact_notices",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("document_id", sa.String(length=120), nullable=False),
            sa.Column("document_version", sa.Integer(), nullable=False),
            sa.Column("target", sa.String(length=40), nullable=False),
            sa.Column("company_id", sa.Integer(), nullable=False),
            sa.Column("request_id", sa.Integer(), nullable=True),
            sa.Column("notified_by_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["company_id"], ["portal_companies.id"]),
            sa.ForeignKeyConstraint(["notified_by_id"], ["portal_users.id"]),
            sa.ForeignKeyConstraint(["request_id"], ["portal_requests.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("document_id", "document_version", "target"),
        )
        with op.batch_alter_table("portal_impact_notices", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_portal_impact_notices_document_id"), ["document_id"], unique=False
            )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("portal_impact_notices")
    op.drop_table("portal_request_answers")
    op.drop_table("rt_answer_feedback")
    op.drop_table("rt_answer_sources")
    with op.batch_alter_table("rt_conversation_turns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rt_conversation_turns_company_id"))
        batch_op.drop_constraint("uq_rt_conversation_turns_answer_id", type_="unique")
        batch_op.drop_column("company_id")
        batch_op.drop_column("asker_id")
        batch_op.drop_column("answer_id")
