"""An identity's default configuration set (SESv2 PutEmailIdentityConfigurationSetAttributes).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "identities", sa.Column("default_configuration_set", sa.String(64), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("identities", "default_configuration_set")
