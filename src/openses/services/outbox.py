"""The capture outbox: what OpenSES accepted or generated, for operators and tests to read."""

from __future__ import annotations

from openses.domain.outbox import CapturedMessage, MessageFilter
from openses.services.ports import Store


class OutboxService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def list(self, where: MessageFilter) -> list[CapturedMessage]:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.list_messages(where)

    async def get(self, message_id: str) -> CapturedMessage | None:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.get_message(message_id)

    async def clear(self) -> int:
        async with self.store.transaction() as tx:
            return await tx.delete_messages()
