"""Identity notification settings and feedback forwarding; the account suppression list.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the change that adds these tables


def downgrade() -> None:
    pass
