"""SNS-compatible topics: the API's use cases and SES's own publishing.

:class:`TopicsService` gathers the topic operations (here), the subscription operations
(:mod:`.topic_subscriptions`) and the HTTP delivery worker (:mod:`.topic_deliveries`); who may
act on a topic is decided in :mod:`.topic_access`. :func:`publish_as_service` is how SES
publishes its notifications, inside the transaction that produces them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openses.domain.topics.access import compile_topic_policy, default_policy, service_may_publish
from openses.domain.topics.attributes import (
    check_create_attributes,
    check_topic_attribute,
    topic_attributes,
)
from openses.domain.topics.names import check_topic_name, topic_arn
from openses.domain.topics.publishing import (
    check_size,
    check_subject,
    message_attributes,
    messages_by_protocol,
    plan_notifications,
)
from openses.domain.topics.records import SubscriptionStatus, Topic
from openses.services.errors import InvalidParameter, NotFound
from openses.services.ports import Conflict, Tx
from openses.services.principals import Call
from openses.services.topic_access import HttpPusher, parameters, topic_missing, visible
from openses.services.topic_deliveries import TopicDeliveries
from openses.services.topic_subscriptions import TopicSubscriptions

__all__ = ["HttpPusher", "TopicsService", "publish_as_service"]


async def publish_as_service(
    tx: Tx,
    *,
    topic_arn: str,
    message: str,
    subject: str | None,
    service: str,
    source_account: str,
    source_arn: str,
    now: datetime,
) -> bool:
    """Publish as an AWS service principal (SES's notifications) inside the caller's ``tx``.

    False, and nothing queued, when the topic does not exist or its policy does not let
    ``service`` publish for ``source_account``/``source_arn``; otherwise one delivery per
    confirmed subscription is queued in ``tx``.
    """
    topic = await tx.get_topic(topic_arn)
    if topic is None:
        return False
    decision = service_may_publish(
        compile_topic_policy(topic.policy),
        topic_arn=topic_arn,
        service=service,
        source_account=source_account,
        source_arn=source_arn,
        now=now,
    )
    if not decision.allowed:
        return False
    subscriptions = [
        s
        for s in await tx.list_topic_subscriptions(topic_arn)
        if s.status is SubscriptionStatus.CONFIRMED
    ]
    deliveries = plan_notifications(
        topic,
        subscriptions,
        message_id=str(uuid.uuid4()),
        messages={"default": message},
        subject=subject,
        attributes={},
        now=now,
    )
    await tx.enqueue_topic_deliveries(deliveries)
    return True


class TopicsService(TopicSubscriptions, TopicDeliveries):
    """Topics, subscriptions, publishing and the HTTP deliveries (see the module)."""

    async def create_topic(
        self, call: Call, name: str, attributes: Mapping[str, str] | None = None
    ) -> str:
        with parameters():
            check_topic_name(name)
            given = check_create_attributes(attributes or {})
        arn = topic_arn(call.region, call.account_id, name)
        await self.accounts.authorize(call, "sns:CreateTopic", arn)
        stored = {"Policy": default_policy(arn, call.account_id), **given}
        topic = Topic(arn, call.account_id, call.region, name, stored, call.now)
        async with self.store.transaction() as tx:
            existing = await tx.get_topic(arn)
            if existing is not None:
                if any(existing.attributes.get(key) != value for key, value in given.items()):
                    raise InvalidParameter(
                        "Invalid parameter: Attributes Reason: Topic already exists with "
                        "different attributes"
                    )
                return arn
            try:
                await tx.insert_topic(topic)
            except Conflict:
                return arn
        return arn

    async def delete_topic(self, call: Call, arn: str) -> None:
        try:
            topic = await self._topic(call, arn)
        except NotFound:
            return  # SNS's DeleteTopic is idempotent
        await self._authorize(call, "DeleteTopic", topic)
        async with self.store.transaction() as tx:
            await tx.delete_topic(arn)

    async def list_topics(self, call: Call) -> list[str]:
        await self.accounts.authorize(call, "sns:ListTopics", "*")
        async with self.store.transaction(read_only=True) as tx:
            return [topic.arn for topic in await tx.list_topics(call.account_id, call.region)]

    async def get_topic_attributes(self, call: Call, arn: str) -> dict[str, str]:
        topic = await self._topic(call, arn)
        await self._authorize(call, "GetTopicAttributes", topic)
        async with self.store.transaction(read_only=True) as tx:
            subscriptions = await tx.list_topic_subscriptions(arn)
        counts = Counter(
            s.status
            for s in subscriptions
            if visible(s, call.now) or s.status is SubscriptionStatus.UNSUBSCRIBED
        )
        return topic_attributes(topic, counts)

    async def set_topic_attribute(self, call: Call, arn: str, name: str, value: str) -> None:
        topic = await self._topic(call, arn)
        await self._authorize(call, "SetTopicAttributes", topic)
        with parameters():
            checked = check_topic_attribute(name, value)
        async with self.store.transaction() as tx:
            current = await tx.get_topic(arn)
            if current is None:
                raise topic_missing()
            await tx.update_topic_attributes(arn, {**current.attributes, name: checked})

    async def publish(
        self,
        call: Call,
        arn: str,
        message: str,
        *,
        subject: str | None = None,
        structure: str | None = None,
        attributes: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str:
        """Publish to a topic; the message id."""
        with parameters():
            check_subject(subject)
            messages = messages_by_protocol(message, structure)
            carried = message_attributes(attributes or {})
            check_size(messages, carried)
        topic = await self._topic(call, arn)
        await self._authorize(call, "Publish", topic)
        message_id = str(uuid.uuid4())
        async with self.store.transaction() as tx:
            current = await tx.get_topic(arn)
            if current is None:
                raise topic_missing()
            subscriptions = [
                s
                for s in await tx.list_topic_subscriptions(arn)
                if s.status is SubscriptionStatus.CONFIRMED
            ]
            deliveries = plan_notifications(
                current,
                subscriptions,
                message_id=message_id,
                messages=messages,
                subject=subject,
                attributes=carried,
                now=call.now,
            )
            await tx.enqueue_topic_deliveries(deliveries)
        if deliveries:
            self._wake.set()
        return message_id
