"""The initial schema: accounts, IAM users and keys, identities and their policies, messages.

Written out in full (not derived from ``schema.py``) so that this revision keeps meaning the
same thing when the schema moves on; a test checks it matches ``schema.metadata``.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("production", sa.Boolean, nullable=False),
        sa.Column("sending_enabled", sa.Boolean, nullable=False),
        sa.Column("max_24_hour_send", sa.Float, nullable=False),
        sa.Column("max_send_rate", sa.Float, nullable=False),
    )
    op.create_table(
        "region_sending",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_table(
        "iam_users",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "name"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_table(
        "access_keys",
        sa.Column("access_key_id", sa.String(128), primary_key=True),
        sa.Column("secret_access_key", sa.String(128), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=True),
        sa.Column("service", sa.String(255), nullable=True),
        sa.Column("source_arn", sa.String(2048), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_index("access_keys_by_owner", "access_keys", ["account_id", "user_name"])
    op.create_table(
        "user_policies",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("policy_name", sa.String(128), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "user_name", "policy_name"),
        sa.ForeignKeyConstraint(
            ["account_id", "user_name"],
            ["iam_users.account_id", "iam_users.name"],
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "identities",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(320), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("token", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("verification_started_at", sa.BigInteger, nullable=False),
        sa.Column("verified_at", sa.BigInteger, nullable=True),
        sa.Column("verified_by", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "region", "name"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_index("identities_by_token", "identities", ["token"])
    op.create_index(
        "identities_pending", "identities", ["kind", "status", "verification_started_at"]
    )
    op.create_table(
        "identity_policies",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("identity", sa.String(320), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "identity", "name"),
        sa.ForeignKeyConstraint(
            ["account_id", "region", "identity"],
            ["identities.account_id", "identities.region", "identities.name"],
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "messages",
        sa.Column("message_id", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(320), nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("recipient_count", sa.Integer, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("caller_arn", sa.String(2048), nullable=True),
        sa.Column("identity_arns", sa.Text, nullable=False),
        sa.Column("governing_arns", sa.Text, nullable=False),
        sa.Column("statements", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
    )
    op.create_index(
        "messages_by_account", "messages", ["account_id", "region", "kind", "created_at"]
    )
    op.create_index("messages_by_time", "messages", ["created_at"])


def downgrade() -> None:
    for index, table in (
        ("messages_by_time", "messages"),
        ("messages_by_account", "messages"),
        ("identities_pending", "identities"),
        ("identities_by_token", "identities"),
        ("access_keys_by_owner", "access_keys"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "messages",
        "identity_policies",
        "identities",
        "user_policies",
        "access_keys",
        "iam_users",
        "region_sending",
        "accounts",
    ):
        op.drop_table(table)
