"""Sending: the per-minute send ledger, send-rate buckets, email templates, message errors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("error", sa.Text, nullable=True))
    op.create_table(
        "send_counts",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("minute", sa.BigInteger, nullable=False),
        sa.Column("delivery_attempts", sa.Integer, nullable=False),
        sa.Column("quota_recipients", sa.Integer, nullable=False),
        sa.Column("bounces", sa.Integer, nullable=False),
        sa.Column("complaints", sa.Integer, nullable=False),
        sa.Column("rejects", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "minute"),
    )
    op.create_table(
        "send_rates",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region"),
    )
    op.create_table(
        "templates",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("html", sa.Text, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "name"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("templates")
    op.drop_table("send_rates")
    op.drop_table("send_counts")
    op.drop_column("messages", "error")
