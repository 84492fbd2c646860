"""Resource tags of every SES v2 resource in one table; the tags configuration sets and custom
verification templates kept in a JSON column move there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: The tables that kept their tags in a ``tags`` column, with their resources' ARN type.
_TAGGED = (
    ("configuration_sets", "configuration-set"),
    ("custom_verification_templates", "custom-verification-email-template"),
)


def _tags_table() -> sa.TableClause:
    return sa.table(
        "resource_tags",
        sa.column("account_id", sa.String),
        sa.column("region", sa.String),
        sa.column("resource_type", sa.String),
        sa.column("resource_name", sa.String),
        sa.column("tag_key", sa.String),
        sa.column("tag_value", sa.String),
        sa.column("position", sa.Integer),
    )


def _owner_table(name: str) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("account_id", sa.String),
        sa.column("region", sa.String),
        sa.column("name", sa.String),
        sa.column("tags", sa.Text),
    )


def upgrade() -> None:
    op.create_table(
        "resource_tags",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_name", sa.String(320), nullable=False),
        sa.Column("tag_key", sa.String(128), nullable=False),
        sa.Column("tag_value", sa.String(256), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id", "region", "resource_type", "resource_name", "tag_key"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
    )
    bind = op.get_bind()
    moved: list[dict[str, object]] = []
    for table_name, resource_type in _TAGGED:
        owner = _owner_table(table_name)
        found = bind.execute(
            sa.select(owner.c.account_id, owner.c.region, owner.c.name, owner.c.tags)
        )
        for account_id, region, name, text in found:
            pairs = {str(key): str(value) for key, value in json.loads(text or "[]")}
            moved.extend(
                {
                    "account_id": account_id,
                    "region": region,
                    "resource_type": resource_type,
                    "resource_name": name,
                    "tag_key": key,
                    "tag_value": value,
                    "position": position,
                }
                for position, (key, value) in enumerate(pairs.items())
            )
    if moved:
        bind.execute(sa.insert(_tags_table()), moved)
    for table_name, _ in _TAGGED:
        op.drop_column(table_name, "tags")


def downgrade() -> None:
    bind = op.get_bind()
    tags = _tags_table()
    for table_name, resource_type in _TAGGED:
        op.add_column(table_name, sa.Column("tags", sa.Text, nullable=False, server_default="[]"))
        kept: dict[tuple[str, str, str], list[list[str]]] = {}
        found = bind.execute(
            sa.select(
                tags.c.account_id,
                tags.c.region,
                tags.c.resource_name,
                tags.c.tag_key,
                tags.c.tag_value,
            )
            .where(tags.c.resource_type == resource_type)
            .order_by(tags.c.position)
        )
        for account_id, region, name, key, value in found:
            kept.setdefault((account_id, region, name), []).append([key, value])
        owner = _owner_table(table_name)
        for (account_id, region, name), pairs in kept.items():
            bind.execute(
                sa.update(owner)
                .where(owner.c.account_id == account_id, owner.c.region == region)
                .where(owner.c.name == name)
                .values(tags=json.dumps(pairs))
            )
    op.drop_table("resource_tags")
