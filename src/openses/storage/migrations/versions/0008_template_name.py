"""The template a templated send used, kept with the message (its RenderingFailure event names it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("template_name", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "template_name")
