"""Statements of resource tags (per account, region and resource)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from openses.domain.tags import Tag, TaggedResource, Tags
from openses.storage.schema import resource_tags as tags
from openses.storage.statements import Statements


def _of(account_id: str, region: str, resource: TaggedResource) -> list[ColumnElement[bool]]:
    return [
        tags.c.account_id == account_id,
        tags.c.region == region,
        tags.c.resource_type == resource.type.value,
        tags.c.resource_name == resource.name,
    ]


class TagStatements(Statements):
    """The resource tag methods of the transaction."""

    async def list_resource_tags(
        self, account_id: str, region: str, resource: TaggedResource
    ) -> Tags:
        result = await self._conn.execute(
            select(tags.c.tag_key, tags.c.tag_value)
            .where(*_of(account_id, region, resource))
            .order_by(tags.c.position, self._ordered(tags.c.tag_key))
        )
        return tuple((str(key), str(value)) for key, value in result)

    async def put_resource_tags(
        self, account_id: str, region: str, resource: TaggedResource, given: Sequence[Tag]
    ) -> None:
        if not given:
            return
        result = await self._conn.execute(
            select(func.max(tags.c.position)).where(*_of(account_id, region, resource))
        )
        last = result.scalar_one()
        first = 0 if last is None else int(last) + 1
        values = [
            {
                "account_id": account_id,
                "region": region,
                "resource_type": resource.type.value,
                "resource_name": resource.name,
                "tag_key": key,
                "tag_value": value,
                "position": position,
            }
            for position, (key, value) in enumerate(given, start=first)
        ]
        # A key the resource has keeps its position: only its value changes.
        insert: Any = postgresql.insert(tags) if self._postgres else sqlite.insert(tags)
        statement = insert.values(values)
        await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=[column.name for column in tags.primary_key.columns],
                set_={"tag_value": statement.excluded.tag_value},
            )
        )

    async def delete_resource_tags(
        self,
        account_id: str,
        region: str,
        resource: TaggedResource,
        keys: Collection[str] | None = None,
    ) -> None:
        where = _of(account_id, region, resource)
        if keys is not None:
            if not keys:
                return
            where.append(tags.c.tag_key.in_(sorted(keys)))
        await self._conn.execute(delete(tags).where(*where))
