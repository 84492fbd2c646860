"""The storage contract, delivery part: the planning queue, the job queue's claims and leases,
and message events."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from openses.domain.message_events import RecordedEvent
from openses.domain.queue import plan_jobs
from openses.services.ports import Store
from tests.contract.records import ACCOUNT, REGION, T0, at, message

LEASE = timedelta(minutes=5)


async def _accept(store: Store, message_id: str, *recipients: str) -> None:
    async with store.transaction() as tx:
        await tx.insert_message(message(message_id, recipients=recipients))
        await tx.insert_jobs(plan_jobs(message_id, ACCOUNT, REGION, recipients, T0))


async def test_jobs_are_planned_per_domain_and_claimed_with_their_message(store: Store) -> None:
    await _accept(store, "m1", "a@one.example", "b@Two.example", "c@ONE.example", "A@one.example")
    async with store.transaction() as tx:
        claimed = await tx.claim_jobs("w1", at(1), at(1) + LEASE, 10)
    assert [(c.job.job_id, c.job.domain, c.job.recipients) for c in claimed] == [
        ("m1.0", "one.example", ("a@one.example", "c@ONE.example")),
        ("m1.1", "two.example", ("b@Two.example",)),
    ]
    assert {c.message.message_id for c in claimed} == {"m1"}
    assert all(c.job.attempts == 1 and c.job.lease_owner == "w1" for c in claimed)
    assert all(c.job.lease_until == at(1) + LEASE for c in claimed)


async def test_a_leased_job_is_not_claimed_again_until_its_lease_runs_out(store: Store) -> None:
    await _accept(store, "m1", "a@one.example")
    async with store.transaction() as tx:
        assert len(await tx.claim_jobs("w1", at(1), at(1) + LEASE, 10)) == 1
    async with store.transaction() as tx:
        assert await tx.claim_jobs("w2", at(2), at(2) + LEASE, 10) == []
    later = at(1) + LEASE + timedelta(seconds=1)
    async with store.transaction() as tx:
        again = await tx.claim_jobs("w2", later, later + LEASE, 10)
    assert [(c.job.lease_owner, c.job.attempts) for c in again] == [("w2", 2)]
    # The first worker lost the job: it can neither finish nor reschedule it.
    async with store.transaction() as tx:
        assert not await tx.delete_job("m1.0", owner="w1")
        assert not await tx.update_job(again[0].job, owner="w1")
        assert await tx.delete_job("m1.0", owner="w2")
        assert await tx.list_jobs() == []


async def test_jobs_not_yet_due_wait_and_limit_takes_the_oldest(store: Store) -> None:
    for index in range(5):
        await _accept(store, f"m{index}", f"r{index}@example.net")
    async with store.transaction() as tx:
        first = await tx.claim_jobs("w", at(1), at(1) + LEASE, 2)
        assert [c.job.message_id for c in first] == ["m0", "m1"]
        rescheduled = [c.job for c in first]
    async with store.transaction() as tx:
        for job in rescheduled:
            saved = replace(job, run_at=at(100), lease_owner=None, lease_until=None)
            assert await tx.update_job(saved, owner="w")
    async with store.transaction() as tx:
        rest = await tx.claim_jobs("w", at(2), at(2) + LEASE, 10)
    assert [c.job.message_id for c in rest] == ["m2", "m3", "m4"]
    async with store.transaction() as tx:
        assert await tx.claim_jobs("w", at(3), at(3) + LEASE, 10) == []
        due = await tx.claim_jobs("w", at(100), at(100) + LEASE, 10)
    assert [c.job.message_id for c in due] == ["m0", "m1"]


async def test_concurrent_claimers_never_share_a_job(store: Store) -> None:
    for index in range(60):
        await _accept(store, f"m{index:02}", f"r{index}@example.net")

    async def claimer(name: str) -> list[str]:
        taken: list[str] = []
        while True:
            async with store.transaction() as tx:
                claimed = await tx.claim_jobs(name, at(1), at(1) + LEASE, 7)
            if not claimed:
                return taken
            taken.extend(c.job.job_id for c in claimed)

    results = await asyncio.gather(*(claimer(f"w{i}") for i in range(4)))
    every = [job for taken in results for job in taken]
    assert sorted(every) == sorted(f"m{index:02}.0" for index in range(60))


async def test_deleting_the_message_drops_its_jobs(store: Store) -> None:
    await _accept(store, "m1", "a@one.example", "b@two.example")
    async with store.transaction() as tx:
        assert await tx.delete_messages() == 1
        assert await tx.list_jobs() == []


async def test_events_round_trip_and_dedupe(store: Store) -> None:
    event = RecordedEvent(
        event_id="e1",
        message_id="m1",
        account_id=ACCOUNT,
        region=REGION,
        event_type="Bounce",
        at=at(5),
        recipients=("ü@example.net",),
        detail={"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "ü"}]},
        dedupe_key="dsn:abc",
    )
    async with store.transaction() as tx:
        assert await tx.insert_event(event)
    async with store.transaction() as tx:
        assert not await tx.insert_event(
            RecordedEvent("e2", "m1", ACCOUNT, REGION, "Bounce", at(6), (), {}, "dsn:abc")
        )
        await tx.insert_event(RecordedEvent("e3", "m1", ACCOUNT, REGION, "Send", at(1), ()))
    async with store.transaction(read_only=True) as tx:
        found = await tx.list_events(message_id="m1")
    assert [e.event_id for e in found] == ["e3", "e1"]
    assert found[1] == event


async def test_list_jobs_by_message(store: Store) -> None:
    await _accept(store, "m1", "a@d1.example", "b@d2.example", "c@d3.example")
    await _accept(store, "m2", "z@d1.example")
    async with store.transaction(read_only=True) as tx:
        jobs = await tx.list_jobs("m1")
        every = await tx.list_jobs()
    assert [job.domain for job in jobs] == ["d1.example", "d2.example", "d3.example"]
    assert len(every) == 4


async def _queue(store: Store, message_id: str, *recipients: str) -> None:
    """What acceptance writes: the message, queued for a worker to plan."""
    async with store.transaction() as tx:
        await tx.insert_message(message(message_id, recipients=recipients))
        await tx.queue_for_planning(message_id)


async def test_queued_messages_are_taken_oldest_first_once_each(store: Store) -> None:
    for index in (3, 1, 2, 0):
        await _queue(store, f"m{index}", f"a{index}@one.example", f"b{index}@Two.example")
    async with store.transaction() as tx:
        assert await tx.awaiting_plan("m2")
        first = await tx.take_unplanned(3)
    assert [u.message_id for u in first] == ["m0", "m1", "m2"]
    assert first[0].recipients == ("a0@one.example", "b0@Two.example")
    assert (first[0].account_id, first[0].region) == (ACCOUNT, REGION)
    assert [job.domain for job in first[0].jobs()] == ["one.example", "two.example"]
    async with store.transaction() as tx:
        assert not await tx.awaiting_plan("m2")
        assert await tx.awaiting_plan("m3")
        assert [u.message_id for u in await tx.take_unplanned(10)] == ["m3"]
        assert await tx.take_unplanned(10) == []


async def test_planned_jobs_are_due_from_acceptance(store: Store) -> None:
    await _queue(store, "m1", "a@one.example")
    async with store.transaction() as tx:
        (queued,) = await tx.take_unplanned(10)
        await tx.insert_jobs(queued.jobs())
        claimed = await tx.claim_jobs("w", at(1), at(1) + LEASE, 10)
    assert [(c.job.job_id, c.job.run_at, c.job.created_at) for c in claimed] == [
        ("m1.0", queued.accepted_at, queued.accepted_at)
    ]


async def test_a_rolled_back_take_leaves_the_message_queued(store: Store) -> None:
    await _queue(store, "m1", "a@one.example")

    class Abandoned(Exception):
        pass

    try:
        async with store.transaction() as tx:
            assert len(await tx.take_unplanned(10)) == 1
            raise Abandoned
    except Abandoned:
        pass
    async with store.transaction(read_only=True) as tx:
        assert await tx.awaiting_plan("m1")


async def test_deleting_the_message_drops_it_from_the_queue(store: Store) -> None:
    await _queue(store, "m1", "a@one.example")
    async with store.transaction() as tx:
        assert await tx.delete_messages() == 1
        assert not await tx.awaiting_plan("m1")
        assert await tx.take_unplanned(10) == []


async def test_concurrent_planners_never_take_the_same_message(store: Store) -> None:
    for index in range(40):
        await _queue(store, f"m{index:02}", f"r{index}@example.net")

    async def planner() -> list[str]:
        taken: list[str] = []
        while True:
            async with store.transaction() as tx:
                batch = await tx.take_unplanned(3)
                for queued in batch:
                    await tx.insert_jobs(queued.jobs())
            if not batch:
                return taken
            taken.extend(u.message_id for u in batch)

    results = await asyncio.gather(*(planner() for _ in range(4)))
    every = [message_id for taken in results for message_id in taken]
    assert sorted(every) == [f"m{index:02}" for index in range(40)]
