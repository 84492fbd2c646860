"""The topics service's worker on a real SQLite store with a scripted HTTP pusher."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import rsa

from openses.domain.accounts import Account
from openses.domain.topics.pushes import PushOutcome, PushRequest
from openses.domain.topics.signing import MessageSigner
from openses.services.accounts import AccountsService
from openses.services.topics import TopicsService
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, root_call

ACCOUNT = "111122223333"
SIGNER = MessageSigner(
    rsa.generate_private_key(public_exponent=65537, key_size=2048), "https://x/c.pem"
)


class ScriptedPusher:
    """Answers each POST with the next scripted outcome (200 when the script runs out)."""

    def __init__(self, *outcomes: PushOutcome) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[PushRequest] = []

    async def post_all(self, requests: Sequence[PushRequest]) -> list[PushOutcome]:
        self.sent.extend(requests)
        return [self.outcomes.pop(0) if self.outcomes else PushOutcome(200) for _ in requests]


async def service(store: SqlStore, pusher: ScriptedPusher) -> TopicsService:
    async with store.transaction() as tx:
        await tx.insert_account(Account(ACCOUNT, T0))
    return TopicsService(
        store, AccountsService(store), signer=SIGNER, public_url="http://o", pusher=pusher
    )


async def test_timeouts_are_retried_and_unusable_rows_fail_alone(store: SqlStore) -> None:
    pusher = ScriptedPusher(PushOutcome(None, "timed out"))
    topics = await service(store, pusher)
    call = root_call(ACCOUNT)
    topic = await topics.create_topic(call, "t")
    await topics.subscribe(call, topic, "http", "http://127.0.0.1:9/a")
    await topics.subscribe(call, topic, "http", "http://127.0.0.1:9/b")
    async with store.transaction() as tx:  # make b's confirmation unbuildable (no token)
        claimed = await tx.claim_topic_deliveries(now=T0, lease_until=T0, owner="x", limit=10)
        broken = next(d for d in claimed if d.endpoint.endswith("/b"))
        await tx.finish_topic_delivery(broken.delivery_id, "x")
        await tx.enqueue_topic_deliveries(
            [replace(broken, token=None, lease_owner=None, lease_until=None, attempts=0)]
        )

    assert await topics.deliver_due(T0, limit=10) == 2
    assert [request.url for request in pusher.sent] == ["http://127.0.0.1:9/a"]
    assert await topics.deliver_due(T0 + timedelta(seconds=19), limit=10) == 0
    assert await topics.deliver_due(T0 + timedelta(seconds=20), limit=10) == 2  # both retried
    assert [request.url for request in pusher.sent][-1] == "http://127.0.0.1:9/a"
    async with store.transaction(read_only=True) as tx:
        assert await tx.count_topic_deliveries() == 1  # a delivered; b waits for its next try


async def test_expired_pending_subscriptions_are_purged(store: SqlStore) -> None:
    topics = await service(store, ScriptedPusher())
    call = root_call(ACCOUNT)
    topic = await topics.create_topic(call, "t")
    await topics.subscribe(call, topic, "http", "http://127.0.0.1:9/a")
    assert await topics.purge_expired(T0 + timedelta(days=2)) == 0
    later = replace(call, now=T0 + timedelta(days=3))
    assert await topics.list_subscriptions(later) == []  # hidden once the token expired
    assert await topics.purge_expired(T0 + timedelta(days=3)) == 1
    async with store.transaction(read_only=True) as tx:
        assert await tx.list_topic_subscriptions(topic) == []
