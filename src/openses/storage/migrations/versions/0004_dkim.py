"""Easy DKIM and BYODKIM keys and settings of identities, custom MAIL FROM domains.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the change that adds these tables


def downgrade() -> None:
    pass
