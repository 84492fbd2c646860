"""Easy DKIM and BYODKIM: the DKIM settings and keys of identities, and the Easy DKIM tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_dkim",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("identity", sa.String(320), nullable=False),
        sa.Column("signing_enabled", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(40), nullable=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("selectors", sa.Text, nullable=False),
        sa.Column("private_keys", sa.Text, nullable=False),
        sa.Column("active", sa.Integer, nullable=False),
        sa.Column("current_key_length", sa.Integer, nullable=True),
        sa.Column("next_key_length", sa.Integer, nullable=True),
        sa.Column("key_generated_at", sa.BigInteger, nullable=True),
        sa.Column("length_changed_at", sa.BigInteger, nullable=True),
        sa.Column("downgraded_at", sa.BigInteger, nullable=True),
        sa.Column("check_started_at", sa.BigInteger, nullable=True),
        sa.Column("checked_at", sa.BigInteger, nullable=True),
        sa.Column("succeeded_at", sa.BigInteger, nullable=True),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "identity"),
        sa.ForeignKeyConstraint(
            ["account_id", "region", "identity"],
            ["identities.account_id", "identities.region", "identities.name"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("identity_dkim_due", "identity_dkim", ["status", "checked_at"])
    op.create_table(
        "dkim_tokens",
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("identity", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("token"),
        sa.ForeignKeyConstraint(
            ["account_id", "region", "identity"],
            ["identity_dkim.account_id", "identity_dkim.region", "identity_dkim.identity"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("dkim_tokens_by_identity", "dkim_tokens", ["account_id", "region", "identity"])


def downgrade() -> None:
    op.drop_index("dkim_tokens_by_identity", table_name="dkim_tokens")
    op.drop_table("dkim_tokens")
    op.drop_index("identity_dkim_due", table_name="identity_dkim")
    op.drop_table("identity_dkim")
