"""The capture outbox: what OpenSES accepted or generated, for operators and tests to read."""

from __future__ import annotations

from collections.abc import Sequence

from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage, MessageFilter, MessageKind
from openses.domain.queue import DeliveryJob, plan_jobs
from openses.services.accepted import send_record
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

    async def history(
        self, message_id: str
    ) -> tuple[CapturedMessage, Sequence[RecordedEvent], Sequence[DeliveryJob]] | None:
        """A message with its events (oldest first; a send's Send event is its acceptance)
        and the deliveries still pending (as they will be planned, if no worker has yet)."""
        async with self.store.transaction(read_only=True) as tx:
            message = await tx.get_message(message_id)
            if message is None:
                return None
            events = await tx.list_events(message_id=message_id)
            jobs: Sequence[DeliveryJob]
            if await tx.awaiting_plan(message_id):
                jobs = plan_jobs(
                    message_id,
                    message.account_id,
                    message.region,
                    message.recipients,
                    message.created_at,
                )
            else:
                jobs = await tx.list_jobs(message_id)
        if message.kind is MessageKind.SEND:
            events = [send_record(message), *events]
        return message, events, jobs

    async def clear(self) -> int:
        async with self.store.transaction() as tx:
            return await tx.delete_messages()
