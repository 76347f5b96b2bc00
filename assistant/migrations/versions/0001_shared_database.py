"""The shared database: answer log, feedback, uploaded originals, rate-limit windows.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

A SQLite file written before Alembic (answers + feedback, same columns) is adopted: existing
tables are kept, only the missing ones are created.
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "answers" not in existing:
        op.create_table(
            "answers",
            sa.Column("answer_id", sa.String(64), primary_key=True),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("client", sa.String(128)),
            sa.Column("key_name", sa.String(64)),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("filters", sa.Text),
            sa.Column("answer", sa.Text),
            sa.Column("found", sa.Boolean),
            sa.Column("citations", sa.Text),
            sa.Column("latency_ms", sa.Float),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("error", sa.Text),
        )
        op.create_index("ix_answers_created_at", "answers", ["created_at"])
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("feedback_id", sa.Integer, sa.Identity(), primary_key=True),
            sa.Column("answer_id", sa.String(64), sa.ForeignKey("answers.answer_id"), nullable=False),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 1)", name="feedback_rating"),
                      nullable=False),
            sa.Column("comment", sa.Text),
            sa.Column("channel", sa.String(32), nullable=False),
            sa.Column("client", sa.String(128)),
        )
        op.create_index("ix_feedback_answer_id", "feedback", ["answer_id"])
    op.create_table(
        "uploads",
        sa.Column("path", sa.String(512), primary_key=True),
        sa.Column("filename", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("sidecar", sa.Text),
        sa.Column("doc_id", sa.String(160)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("committed", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_uploads_sha256", "uploads", ["sha256"])
    op.create_table(
        "rate_windows",
        sa.Column("bucket", sa.String(160), primary_key=True),
        sa.Column("window", sa.Integer, primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_windows")
    op.drop_index("ix_uploads_sha256", "uploads")
    op.drop_table("uploads")
    op.drop_index("ix_feedback_answer_id", "feedback")
    op.drop_table("feedback")
    op.drop_index("ix_answers_created_at", "answers")
    op.drop_table("answers")
