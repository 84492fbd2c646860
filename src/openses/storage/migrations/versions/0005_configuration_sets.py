"""Configuration sets and their event destinations; the set and message tags of each message.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("configuration_set", sa.String(64), nullable=True))
    op.add_column("messages", sa.Column("tags", sa.Text, nullable=True))
    op.create_table(
        "configuration_sets",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("sending_enabled", sa.Boolean, nullable=False),
        sa.Column("reputation_metrics_enabled", sa.Boolean, nullable=False),
        sa.Column("last_fresh_start", sa.BigInteger, nullable=True),
        sa.Column("tls_policy", sa.String(16), nullable=False),
        sa.Column("max_delivery_seconds", sa.BigInteger, nullable=True),
        sa.Column("suppressed_reasons", sa.Text, nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "name"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_table(
        "event_destinations",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("configuration_set", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("matching_types", sa.Text, nullable=False),
        sa.Column("sns_topic_arn", sa.String(2048), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "region", "configuration_set", "name"),
        sa.ForeignKeyConstraint(
            ["account_id", "region", "configuration_set"],
            [
                "configuration_sets.account_id",
                "configuration_sets.region",
                "configuration_sets.name",
            ],
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("event_destinations")
    op.drop_table("configuration_sets")
    op.drop_column("messages", "tags")
    op.drop_column("messages", "configuration_set")
