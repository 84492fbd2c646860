"""The daily quota's running total, kept with each send-rate bucket (domain.quota).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: not counted yet; the next send sums the ledger once.
    op.add_column("send_rates", sa.Column("window_start", sa.BigInteger, nullable=True))
    op.add_column("send_rates", sa.Column("window_sent", sa.BigInteger, nullable=True))


def downgrade() -> None:
    op.drop_column("send_rates", "window_sent")
    op.drop_column("send_rates", "window_start")
