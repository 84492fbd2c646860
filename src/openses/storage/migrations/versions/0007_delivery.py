"""The delivery queue, message events; each message's identity, caller and feedback addresses.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("source_arn", sa.String(2048), nullable=True))
    op.add_column("messages", sa.Column("source_ip", sa.String(64), nullable=True))
    op.add_column("messages", sa.Column("feedback_address", sa.String(320), nullable=True))
    op.create_table(
        "delivery_jobs",
        sa.Column("job_id", sa.String(96), nullable=False),
        sa.Column("message_id", sa.String(80), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("run_at", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("first_attempt_at", sa.BigInteger, nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("job_id"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.message_id"], ondelete="CASCADE"),
    )
    op.create_index("delivery_jobs_due", "delivery_jobs", ["run_at"])
    op.create_index("delivery_jobs_by_message", "delivery_jobs", ["message_id"])
    op.create_table(
        "message_events",
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(80), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("event_type", sa.String(24), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("message_events_by_message", "message_events", ["message_id", "at"])
    op.create_index("message_events_by_account", "message_events", ["account_id", "region", "at"])


def downgrade() -> None:
    op.drop_table("message_events")
    op.drop_table("delivery_jobs")
    op.drop_column("messages", "feedback_address")
    op.drop_column("messages", "source_ip")
    op.drop_column("messages", "source_arn")
