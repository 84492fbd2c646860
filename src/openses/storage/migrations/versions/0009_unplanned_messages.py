"""Accepting a message queues it for planning; the delivery worker plans its jobs. The Send
event is the message's own record (its acceptance), no longer a row of its own.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unplanned_messages",
        sa.Column("message_id", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("message_id"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.message_id"], ondelete="CASCADE"),
        sqlite_with_rowid=False,
    )
    # Every accepted send is its own Send event now (shown from the message row).
    op.execute("DELETE FROM message_events WHERE event_type = 'Send'")


def downgrade() -> None:
    # Messages still waiting to be planned are not delivered by the older version.
    op.drop_table("unplanned_messages")
