"""SNS (Query): topics, HTTP/HTTPS subscriptions, publishing — the built-in topic service.

The operations follow botocore's ``sns`` model; what a caller may do is decided by the topics
service (the caller's IAM policies and the topic's access policy). Lists are paged 100 at a
time, as SNS pages them.
"""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services, call_of, page
from openses.domain.topics.names import TopicArn
from openses.domain.topics.records import PENDING_ARN, Subscription, SubscriptionStatus
from openses.services.errors import InvalidParameter

Params = dict[str, Any]
Result = dict[str, Any]
PAGE_SIZE = 100


def _subscription(subscription: Subscription) -> Result:
    pending = subscription.status is SubscriptionStatus.PENDING
    return {
        "SubscriptionArn": PENDING_ARN if pending else subscription.arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "TopicArn": subscription.topic_arn,
    }


def _subscriptions(found: list[Subscription], token: str | None) -> Result:
    by_arn = {subscription.arn: subscription for subscription in found}
    arns, next_token = page(sorted(by_arn), token, PAGE_SIZE)
    result: Result = {"Subscriptions": [_subscription(by_arn[arn]) for arn in arns]}
    if next_token:
        result["NextToken"] = next_token
    return result


def _publish_target(params: Params) -> str:
    if params.get("PhoneNumber"):
        raise InvalidParameter(
            "Invalid parameter: PhoneNumber (SMS is not supported by this server; "
            "publish to a topic)"
        )
    topic, target = params.get("TopicArn"), params.get("TargetArn")
    if topic and target:
        raise InvalidParameter(
            "Invalid parameter: TopicArn Reason: Only one of TopicArn or TargetArn may be given"
        )
    if not topic and not target:
        raise InvalidParameter(
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
        )
    if target and TopicArn.parse(target) is None:
        raise InvalidParameter(
            "Invalid parameter: TargetArn (platform application endpoints are not supported "
            "by this server; publish to a topic)"
        )
    for name in ("MessageGroupId", "MessageDeduplicationId"):
        if params.get(name):
            raise InvalidParameter(
                f"Invalid parameter: The request includes {name} parameter that is not valid "
                "for this topic type"
            )
    return str(topic or target)


class SnsHandlers:
    def __init__(self, services: Services) -> None:
        self.services = services

    # ------------------------------------------------------------------------ topics

    async def create_topic(self, ctx: RequestContext, params: Params) -> Result:
        for unsupported in ("Tags", "DataProtectionPolicy"):
            if params.get(unsupported):
                raise InvalidParameter(
                    f"Invalid parameter: {unsupported} ({unsupported} is not supported by this "
                    "server)"
                )
        arn = await self.services.topics.create_topic(
            call_of(ctx), params["Name"], params.get("Attributes")
        )
        return {"TopicArn": arn}

    async def delete_topic(self, ctx: RequestContext, params: Params) -> Result:
        await self.services.topics.delete_topic(call_of(ctx), params["TopicArn"])
        return {}

    async def list_topics(self, ctx: RequestContext, params: Params) -> Result:
        arns = await self.services.topics.list_topics(call_of(ctx))
        chunk, next_token = page(arns, params.get("NextToken"), PAGE_SIZE)
        result: Result = {"Topics": [{"TopicArn": arn} for arn in chunk]}
        if next_token:
            result["NextToken"] = next_token
        return result

    async def get_topic_attributes(self, ctx: RequestContext, params: Params) -> Result:
        attributes = await self.services.topics.get_topic_attributes(
            call_of(ctx), params["TopicArn"]
        )
        return {"Attributes": attributes}

    async def set_topic_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self.services.topics.set_topic_attribute(
            call_of(ctx),
            params["TopicArn"],
            params["AttributeName"],
            params.get("AttributeValue", ""),
        )
        return {}

    # ---------------------------------------------------------------- subscriptions

    async def subscribe(self, ctx: RequestContext, params: Params) -> Result:
        arn = await self.services.topics.subscribe(
            call_of(ctx),
            params["TopicArn"],
            params["Protocol"],
            params.get("Endpoint"),
            params.get("Attributes"),
            return_arn=bool(params.get("ReturnSubscriptionArn", False)),
        )
        return {"SubscriptionArn": arn}

    async def confirm_subscription(self, ctx: RequestContext, params: Params) -> Result:
        arn = await self.services.topics.confirm_subscription(
            call_of(ctx),
            params["TopicArn"],
            params["Token"],
            ctx.now,
            authenticate_on_unsubscribe=params.get("AuthenticateOnUnsubscribe"),
        )
        return {"SubscriptionArn": arn}

    async def unsubscribe(self, ctx: RequestContext, params: Params) -> Result:
        await self.services.topics.unsubscribe(call_of(ctx), params["SubscriptionArn"], ctx.now)
        return {}

    async def list_subscriptions(self, ctx: RequestContext, params: Params) -> Result:
        found = await self.services.topics.list_subscriptions(call_of(ctx))
        return _subscriptions(found, params.get("NextToken"))

    async def list_subscriptions_by_topic(self, ctx: RequestContext, params: Params) -> Result:
        found = await self.services.topics.list_subscriptions_by_topic(
            call_of(ctx), params["TopicArn"]
        )
        return _subscriptions(found, params.get("NextToken"))

    async def get_subscription_attributes(self, ctx: RequestContext, params: Params) -> Result:
        attributes = await self.services.topics.get_subscription_attributes(
            call_of(ctx), params["SubscriptionArn"]
        )
        return {"Attributes": attributes}

    async def set_subscription_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self.services.topics.set_subscription_attribute(
            call_of(ctx),
            params["SubscriptionArn"],
            params["AttributeName"],
            params.get("AttributeValue", ""),
        )
        return {}

    # ----------------------------------------------------------------------- publish

    async def publish(self, ctx: RequestContext, params: Params) -> Result:
        message_id = await self.services.topics.publish(
            call_of(ctx),
            _publish_target(params),
            params["Message"],
            subject=params.get("Subject"),
            structure=params.get("MessageStructure"),
            attributes=params.get("MessageAttributes"),
        )
        return {"MessageId": message_id}
