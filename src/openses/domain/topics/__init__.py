"""SNS-compatible topics: ARNs, attributes, access policies, messages, signatures, retries.

Pure, like the rest of the domain: identifiers, keys and times come in as arguments. The
service (:mod:`openses.services.topics`) stores topics, subscriptions and queued deliveries
and sends them; the HTTP edge (:mod:`openses.api.handlers.sns`) speaks SNS's Query API.
"""

from __future__ import annotations

from openses.domain.topics.names import TopicArn, TopicParameterError, topic_arn
from openses.domain.topics.records import (
    MessageType,
    Subscription,
    SubscriptionStatus,
    Topic,
    TopicDelivery,
)

__all__ = [
    "MessageType",
    "Subscription",
    "SubscriptionStatus",
    "Topic",
    "TopicArn",
    "TopicDelivery",
    "TopicParameterError",
    "topic_arn",
]
