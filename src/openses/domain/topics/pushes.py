"""One HTTP POST of a queued delivery: its request, its outcome, and what happens next.

SNS counts a delivery as done when the endpoint answers a status from 200 to 499 (a 4xx is the
endpoint refusing the message, and is not retried); a 5xx, a timeout or a connection failure is
retried along the delivery's retry policy (:mod:`.retries`) and dropped once it runs out.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from openses.domain.topics.messages import (
    OutgoingMessage,
    headers,
    subscribe_url,
    timestamp,
    unsubscribe_url,
)
from openses.domain.topics.records import MessageType, TopicDelivery
from openses.domain.topics.signing import MessageSigner


@dataclass(frozen=True, slots=True)
class PushRequest:
    url: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """The endpoint's status, or why there was none (timeout, refused connection, …)."""

    status: int | None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.status is not None and 200 <= self.status < 500

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else str(self.error)


class Next(enum.Enum):
    DONE = "done"
    RETRY = "retry"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class Step:
    next: Next
    run_at: datetime | None = None


def next_step(delivery: TopicDelivery, outcome: PushOutcome, now: datetime) -> Step:
    """After attempt number ``delivery.attempts`` ended with ``outcome`` at ``now``."""
    if outcome.done:
        return Step(Next.DONE)
    delay: timedelta | None = delivery.retry.delay(delivery.attempts)
    if delay is None:
        return Step(Next.DROP)
    return Step(Next.RETRY, now + delay)


def outgoing_message(delivery: TopicDelivery, base_url: str) -> OutgoingMessage:
    """The message a queued delivery sends, with this endpoint's links."""
    attributes = json.loads(delivery.message_attributes) if delivery.message_attributes else None
    if delivery.message_type is MessageType.NOTIFICATION:
        return OutgoingMessage(
            type=delivery.message_type,
            message_id=delivery.message_id,
            topic_arn=delivery.topic_arn,
            message=delivery.message,
            timestamp=timestamp(delivery.published_at),
            subject=delivery.subject,
            unsubscribe_url=unsubscribe_url(base_url, delivery.subscription_arn),
            message_attributes=attributes,
        )
    assert delivery.token is not None  # confirmations always carry their token
    return OutgoingMessage(
        type=delivery.message_type,
        message_id=delivery.message_id,
        topic_arn=delivery.topic_arn,
        message=delivery.message,
        timestamp=timestamp(delivery.published_at),
        token=delivery.token,
        subscribe_url=subscribe_url(base_url, delivery.topic_arn, delivery.token),
    )


def push_request(delivery: TopicDelivery, signer: MessageSigner, base_url: str) -> PushRequest:
    """The signed POST for ``delivery`` (the bare message for a raw notification)."""
    message = outgoing_message(delivery, base_url)
    raw = delivery.raw and delivery.message_type is MessageType.NOTIFICATION
    body = delivery.message if raw else signer.body(message, delivery.signature_version)
    return PushRequest(
        url=delivery.endpoint,
        body=body.encode("utf-8"),
        headers=headers(
            message,
            subscription_arn=delivery.subscription_arn,
            content_type=delivery.content_type,
            raw=raw,
        ),
    )
