"""Topic and subscription attributes: which may be set, their checks, and how they read back.

Settable here: a topic's ``DisplayName``, ``Policy``, ``DeliveryPolicy`` and
``SignatureVersion``; a subscription's ``RawMessageDelivery`` and ``DeliveryPolicy``. Any other
attribute SNS knows (FIFO, KMS, tracing, filter policies, feedback roles, …) is refused with
``InvalidParameter`` naming it, rather than accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from openses.domain.topics.access import check_policy
from openses.domain.topics.names import TopicParameterError
from openses.domain.topics.records import Subscription, SubscriptionStatus, Topic
from openses.domain.topics.retries import (
    effective_delivery,
    parse_subscription_delivery_policy,
    parse_topic_delivery_policy,
    subscription_effective_policy_json,
    topic_effective_policy_json,
)
from openses.domain.topics.signing import DEFAULT_SIGNATURE_VERSION, SIGNATURE_VERSIONS

TOPIC_ATTRIBUTES: Final = ("DeliveryPolicy", "DisplayName", "Policy", "SignatureVersion")
SUBSCRIPTION_ATTRIBUTES: Final = ("DeliveryPolicy", "RawMessageDelivery")
MAX_DISPLAY_NAME: Final = 100


def _unsupported(name: str, supported: tuple[str, ...]) -> TopicParameterError:
    return TopicParameterError(
        f"Invalid parameter: AttributeName ({name} is not supported by this server; "
        f"supported: {', '.join(supported)})"
    )


def check_topic_attribute(name: str, value: str) -> str:
    """The value to store for ``name``; ``InvalidParameter`` if it cannot be set."""
    if name == "DisplayName":
        if len(value) > MAX_DISPLAY_NAME:
            raise TopicParameterError("Invalid parameter: DisplayName")
        return value
    if name == "Policy":
        check_policy(value)
        return value
    if name == "DeliveryPolicy":
        parse_topic_delivery_policy(value)
        return value
    if name == "SignatureVersion":
        if value not in SIGNATURE_VERSIONS:
            raise TopicParameterError(
                "Invalid parameter: SignatureVersion (must be 1 (SHA1withRSA) or 2 (SHA256withRSA))"
            )
        return value
    raise _unsupported(name, TOPIC_ATTRIBUTES)


def check_create_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    """CreateTopic's ``Attributes``; ``FifoTopic=false`` is accepted (a standard topic)."""
    checked: dict[str, str] = {}
    for name, value in attributes.items():
        if name == "FifoTopic" and value.lower() == "false":
            continue
        if name == "FifoTopic":
            raise TopicParameterError(
                "Invalid parameter: Attributes Reason: FIFO topics are not supported by this server"
            )
        checked[name] = check_topic_attribute(name, value)
    return checked


def topic_attributes(topic: Topic, counts: Mapping[SubscriptionStatus, int]) -> dict[str, str]:
    """GetTopicAttributes: the stored ones and those SNS computes."""
    delivery = parse_topic_delivery_policy(topic.attributes.get("DeliveryPolicy", ""))
    values = {
        "TopicArn": topic.arn,
        "Owner": topic.account_id,
        "Policy": topic.policy,
        "DisplayName": topic.attributes.get("DisplayName", ""),
        "SubscriptionsPending": str(counts.get(SubscriptionStatus.PENDING, 0)),
        "SubscriptionsConfirmed": str(counts.get(SubscriptionStatus.CONFIRMED, 0)),
        "SubscriptionsDeleted": str(counts.get(SubscriptionStatus.UNSUBSCRIBED, 0)),
        "EffectiveDeliveryPolicy": topic_effective_policy_json(delivery),
        "SignatureVersion": topic.attributes.get("SignatureVersion", DEFAULT_SIGNATURE_VERSION),
    }
    if "DeliveryPolicy" in topic.attributes:
        values["DeliveryPolicy"] = topic.attributes["DeliveryPolicy"]
    return values


def check_subscription_attribute(name: str, value: str) -> str:
    if name == "RawMessageDelivery":
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise TopicParameterError(
                f"Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value "
                f"[{value}]. Must be true or false."
            )
        return lowered
    if name == "DeliveryPolicy":
        parse_subscription_delivery_policy(value)
        return value
    raise _unsupported(name, SUBSCRIPTION_ATTRIBUTES)


def check_subscription_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    return {name: check_subscription_attribute(name, value) for name, value in attributes.items()}


def subscription_attributes(subscription: Subscription, topic: Topic) -> dict[str, str]:
    """GetSubscriptionAttributes."""
    effective = effective_delivery(
        parse_topic_delivery_policy(topic.attributes.get("DeliveryPolicy", "")),
        parse_subscription_delivery_policy(subscription.attributes.get("DeliveryPolicy", "")),
    )
    values = {
        "SubscriptionArn": subscription.arn,
        "TopicArn": subscription.topic_arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "ConfirmationWasAuthenticated": str(subscription.confirmation_authenticated).lower(),
        "PendingConfirmation": str(subscription.status is SubscriptionStatus.PENDING).lower(),
        "RawMessageDelivery": subscription.attributes.get("RawMessageDelivery", "false"),
        "EffectiveDeliveryPolicy": subscription_effective_policy_json(effective),
    }
    if "DeliveryPolicy" in subscription.attributes:
        values["DeliveryPolicy"] = subscription.attributes["DeliveryPolicy"]
    return values
