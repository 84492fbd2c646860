"""What resource tags need from the store (a part of :class:`~openses.services.ports.Tx`).

Tags are kept per account and region, by resource (type and name), in the order they were
first given; a resource's tags are removed in the transaction that deletes it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from openses.domain.tags import Tag, TaggedResource, Tags


class TagsTx(Protocol):
    async def list_resource_tags(
        self, account_id: str, region: str, resource: TaggedResource
    ) -> Tags:
        """The resource's tags, oldest key first."""

    async def put_resource_tags(
        self, account_id: str, region: str, resource: TaggedResource, tags: Sequence[Tag]
    ) -> None:
        """Adds ``tags`` (unique keys): a key the resource has takes the new value and keeps
        its place, new keys come after the others in the order given."""

    async def delete_resource_tags(
        self,
        account_id: str,
        region: str,
        resource: TaggedResource,
        keys: Collection[str] | None = None,
    ) -> None:
        """Removes ``keys`` (those the resource does not have are ignored), or every tag."""
