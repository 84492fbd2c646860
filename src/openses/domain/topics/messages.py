"""The messages SNS POSTs to HTTP/S endpoints: fields, the string it signs, body, headers.

Three types share one JSON body shape (SNS's key order, pretty-printed as SNS does):
``Notification`` (``Subject`` only when given, ``UnsubscribeURL``, ``MessageAttributes`` when
any), ``SubscriptionConfirmation`` and ``UnsubscribeConfirmation`` (``Token``,
``SubscribeURL``). The signature covers ``Key\\nValue\\n`` for each signed field present, in
byte order of the keys: ``Message, MessageId, Subject, Timestamp, TopicArn, Type`` for a
notification, ``Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type`` for the
two confirmations (AWS's verification algorithm).

A subscription with ``RawMessageDelivery`` gets the bare message as the body of its
notifications (confirmations are never raw).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote

from openses.domain.topics.records import MessageType

AGENT: Final = "Amazon Simple Notification Service Agent"
NOTIFICATION_KEYS: Final = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS: Final = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
CONFIRMATION_CONTENT_TYPE: Final = "text/plain; charset=UTF-8"


def timestamp(moment: datetime) -> str:
    """SNS's ``Timestamp``: UTC with milliseconds, ``2012-05-02T00:54:06.655Z``."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def subscribe_message(topic_arn: str) -> str:
    return (
        f"You have chosen to subscribe to the topic {topic_arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )


def unsubscribe_message(subscription_arn: str) -> str:
    return (
        f"You have chosen to deactivate subscription {subscription_arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL "
        "included in this message."
    )


def subscribe_url(base_url: str, topic_arn: str, token: str) -> str:
    """The ``SubscribeURL``: ConfirmSubscription as a GET on this endpoint's ``/sns/``."""
    return (
        f"{base_url}/sns/?Action=ConfirmSubscription"
        f"&TopicArn={quote(topic_arn, safe=':')}&Token={quote(token, safe='')}"
    )


def unsubscribe_url(base_url: str, subscription_arn: str) -> str:
    """The ``UnsubscribeURL``: Unsubscribe as a GET on this endpoint's ``/sns/``."""
    return f"{base_url}/sns/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe=':')}"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """Everything one POST says, before it is signed."""

    type: MessageType
    message_id: str
    topic_arn: str
    message: str
    timestamp: str
    subject: str | None = None
    token: str | None = None
    subscribe_url: str | None = None
    unsubscribe_url: str | None = None
    message_attributes: Mapping[str, Mapping[str, str]] | None = None

    def fields(self) -> dict[str, str]:
        """The signable fields that are present (``None`` ones are absent)."""
        values = {
            "Type": self.type.value,
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
            "Message": self.message,
            "Timestamp": self.timestamp,
            "Subject": self.subject,
            "Token": self.token,
            "SubscribeURL": self.subscribe_url,
        }
        return {key: value for key, value in values.items() if value is not None}


def string_to_sign(message: OutgoingMessage) -> bytes:
    """What SNS signs for ``message`` (UTF-8)."""
    keys = NOTIFICATION_KEYS if message.type is MessageType.NOTIFICATION else CONFIRMATION_KEYS
    fields = message.fields()
    text = "".join(f"{key}\n{fields[key]}\n" for key in keys if key in fields)
    return text.encode("utf-8")


def json_body(
    message: OutgoingMessage, *, signature_version: str, signature: str, cert_url: str
) -> str:
    """The JSON document SNS POSTs, in SNS's key order."""
    body: dict[str, object] = {"Type": message.type.value, "MessageId": message.message_id}
    if message.type is MessageType.NOTIFICATION:
        body["TopicArn"] = message.topic_arn
        if message.subject is not None:
            body["Subject"] = message.subject
        body["Message"] = message.message
    else:
        body["Token"] = message.token
        body["TopicArn"] = message.topic_arn
        body["Message"] = message.message
        body["SubscribeURL"] = message.subscribe_url
    body["Timestamp"] = message.timestamp
    body["SignatureVersion"] = signature_version
    body["Signature"] = signature
    body["SigningCertURL"] = cert_url
    if message.type is MessageType.NOTIFICATION:
        body["UnsubscribeURL"] = message.unsubscribe_url
        if message.message_attributes:
            body["MessageAttributes"] = {
                name: dict(value) for name, value in message.message_attributes.items()
            }
    return json.dumps(body, indent=2, separators=(",", " : "), ensure_ascii=False)


def headers(
    message: OutgoingMessage,
    *,
    subscription_arn: str,
    content_type: str,
    raw: bool,
) -> dict[str, str]:
    """SNS's ``x-amz-sns-*`` headers (no subscription ARN on a SubscriptionConfirmation)."""
    values = {
        "x-amz-sns-message-type": message.type.value,
        "x-amz-sns-message-id": message.message_id,
        "x-amz-sns-topic-arn": message.topic_arn,
    }
    if message.type is not MessageType.SUBSCRIPTION_CONFIRMATION:
        values["x-amz-sns-subscription-arn"] = subscription_arn
    if raw:
        values["x-amz-sns-rawdelivery"] = "true"
    is_notification = message.type is MessageType.NOTIFICATION
    values["Content-Type"] = content_type if is_notification else CONFIRMATION_CONTENT_TYPE
    values["User-Agent"] = AGENT
    return values
