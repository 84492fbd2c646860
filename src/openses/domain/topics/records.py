"""Topics, subscriptions and queued HTTP deliveries, as the services and the store see them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from openses.domain.topics.retries import RetryPolicy

TOKEN_LIFETIME = timedelta(days=3)
"""How long a confirmation token (and an unsubscribed subscription's way back) is valid."""

PENDING_ARN = "PendingConfirmation"
"""What SNS shows in place of a subscription's ARN until it is confirmed."""


class MessageType(enum.Enum):
    NOTIFICATION = "Notification"
    SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
    UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"


class SubscriptionStatus(enum.Enum):
    PENDING = "pending"  # waiting for ConfirmSubscription
    CONFIRMED = "confirmed"  # receives notifications
    UNSUBSCRIBED = "unsubscribed"  # gone, but its UnsubscribeConfirmation link may restore it


@dataclass(frozen=True, slots=True)
class Topic:
    arn: str
    account_id: str
    region: str
    name: str
    attributes: Mapping[str, str]  # the settable ones: Policy, DisplayName, DeliveryPolicy, …
    created_at: datetime

    @property
    def policy(self) -> str:
        return self.attributes["Policy"]


@dataclass(frozen=True, slots=True)
class Subscription:
    arn: str
    topic_arn: str
    owner: str  # the account that subscribed
    protocol: str
    endpoint: str
    status: SubscriptionStatus
    token: str | None
    token_expires_at: datetime | None
    created_at: datetime
    attributes: Mapping[str, str] = field(default_factory=dict)  # RawMessageDelivery, …
    confirmation_authenticated: bool = False
    authenticate_on_unsubscribe: bool = False

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery", "false") == "true"

    def token_valid(self, token: str, now: datetime) -> bool:
        return (
            self.token is not None
            and self.token == token
            and self.token_expires_at is not None
            and now < self.token_expires_at
        )


@dataclass(frozen=True, slots=True)
class TopicDelivery:
    """One HTTP POST to make: a message for one subscription's endpoint, with its schedule.

    The body is built and signed when it is sent (with the endpoint's public URL and key of
    that moment); what it needs is kept here, so sending reads nothing else.
    """

    delivery_id: str
    topic_arn: str
    subscription_arn: str
    endpoint: str
    message_type: MessageType
    message_id: str
    message: str
    published_at: datetime
    signature_version: str
    retry: RetryPolicy
    content_type: str
    run_at: datetime
    created_at: datetime
    subject: str | None = None
    token: str | None = None
    message_attributes: str | None = None  # JSON object, as the Notification carries it
    raw: bool = False
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
