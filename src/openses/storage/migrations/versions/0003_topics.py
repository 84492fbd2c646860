"""SNS-compatible topics, subscriptions and their HTTP delivery queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the change that adds these tables


def downgrade() -> None:
    pass
