"""The HTTP delivery worker: claim due deliveries with a lease, POST them, record the outcome.

Every message to an endpoint is a queued delivery written in the transaction that causes it.
:meth:`TopicDeliveries.deliver_due` leases a batch (so concurrent workers, in this process or
another, never send the same one twice at once), POSTs it concurrently outside any
transaction, then deletes the delivered (and the given up) and reschedules the failed along
their retry policy (:mod:`openses.domain.topics.retries`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from openses.domain.topics.pushes import Next, PushOutcome, PushRequest, next_step, push_request
from openses.domain.topics.records import TopicDelivery
from openses.services.ports import Tx
from openses.services.topic_access import TopicsBase

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
POLL_SECONDS = 1.0
BATCH = 64
PURGE_EVERY = timedelta(minutes=10)
"""How long a claimed delivery is one worker's: longer than the 15-second HTTP timeout."""


class TopicDeliveries(TopicsBase):
    async def deliver_due(self, now: datetime, *, limit: int) -> int:
        """Claim up to ``limit`` due deliveries, POST them, record what happened; how many."""
        async with self.store.transaction() as tx:
            claimed = await tx.claim_topic_deliveries(
                now=now, lease_until=now + LEASE, owner=self.worker_id, limit=limit
            )
        if not claimed:
            return 0
        outcomes: dict[str, PushOutcome] = {}
        sending: list[TopicDelivery] = []
        requests: list[PushRequest] = []
        for delivery in claimed:
            try:
                requests.append(push_request(delivery, self.signer, self.public_url))
                sending.append(delivery)
            except Exception as error:  # a row no message can be made of: fail it, not the batch
                log.exception("cannot build SNS message %s", delivery.delivery_id)
                outcomes[delivery.delivery_id] = PushOutcome(None, f"not sendable: {error}")
        for delivery, outcome in zip(sending, await self.pusher.post_all(requests), strict=True):
            outcomes[delivery.delivery_id] = outcome
        async with self.store.transaction() as tx:
            for delivery in claimed:
                await self._record(tx, delivery, outcomes[delivery.delivery_id], now)
        return len(claimed)

    async def _record(
        self, tx: Tx, delivery: TopicDelivery, outcome: PushOutcome, now: datetime
    ) -> None:
        step = next_step(delivery, outcome, now)
        if step.next is Next.RETRY:
            assert step.run_at is not None
            await tx.reschedule_topic_delivery(
                delivery.delivery_id, self.worker_id, run_at=step.run_at, error=outcome.describe()
            )
            return
        await tx.finish_topic_delivery(delivery.delivery_id, self.worker_id)
        if step.next is Next.DROP:
            log.warning(
                "dropped %s %s for %s after %d attempts (last: %s)",
                delivery.message_type.value,
                delivery.message_id,
                delivery.subscription_arn,
                delivery.attempts,
                outcome.describe(),
            )
        elif outcome.status is not None and outcome.status >= 400:
            log.info(
                "%s refused %s %s with HTTP %d (not retried, as SNS does)",
                delivery.endpoint,
                delivery.message_type.value,
                delivery.message_id,
                outcome.status,
            )

    async def deliver_forever(
        self, clock: Callable[[], datetime], *, poll: float = POLL_SECONDS, batch: int = BATCH
    ) -> None:
        """The worker loop: rounds back to back while there is work, else a pause of ``poll``
        seconds (cut short when this process queues something); expired pending and
        unsubscribed subscriptions are forgotten every ten minutes. Runs until cancelled."""
        purged_at = clock()
        while True:
            delivered = 0
            try:
                delivered = await self.deliver_due(clock(), limit=batch)
                if clock() - purged_at > PURGE_EVERY:
                    purged_at = clock()
                    await self.purge_expired(purged_at)
            except Exception:
                log.exception("SNS delivery round failed; trying again after a pause")
            if delivered < batch:
                await self.wait_for_work(poll)

    async def purge_expired(self, now: datetime) -> int:
        """Forget pending and unsubscribed subscriptions whose token has run out."""
        async with self.store.transaction() as tx:
            return await tx.delete_expired_subscriptions(now)

    async def wait_for_work(self, timeout: float) -> None:
        """Until something was queued through this service, or ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()
