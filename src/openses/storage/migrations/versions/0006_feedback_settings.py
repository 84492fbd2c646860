"""Identity notification settings and feedback forwarding; the account suppression list.

Also each identity's custom MAIL FROM domain and where its MX check stands. Written out in
full (not derived from ``schema.py``); a test checks the migrations match ``schema.metadata``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_IDENTITY_KEY = ["account_id", "region", "identity"]
_IDENTITY_COLUMNS = ["identities.account_id", "identities.region", "identities.name"]


def upgrade() -> None:
    op.create_table(
        "identity_feedback",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("identity", sa.String(320), nullable=False),
        sa.Column("bounce_topic", sa.String(400), nullable=True),
        sa.Column("complaint_topic", sa.String(400), nullable=True),
        sa.Column("delivery_topic", sa.String(400), nullable=True),
        sa.Column("forwarding_enabled", sa.Boolean, nullable=False),
        sa.Column("headers_in_bounce", sa.Boolean, nullable=False),
        sa.Column("headers_in_complaint", sa.Boolean, nullable=False),
        sa.Column("headers_in_delivery", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint(*_IDENTITY_KEY),
        sa.ForeignKeyConstraint(_IDENTITY_KEY, _IDENTITY_COLUMNS, ondelete="CASCADE"),
    )
    op.create_table(
        "identity_mail_from",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("identity", sa.String(320), nullable=False),
        sa.Column("domain", sa.String(253), nullable=True),
        sa.Column("behavior", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=True),
        sa.Column("window_started_at", sa.BigInteger, nullable=True),
        sa.Column("checked_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint(*_IDENTITY_KEY),
        sa.ForeignKeyConstraint(_IDENTITY_KEY, _IDENTITY_COLUMNS, ondelete="CASCADE"),
    )
    op.create_index("identity_mail_from_due", "identity_mail_from", ["status", "checked_at"])
    op.create_table(
        "suppressed_destinations",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("email_address", sa.String(320), nullable=False),
        sa.Column("address_lower", sa.String(320), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("last_update_time", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=True),
        sa.Column("feedback_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "region", "email_address"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    op.create_index(
        "suppressed_by_address",
        "suppressed_destinations",
        ["account_id", "region", "address_lower"],
    )
    op.create_index(
        "suppressed_by_time",
        "suppressed_destinations",
        ["account_id", "region", "last_update_time"],
    )
    op.create_table(
        "account_suppression",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("account_suppression")
    op.drop_index("suppressed_by_time", table_name="suppressed_destinations")
    op.drop_index("suppressed_by_address", table_name="suppressed_destinations")
    op.drop_table("suppressed_destinations")
    op.drop_index("identity_mail_from_due", table_name="identity_mail_from")
    op.drop_table("identity_mail_from")
    op.drop_table("identity_feedback")
