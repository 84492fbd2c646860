"""The storage contract of SNS topics: topics, subscriptions, and the HTTP delivery queue.

The queue's claim is the part that must hold under concurrency: two claimers never lease the
same delivery, a live lease keeps a delivery from everyone else, an expired one (a dead worker)
makes it claimable again, and only the lease's owner may finish or reschedule it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from openses.domain.topics.records import (
    MessageType,
    Subscription,
    SubscriptionStatus,
    Topic,
    TopicDelivery,
)
from openses.domain.topics.retries import Backoff, RetryPolicy
from openses.services.ports import Conflict, Store
from openses.storage.store import SqlStore
from tests.contract.records import ACCOUNT, OTHER_ACCOUNT, OTHER_REGION, REGION, account, at

LEASE = timedelta(seconds=60)


def topic(name: str, account_id: str = ACCOUNT, region: str = REGION) -> Topic:
    arn = f"arn:aws:sns:{region}:{account_id}:{name}"
    return Topic(
        arn,
        account_id,
        region,
        name,
        {"Policy": '{"Statement": []}', "DisplayName": "Ünï"},
        at(0.001),
    )


def subscription(
    topic_arn: str,
    n: int,
    *,
    owner: str = ACCOUNT,
    status: SubscriptionStatus = SubscriptionStatus.CONFIRMED,
    expires: datetime | None = None,
) -> Subscription:
    return Subscription(
        arn=f"{topic_arn}:00000000-0000-4000-8000-{n:012d}",
        topic_arn=topic_arn,
        owner=owner,
        protocol="https",
        endpoint=f"https://example.com/hook/{n}?q=ü",
        status=status,
        token=f"token-{topic_arn}-{n}",
        token_expires_at=expires,
        created_at=at(0.002),
        attributes={"RawMessageDelivery": "true"},
        confirmation_authenticated=True,
        authenticate_on_unsubscribe=n % 2 == 0,
    )


def delivery(
    topic_arn: str, n: int, *, run_at: datetime | None = None, **changes: object
) -> TopicDelivery:
    made = TopicDelivery(
        delivery_id=f"message-{n}:1",
        topic_arn=topic_arn,
        subscription_arn=f"{topic_arn}:00000000-0000-4000-8000-{n % 3:012d}",
        endpoint="http://127.0.0.1:9/hook",
        message_type=MessageType.NOTIFICATION,
        message_id=f"message-{n}",
        message="Grüße ✓\r\n{json}",
        published_at=at(0.003),
        signature_version="2",
        retry=RetryPolicy(5, 50, 4, 1, 0, 1, Backoff.EXPONENTIAL),
        content_type="application/json",
        run_at=run_at or at(n),
        created_at=at(0.004),
        subject="Ünï",
        message_attributes='{"a":{"Type":"String","Value":"v"}}',
        raw=True,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


async def _setup(store: Store) -> tuple[Topic, Topic]:
    mine, other = topic("news"), topic("alerts", OTHER_ACCOUNT)
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        await tx.insert_topic(mine)
        await tx.insert_topic(other)
    return mine, other


async def test_topics_round_trip(store: Store) -> None:
    mine, other = await _setup(store)
    elsewhere = topic("news", region=OTHER_REGION)
    async with store.transaction() as tx:
        await tx.insert_topic(elsewhere)
        await tx.insert_topic(topic("a-first"))
        with pytest.raises(Conflict):
            await tx.insert_topic(mine)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_topic(mine.arn) == mine
        assert await tx.get_topic(mine.arn + "x") is None
        assert [t.name for t in await tx.list_topics(ACCOUNT, REGION)] == ["a-first", "news"]
        assert await tx.list_topics(ACCOUNT, OTHER_REGION) == [elsewhere]
        assert await tx.list_topics(OTHER_ACCOUNT, REGION) == [other]
    async with store.transaction() as tx:
        assert await tx.update_topic_attributes(mine.arn, {"Policy": "{}", "SignatureVersion": "2"})
        assert not await tx.update_topic_attributes("arn:aws:sns:us-east-1:1:none", {})
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_topic(mine.arn)
        assert found is not None
        assert found.attributes == {"Policy": "{}", "SignatureVersion": "2"}


async def test_subscriptions_round_trip(store: Store) -> None:
    mine, other = await _setup(store)
    pending = subscription(mine.arn, 1, status=SubscriptionStatus.PENDING, expires=at(100))
    confirmed = subscription(mine.arn, 2, owner=OTHER_ACCOUNT)
    foreign = subscription(other.arn, 3)
    async with store.transaction() as tx:
        for made in (confirmed, pending, foreign):
            await tx.insert_subscription(made)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_subscription(pending.arn) == pending
        assert await tx.find_subscription_by_token(pending.token or "") == pending
        assert await tx.find_subscription_by_token("nope") is None
        assert await tx.list_topic_subscriptions(mine.arn) == [pending, confirmed]
        assert await tx.list_account_subscriptions(ACCOUNT, REGION) == [pending, foreign]
        assert await tx.list_account_subscriptions(ACCOUNT, OTHER_REGION) == []
        assert await tx.list_account_subscriptions(OTHER_ACCOUNT, REGION) == [confirmed]
    changed = replace(
        pending,
        status=SubscriptionStatus.CONFIRMED,
        token=None,
        token_expires_at=None,
        attributes={},
    )
    async with store.transaction() as tx:
        assert await tx.update_subscription(changed)
        assert await tx.delete_subscription(foreign.arn)
        assert not await tx.delete_subscription(foreign.arn)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_subscription(pending.arn) == changed
        assert await tx.get_subscription(foreign.arn) is None


async def test_expired_pending_and_unsubscribed_subscriptions_are_purged(store: Store) -> None:
    mine, _ = await _setup(store)
    kept = [
        subscription(mine.arn, 1),
        subscription(mine.arn, 2, status=SubscriptionStatus.PENDING, expires=at(11)),
    ]
    purged = [
        subscription(mine.arn, 3, status=SubscriptionStatus.PENDING, expires=at(10)),
        subscription(mine.arn, 4, status=SubscriptionStatus.UNSUBSCRIBED, expires=at(5)),
    ]
    async with store.transaction() as tx:
        for made in (*kept, *purged):
            await tx.insert_subscription(made)
        assert await tx.delete_expired_subscriptions(at(10)) == 2
    async with store.transaction(read_only=True) as tx:
        assert await tx.list_topic_subscriptions(mine.arn) == kept


async def test_deleting_a_topic_takes_its_subscriptions_and_deliveries(store: Store) -> None:
    mine, other = await _setup(store)
    async with store.transaction() as tx:
        await tx.insert_subscription(subscription(mine.arn, 1))
        await tx.insert_subscription(subscription(other.arn, 2))
        await tx.enqueue_topic_deliveries([delivery(mine.arn, 1), delivery(other.arn, 2)])
        assert await tx.delete_topic(mine.arn)
        assert not await tx.delete_topic(mine.arn)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_topic(mine.arn) is None
        assert await tx.list_topic_subscriptions(mine.arn) == []
        assert len(await tx.list_topic_subscriptions(other.arn)) == 1
        assert await tx.count_topic_deliveries() == 1


async def test_claim_leases_due_deliveries_once(store: Store) -> None:
    mine, _ = await _setup(store)
    queued = [delivery(mine.arn, n) for n in range(1, 6)]  # due at at(1) … at(5)
    async with store.transaction() as tx:
        await tx.enqueue_topic_deliveries(queued)
        claimed = await tx.claim_topic_deliveries(
            now=at(3), lease_until=at(3) + LEASE, owner="w1", limit=10
        )
    assert [d.delivery_id for d in claimed] == ["message-1:1", "message-2:1", "message-3:1"]
    first = claimed[0]
    assert first == replace(queued[0], attempts=1, lease_owner="w1", lease_until=at(3) + LEASE)
    async with store.transaction() as tx:
        again = await tx.claim_topic_deliveries(
            now=at(10), lease_until=at(70), owner="w2", limit=10
        )
    assert [d.delivery_id for d in again] == ["message-4:1", "message-5:1"]  # the rest: leased

    async with store.transaction() as tx:
        assert not await tx.finish_topic_delivery("message-1:1", "w2")  # not w2's lease
        assert await tx.finish_topic_delivery("message-1:1", "w1")
        assert await tx.reschedule_topic_delivery(
            "message-2:1", "w1", run_at=at(30), error="HTTP 500"
        )
        assert not await tx.reschedule_topic_delivery("message-3:1", "w2", run_at=at(30), error="x")
    async with store.transaction() as tx:
        assert (
            await tx.claim_topic_deliveries(now=at(29), lease_until=at(89), owner="w3", limit=10)
            == []
        )
        retried = await tx.claim_topic_deliveries(
            now=at(30), lease_until=at(90), owner="w3", limit=10
        )
    assert [(d.delivery_id, d.attempts, d.lease_owner) for d in retried] == [
        ("message-2:1", 2, "w3")
    ]


async def test_expired_leases_are_claimed_again(store: Store) -> None:
    mine, _ = await _setup(store)
    async with store.transaction() as tx:
        await tx.enqueue_topic_deliveries([delivery(mine.arn, 1)])
        await tx.claim_topic_deliveries(now=at(1), lease_until=at(61), owner="dead", limit=1)
    async with store.transaction() as tx:
        assert (
            await tx.claim_topic_deliveries(now=at(60), lease_until=at(120), owner="w", limit=1)
            == []
        )
        taken = await tx.claim_topic_deliveries(now=at(61), lease_until=at(121), owner="w", limit=1)
    assert [(d.lease_owner, d.attempts) for d in taken] == [("w", 2)]
    async with store.transaction() as tx:
        assert not await tx.finish_topic_delivery("message-1:1", "dead")  # too late
        assert await tx.finish_topic_delivery("message-1:1", "w")
        assert await tx.count_topic_deliveries() == 0


async def test_dropping_a_subscriptions_notifications_keeps_its_confirmations(store: Store) -> None:
    mine, _ = await _setup(store)
    notice = delivery(mine.arn, 3)
    farewell = delivery(mine.arn, 6, message_type=MessageType.UNSUBSCRIBE_CONFIRMATION, token="t")
    assert notice.subscription_arn == farewell.subscription_arn
    async with store.transaction() as tx:
        await tx.enqueue_topic_deliveries([notice, farewell, delivery(mine.arn, 4)])
        assert await tx.drop_subscription_notifications(notice.subscription_arn) == 1
        assert await tx.count_topic_deliveries() == 2


async def test_many_deliveries_enqueue_in_one_call(store: Store) -> None:
    mine, _ = await _setup(store)
    async with store.transaction() as tx:
        await tx.enqueue_topic_deliveries(
            [delivery(mine.arn, n, run_at=at(0)) for n in range(1200)]
        )
        assert await tx.count_topic_deliveries() == 1200


async def test_concurrent_claimers_never_share_a_delivery(
    store: Store, store_url: str, backend: str
) -> None:
    """On PostgreSQL through two stores (as two processes would); SQLite has one writer per
    process, so its claimers share the store, which serializes them."""
    mine, _ = await _setup(store)
    total = 300
    async with store.transaction() as tx:
        await tx.enqueue_topic_deliveries(
            [delivery(mine.arn, n, run_at=at(0)) for n in range(total)]
        )
    second = SqlStore(store_url) if backend == "postgresql" else None
    try:

        async def claimer(claiming: Store, owner: str) -> list[str]:
            taken: list[str] = []
            while True:
                async with claiming.transaction() as tx:
                    batch = await tx.claim_topic_deliveries(
                        now=at(1), lease_until=at(61), owner=owner, limit=7
                    )
                if not batch:
                    return taken
                taken.extend(d.delivery_id for d in batch)
                await asyncio.sleep(0)

        results = await asyncio.gather(
            *(claimer(second if second and n % 2 else store, f"w{n}") for n in range(6))
        )
    finally:
        if second is not None:
            await second.close()
    every = [delivery_id for taken in results for delivery_id in taken]
    assert len(every) == total
    assert len(set(every)) == total
    assert sum(1 for taken in results if taken) > 1  # the claimers really interleaved
