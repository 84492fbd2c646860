"""Statements of SNS-compatible topics, subscriptions and the HTTP delivery queue.

Claiming due deliveries is one ``UPDATE … WHERE delivery_id IN (SELECT … LIMIT n) RETURNING``:
on PostgreSQL the inner select takes ``FOR UPDATE SKIP LOCKED``, so concurrent claimers never
get the same row (and re-check the lease on a row another claimer just took); on SQLite the
store's one writer runs the statement atomically. A delivery is due when its ``run_at`` has
come and it is not leased, or its lease has run out (its worker died): delivery is at least
once. Finishing or rescheduling checks the lease owner, so a worker that lost its lease cannot
undo the new owner's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, and_, delete, func, insert, or_, select, update

from openses.domain.topics.records import (
    MessageType,
    Subscription,
    SubscriptionStatus,
    Topic,
    TopicDelivery,
)
from openses.domain.topics.retries import RetryPolicy
from openses.storage import rows
from openses.storage.rows import Values
from openses.storage.schema import sns_deliveries, sns_subscriptions, sns_topics
from openses.storage.statements import Statements

_INSERT_BATCH = 500


def _attributes(text: str) -> dict[str, str]:
    return {str(key): str(value) for key, value in rows.json_object(text).items()}


def _topic(row: RowMapping) -> Topic:
    return Topic(
        arn=row["arn"],
        account_id=row["account_id"],
        region=row["region"],
        name=row["name"],
        attributes=_attributes(row["attributes"]),
        created_at=rows.from_ms(row["created_at"]),
    )


def _subscription_values(subscription: Subscription) -> Values:
    return {
        "arn": subscription.arn,
        "topic_arn": subscription.topic_arn,
        "owner": subscription.owner,
        "protocol": subscription.protocol,
        "endpoint": subscription.endpoint,
        "status": subscription.status.value,
        "token": subscription.token,
        "token_expires_at": rows.optional_ms(subscription.token_expires_at),
        "attributes": rows.json_text(dict(subscription.attributes)),
        "confirmation_authenticated": subscription.confirmation_authenticated,
        "authenticate_on_unsubscribe": subscription.authenticate_on_unsubscribe,
        "created_at": rows.to_ms(subscription.created_at),
    }


def _subscription(row: RowMapping) -> Subscription:
    return Subscription(
        arn=row["arn"],
        topic_arn=row["topic_arn"],
        owner=row["owner"],
        protocol=row["protocol"],
        endpoint=row["endpoint"],
        status=SubscriptionStatus(row["status"]),
        token=row["token"],
        token_expires_at=rows.optional_time(row["token_expires_at"]),
        created_at=rows.from_ms(row["created_at"]),
        attributes=_attributes(row["attributes"]),
        confirmation_authenticated=bool(row["confirmation_authenticated"]),
        authenticate_on_unsubscribe=bool(row["authenticate_on_unsubscribe"]),
    )


def _delivery_values(delivery: TopicDelivery) -> Values:
    return {
        "delivery_id": delivery.delivery_id,
        "topic_arn": delivery.topic_arn,
        "subscription_arn": delivery.subscription_arn,
        "endpoint": delivery.endpoint,
        "message_type": delivery.message_type.value,
        "message_id": delivery.message_id,
        "message": delivery.message,
        "subject": delivery.subject,
        "token": delivery.token,
        "message_attributes": delivery.message_attributes,
        "raw": delivery.raw,
        "published_at": rows.to_ms(delivery.published_at),
        "signature_version": delivery.signature_version,
        "retry_policy": delivery.retry.to_text(),
        "content_type": delivery.content_type,
        "run_at": rows.to_ms(delivery.run_at),
        "attempts": delivery.attempts,
        "lease_owner": delivery.lease_owner,
        "lease_until": rows.optional_ms(delivery.lease_until),
        "created_at": rows.to_ms(delivery.created_at),
        "last_error": None,
    }


def _delivery(row: RowMapping) -> TopicDelivery:
    return TopicDelivery(
        delivery_id=row["delivery_id"],
        topic_arn=row["topic_arn"],
        subscription_arn=row["subscription_arn"],
        endpoint=row["endpoint"],
        message_type=MessageType(row["message_type"]),
        message_id=row["message_id"],
        message=row["message"],
        published_at=rows.from_ms(row["published_at"]),
        signature_version=row["signature_version"],
        retry=RetryPolicy.from_text(row["retry_policy"]),
        content_type=row["content_type"],
        run_at=rows.from_ms(row["run_at"]),
        created_at=rows.from_ms(row["created_at"]),
        subject=row["subject"],
        token=row["token"],
        message_attributes=row["message_attributes"],
        raw=bool(row["raw"]),
        attempts=int(row["attempts"]),
        lease_owner=row["lease_owner"],
        lease_until=rows.optional_time(row["lease_until"]),
    )


def _no_nul(values: Values) -> Values:
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(f"{name} contains NUL (U+0000), which text columns cannot store")
    return values


class TopicStatements(Statements):
    """The topic, subscription and topic-delivery methods of the transaction."""

    # ------------------------------------------------------------------------ topics

    async def insert_topic(self, topic: Topic) -> None:
        values = {
            "arn": topic.arn,
            "account_id": topic.account_id,
            "region": topic.region,
            "name": topic.name,
            "attributes": rows.json_text(dict(topic.attributes)),
            "created_at": rows.to_ms(topic.created_at),
        }
        await self._insert_unique(sns_topics, _no_nul(values), f"topic {topic.arn}")

    async def get_topic(self, arn: str) -> Topic | None:
        row = await self._first(sns_topics, sns_topics.c.arn == arn)
        return None if row is None else _topic(row)

    async def list_topics(self, account_id: str, region: str) -> list[Topic]:
        result = await self._conn.execute(
            select(sns_topics)
            .where(sns_topics.c.account_id == account_id, sns_topics.c.region == region)
            .order_by(self._ordered(sns_topics.c.arn))
        )
        return [_topic(row) for row in result.mappings()]

    async def update_topic_attributes(self, arn: str, attributes: dict[str, str]) -> bool:
        text = rows.json_text(attributes)
        _no_nul({"attributes": text})
        result = await self._conn.execute(
            update(sns_topics).where(sns_topics.c.arn == arn).values(attributes=text)
        )
        return result.rowcount > 0

    async def delete_topic(self, arn: str) -> bool:
        """The topic, its subscriptions and every delivery still queued for it."""
        await self._deleted(sns_deliveries, sns_deliveries.c.topic_arn == arn)
        await self._deleted(sns_subscriptions, sns_subscriptions.c.topic_arn == arn)
        return await self._deleted(sns_topics, sns_topics.c.arn == arn) > 0

    # ----------------------------------------------------------------- subscriptions

    async def insert_subscription(self, subscription: Subscription) -> None:
        values = _no_nul(_subscription_values(subscription))
        await self._insert_unique(sns_subscriptions, values, f"subscription {subscription.arn}")

    async def get_subscription(self, arn: str) -> Subscription | None:
        row = await self._first(sns_subscriptions, sns_subscriptions.c.arn == arn)
        return None if row is None else _subscription(row)

    async def find_subscription_by_token(self, token: str) -> Subscription | None:
        row = await self._first(sns_subscriptions, sns_subscriptions.c.token == token)
        return None if row is None else _subscription(row)

    async def list_topic_subscriptions(self, topic_arn: str) -> list[Subscription]:
        result = await self._conn.execute(
            select(sns_subscriptions)
            .where(sns_subscriptions.c.topic_arn == topic_arn)
            .order_by(self._ordered(sns_subscriptions.c.arn))
        )
        return [_subscription(row) for row in result.mappings()]

    async def list_account_subscriptions(self, owner: str, region: str) -> list[Subscription]:
        result = await self._conn.execute(
            select(sns_subscriptions)
            .join(sns_topics, sns_topics.c.arn == sns_subscriptions.c.topic_arn)
            .where(sns_subscriptions.c.owner == owner, sns_topics.c.region == region)
            .order_by(self._ordered(sns_subscriptions.c.arn))
        )
        return [_subscription(row) for row in result.mappings()]

    async def update_subscription(self, subscription: Subscription) -> bool:
        values = _no_nul(_subscription_values(subscription))
        del values["arn"]
        result = await self._conn.execute(
            update(sns_subscriptions)
            .where(sns_subscriptions.c.arn == subscription.arn)
            .values(values)
        )
        return result.rowcount > 0

    async def delete_subscription(self, arn: str) -> bool:
        return await self._deleted(sns_subscriptions, sns_subscriptions.c.arn == arn) > 0

    async def delete_expired_subscriptions(self, now: datetime) -> int:
        """Pending and unsubscribed subscriptions whose token has run out."""
        return await self._deleted(
            sns_subscriptions,
            sns_subscriptions.c.status != SubscriptionStatus.CONFIRMED.value,
            sns_subscriptions.c.token_expires_at <= rows.to_ms(now),
        )

    # -------------------------------------------------------------------- deliveries

    async def enqueue_topic_deliveries(self, deliveries: Sequence[TopicDelivery]) -> None:
        values = [_no_nul(_delivery_values(delivery)) for delivery in deliveries]
        for start in range(0, len(values), _INSERT_BATCH):  # within SQLite's variable limit
            await self._conn.execute(
                insert(sns_deliveries).values(values[start : start + _INSERT_BATCH])
            )

    async def drop_subscription_notifications(self, subscription_arn: str) -> int:
        """Queued notifications of a subscription that has gone (confirmations stay)."""
        return await self._deleted(
            sns_deliveries,
            sns_deliveries.c.subscription_arn == subscription_arn,
            sns_deliveries.c.message_type == MessageType.NOTIFICATION.value,
        )

    async def claim_topic_deliveries(
        self, *, now: datetime, lease_until: datetime, owner: str, limit: int
    ) -> list[TopicDelivery]:
        """Lease up to ``limit`` due deliveries to ``owner``, counting the attempt."""
        now_ms = rows.to_ms(now)
        due = (
            select(sns_deliveries.c.delivery_id)
            .where(
                sns_deliveries.c.run_at <= now_ms,
                or_(
                    sns_deliveries.c.lease_until.is_(None),
                    sns_deliveries.c.lease_until <= now_ms,
                ),
            )
            .order_by(sns_deliveries.c.run_at, sns_deliveries.c.delivery_id)
            .limit(limit)
        )
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        result = await self._conn.execute(
            update(sns_deliveries)
            .where(sns_deliveries.c.delivery_id.in_(due.scalar_subquery()))
            .values(
                lease_owner=owner,
                lease_until=rows.to_ms(lease_until),
                attempts=sns_deliveries.c.attempts + 1,
            )
            .returning(*sns_deliveries.c)
        )
        claimed = [_delivery(row) for row in result.mappings()]
        return sorted(claimed, key=lambda delivery: (delivery.run_at, delivery.delivery_id))

    async def finish_topic_delivery(self, delivery_id: str, owner: str) -> bool:
        """Delete a delivery that ``owner`` still leases (done, or given up)."""
        statement = delete(sns_deliveries).where(
            and_(
                sns_deliveries.c.delivery_id == delivery_id,
                sns_deliveries.c.lease_owner == owner,
            )
        )
        return (await self._conn.execute(statement)).rowcount > 0

    async def reschedule_topic_delivery(
        self, delivery_id: str, owner: str, *, run_at: datetime, error: str
    ) -> bool:
        """Release ``owner``'s lease and make the delivery due again at ``run_at``."""
        statement = (
            update(sns_deliveries)
            .where(
                sns_deliveries.c.delivery_id == delivery_id,
                sns_deliveries.c.lease_owner == owner,
            )
            .values(run_at=rows.to_ms(run_at), lease_owner=None, lease_until=None, last_error=error)
        )
        return (await self._conn.execute(statement)).rowcount > 0

    async def count_topic_deliveries(self) -> int:
        result = await self._conn.execute(select(func.count()).select_from(sns_deliveries))
        return int(result.scalar_one())
