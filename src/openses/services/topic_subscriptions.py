"""Subscriptions: Subscribe, its confirmation (signed or through the SubscribeURL),
Unsubscribe (signed or through the UnsubscribeURL), listing and attributes.

A subscription is pending until its token is confirmed (tokens live three days); Unsubscribe
keeps it for three more days as ``unsubscribed``, so that the SubscribeURL of the
UnsubscribeConfirmation can restore it, as SNS allows.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from openses.domain.topics.attributes import (
    check_subscription_attribute,
    check_subscription_attributes,
    subscription_attributes,
)
from openses.domain.topics.messages import subscribe_message, unsubscribe_message
from openses.domain.topics.names import parse_topic_arn, subscription_arn
from openses.domain.topics.publishing import check_protocol, plan_confirmation
from openses.domain.topics.records import (
    TOKEN_LIFETIME,
    MessageType,
    Subscription,
    SubscriptionStatus,
    Topic,
)
from openses.services.errors import AccessDenied, InvalidParameter
from openses.services.ports import Tx
from openses.services.principals import Call
from openses.services.topic_access import (
    TopicsBase,
    denied,
    parameters,
    subscription_missing,
    topic_missing,
    visible,
)


class TopicSubscriptions(TopicsBase):
    async def subscribe(
        self,
        call: Call,
        arn: str,
        protocol: str,
        endpoint: str | None,
        attributes: Mapping[str, str] | None = None,
        *,
        return_arn: bool = False,
    ) -> str:
        """The subscription's ARN, or ``PendingConfirmation`` until it is confirmed."""
        topic = await self._topic(call, arn)
        await self._authorize(call, "Subscribe", topic)
        with parameters():
            protocol = check_protocol(protocol, endpoint)
            given = check_subscription_attributes(attributes or {})
        assert endpoint is not None  # check_protocol refused a missing one
        now = call.now
        async with self.store.transaction() as tx:
            if await tx.get_topic(arn) is None:
                raise topic_missing()
            same = [
                s
                for s in await tx.list_topic_subscriptions(arn)
                if s.protocol == protocol and s.endpoint == endpoint
            ]
            live = [s for s in same if visible(s, now)]
            if live:
                subscription = live[0]
                if any(subscription.attributes.get(k) != v for k, v in given.items()):
                    raise InvalidParameter(
                        "Invalid parameter: Attributes Reason: Subscription already exists "
                        "with different attributes"
                    )
                if subscription.status is SubscriptionStatus.CONFIRMED:
                    return subscription.arn
                subscription = replace(subscription, token_expires_at=now + TOKEN_LIFETIME)
                await tx.update_subscription(subscription)
            else:
                for stale in same:
                    await tx.delete_subscription(stale.arn)
                subscription = Subscription(
                    arn=subscription_arn(arn, str(uuid.uuid4())),
                    topic_arn=arn,
                    owner=call.account_id,
                    protocol=protocol,
                    endpoint=endpoint,
                    status=SubscriptionStatus.PENDING,
                    token=secrets.token_hex(64),
                    token_expires_at=now + TOKEN_LIFETIME,
                    created_at=now,
                    attributes=given,
                )
                await tx.insert_subscription(subscription)
            await self._confirmation(tx, topic, subscription, now)
        self._wake.set()
        return subscription.arn if return_arn else "pending confirmation"

    async def _confirmation(
        self, tx: Tx, topic: Topic, subscription: Subscription, now: datetime
    ) -> None:
        assert subscription.token is not None
        unsubscribed = subscription.status is SubscriptionStatus.UNSUBSCRIBED
        delivery = plan_confirmation(
            topic,
            subscription,
            message_type=(
                MessageType.UNSUBSCRIBE_CONFIRMATION
                if unsubscribed
                else MessageType.SUBSCRIPTION_CONFIRMATION
            ),
            message_id=str(uuid.uuid4()),
            message=(
                unsubscribe_message(subscription.arn)
                if unsubscribed
                else subscribe_message(topic.arn)
            ),
            token=subscription.token,
            now=now,
        )
        await tx.enqueue_topic_deliveries([delivery])

    async def confirm_subscription(
        self,
        call: Call | None,
        arn: str,
        token: str,
        now: datetime,
        *,
        authenticate_on_unsubscribe: str | None = None,
    ) -> str:
        """ConfirmSubscription, signed (``call``) or through the SubscribeURL (``None``)."""
        with parameters():
            parsed = parse_topic_arn(arn)
        if call is not None and parsed.region != call.region:
            raise topic_missing()
        async with self.store.transaction() as tx:
            if await tx.get_topic(arn) is None:
                raise topic_missing()
            subscription = await tx.find_subscription_by_token(token)
            if (
                subscription is None
                or subscription.topic_arn != arn
                or not subscription.token_valid(token, now)
            ):
                raise InvalidParameter("Invalid token")
            if subscription.status is not SubscriptionStatus.CONFIRMED:
                strict = call is not None and (authenticate_on_unsubscribe or "").lower() in (
                    "true",
                    "1",
                )
                await tx.update_subscription(
                    replace(
                        subscription,
                        status=SubscriptionStatus.CONFIRMED,
                        confirmation_authenticated=call is not None,
                        authenticate_on_unsubscribe=strict,
                    )
                )
            return subscription.arn

    async def unsubscribe(self, call: Call | None, arn: str, now: datetime) -> None:
        """Unsubscribe, signed (``call``) or through the UnsubscribeURL (``None``)."""
        async with self.store.transaction(read_only=True) as tx:
            subscription = await tx.get_subscription(arn)
            topic = None if subscription is None else await tx.get_topic(subscription.topic_arn)
        if (
            subscription is None
            or topic is None
            or subscription.status is SubscriptionStatus.UNSUBSCRIBED
        ):
            raise subscription_missing()
        if call is None:
            if subscription.authenticate_on_unsubscribe:
                raise AccessDenied(
                    "Unsubscribing this subscription requires an authenticated Unsubscribe call"
                )
        else:
            await self._own_subscription(call, "Unsubscribe", subscription, topic)
        async with self.store.transaction() as tx:
            await tx.drop_subscription_notifications(arn)
            if subscription.status is SubscriptionStatus.PENDING:
                await tx.delete_subscription(arn)
                return
            gone = replace(
                subscription,
                status=SubscriptionStatus.UNSUBSCRIBED,
                token=secrets.token_hex(64),
                token_expires_at=now + TOKEN_LIFETIME,
            )
            await tx.update_subscription(gone)
            await self._confirmation(tx, topic, gone, now)
        self._wake.set()

    async def _own_subscription(
        self, call: Call, action: str, subscription: Subscription, topic: Topic
    ) -> None:
        """Only the subscriber's and the topic owner's accounts, with IAM permission."""
        if call.account_id not in (subscription.owner, topic.account_id):
            raise denied(call.principal.arn, action, subscription.arn)
        try:
            await self.accounts.authorize(call, f"sns:{action}", subscription.arn)
        except AccessDenied:
            raise denied(call.principal.arn, action, subscription.arn) from None

    async def list_subscriptions(self, call: Call) -> list[Subscription]:
        await self.accounts.authorize(call, "sns:ListSubscriptions", "*")
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.list_account_subscriptions(call.account_id, call.region)
        return [s for s in found if visible(s, call.now)]

    async def list_subscriptions_by_topic(self, call: Call, arn: str) -> list[Subscription]:
        topic = await self._topic(call, arn)
        await self._authorize(call, "ListSubscriptionsByTopic", topic)
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.list_topic_subscriptions(arn)
        return [s for s in found if visible(s, call.now)]

    async def _subscription(self, call: Call, arn: str, action: str) -> tuple[Subscription, Topic]:
        async with self.store.transaction(read_only=True) as tx:
            subscription = await tx.get_subscription(arn)
            topic = None if subscription is None else await tx.get_topic(subscription.topic_arn)
        if subscription is None or topic is None or not visible(subscription, call.now):
            raise subscription_missing()
        await self._own_subscription(call, action, subscription, topic)
        return subscription, topic

    async def get_subscription_attributes(self, call: Call, arn: str) -> dict[str, str]:
        subscription, topic = await self._subscription(call, arn, "GetSubscriptionAttributes")
        return subscription_attributes(subscription, topic)

    async def set_subscription_attribute(self, call: Call, arn: str, name: str, value: str) -> None:
        await self._subscription(call, arn, "SetSubscriptionAttributes")
        with parameters():
            checked = check_subscription_attribute(name, value)
        async with self.store.transaction() as tx:
            current = await tx.get_subscription(arn)
            if current is None:
                raise subscription_missing()
            attributes = {**current.attributes, name: checked}
            await tx.update_subscription(replace(current, attributes=attributes))
