"""A message's history as operators see it: its Send event is its acceptance, and a message no
worker has planned yet shows the deliveries it will get."""

from __future__ import annotations

from openses.domain.outbox import MessageKind
from openses.services.outbox import OutboxService
from openses.storage.store import SqlStore
from tests.contract.records import message


async def _history(store: SqlStore, message_id: str) -> tuple[list[str], list[tuple[str, str]]]:
    found = await OutboxService(store).history(message_id)
    assert found is not None
    _, events, jobs = found
    return [e.event_type for e in events], [(j.job_id, j.domain) for j in jobs]


async def test_a_queued_send_shows_its_send_event_and_the_jobs_it_will_get(
    store: SqlStore,
) -> None:
    accepted = message("m1", recipients=("a@one.example", "b@Two.example"))
    async with store.transaction() as tx:
        await tx.insert_message(accepted)
        await tx.queue_for_planning("m1")
    planned = [("m1.0", "one.example"), ("m1.1", "two.example")]
    assert await _history(store, "m1") == (["Send"], planned)
    async with store.transaction() as tx:  # a worker plans it, and delivers to one domain
        for queued in await tx.take_unplanned(10):
            await tx.insert_jobs(queued.jobs())
        (first, _) = await tx.list_jobs("m1")
        claimed = await tx.claim_jobs("w", accepted.created_at, accepted.created_at, 1)
        assert await tx.delete_job(claimed[0].job.job_id, owner="w")
    assert first.job_id == "m1.0"
    assert await _history(store, "m1") == (["Send"], [("m1.1", "two.example")])


async def test_only_a_send_has_a_send_event(store: SqlStore) -> None:
    async with store.transaction() as tx:
        await tx.insert_message(message("v1", kind=MessageKind.VERIFICATION))
        await tx.queue_for_planning("v1")
    assert await _history(store, "v1") == ([], [("v1.0", "example.net")])
