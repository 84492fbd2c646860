"""SNS-compatible topics, subscriptions and their HTTP delivery queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sns_topics",
        sa.Column("arn", sa.String(512), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("arn"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_index("sns_topics_by_account", "sns_topics", ["account_id", "region"])
    op.create_table(
        "sns_subscriptions",
        sa.Column("arn", sa.String(600), nullable=False),
        sa.Column("topic_arn", sa.String(512), nullable=False),
        sa.Column("owner", sa.String(12), nullable=False),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("token", sa.String(256), nullable=True),
        sa.Column("token_expires_at", sa.BigInteger, nullable=True),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("confirmation_authenticated", sa.Boolean, nullable=False),
        sa.Column("authenticate_on_unsubscribe", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("arn"),
        sa.ForeignKeyConstraint(["topic_arn"], ["sns_topics.arn"], ondelete="CASCADE"),
    )
    op.create_index("sns_subscriptions_by_topic", "sns_subscriptions", ["topic_arn"])
    op.create_index("sns_subscriptions_by_owner", "sns_subscriptions", ["owner"])
    op.create_index("sns_subscriptions_by_token", "sns_subscriptions", ["token"])
    op.create_table(
        "sns_deliveries",
        sa.Column("delivery_id", sa.String(128), nullable=False),
        sa.Column("topic_arn", sa.String(512), nullable=False),
        sa.Column("subscription_arn", sa.String(600), nullable=False),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("message_type", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("token", sa.String(256), nullable=True),
        sa.Column("message_attributes", sa.Text, nullable=True),
        sa.Column("raw", sa.Boolean, nullable=False),
        sa.Column("published_at", sa.BigInteger, nullable=False),
        sa.Column("signature_version", sa.String(1), nullable=False),
        sa.Column("retry_policy", sa.Text, nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("run_at", sa.BigInteger, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("delivery_id"),
    )
    op.create_index("sns_deliveries_due", "sns_deliveries", ["run_at"])
    op.create_index("sns_deliveries_by_subscription", "sns_deliveries", ["subscription_arn"])
    op.create_index("sns_deliveries_by_topic", "sns_deliveries", ["topic_arn"])


def downgrade() -> None:
    op.drop_table("sns_deliveries")
    op.drop_table("sns_subscriptions")
    op.drop_table("sns_topics")
