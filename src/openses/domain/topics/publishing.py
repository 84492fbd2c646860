"""Publishing: SNS's checks on a message, and the deliveries one publish fans out into.

Checks: a non-empty message of at most 256 KiB (message attributes included), a subject of at
most 100 printable characters with no line breaks, ``MessageStructure=json`` (a JSON object
with a ``default`` string and optional ``http``/``https`` ones), and message attributes
(``String``, ``Number``, ``Binary`` and their custom ``Type.suffix`` forms). Endpoints: the
``http`` and ``https`` protocols only, each with a URL of its own scheme.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from urllib.parse import urlsplit

from openses.domain.topics.names import TopicParameterError
from openses.domain.topics.records import MessageType, Subscription, Topic, TopicDelivery
from openses.domain.topics.retries import (
    effective_delivery,
    parse_subscription_delivery_policy,
    parse_topic_delivery_policy,
)
from openses.domain.topics.signing import DEFAULT_SIGNATURE_VERSION

MAX_MESSAGE_BYTES: Final = 256 * 1024
MAX_SUBJECT: Final = 100
PROTOCOLS: Final = ("http", "https")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
_SUBJECT = re.compile(r"[\x20-\x7e\u00a0-\uffff]+")


def check_protocol(protocol: str, endpoint: str | None) -> str:
    """The endpoint URL for ``protocol`` (lower-cased); SNS's ``InvalidParameter`` otherwise."""
    lowered = protocol.lower()
    if lowered not in PROTOCOLS:
        raise TopicParameterError(
            f"Invalid parameter: Protocol ({protocol} is not supported by this server; "
            "supported: http, https)"
        )
    if not endpoint:
        raise TopicParameterError("Invalid parameter: Endpoint")
    parts = urlsplit(endpoint)
    if parts.scheme.lower() != lowered or not parts.hostname:
        raise TopicParameterError(
            f"Invalid parameter: Endpoint (must be an {lowered}:// URL for protocol {lowered})"
        )
    return lowered


def check_subject(subject: str | None) -> None:
    if subject is None:
        return
    if not subject or len(subject) > MAX_SUBJECT or not _SUBJECT.fullmatch(subject):
        raise TopicParameterError("Invalid parameter: Subject")


def messages_by_protocol(message: str, structure: str | None) -> dict[str, str]:
    """``{"default": …, "http": …, "https": …}`` as far as given, from ``MessageStructure``."""
    if not message:
        raise TopicParameterError("Invalid parameter: Empty message")
    if "\x00" in message:
        raise TopicParameterError("Invalid parameter: Message (contains the NUL character)")
    if structure is None:
        return {"default": message}
    if structure != "json":
        raise TopicParameterError("Invalid parameter: MessageStructure")
    try:
        document = json.loads(message)
    except json.JSONDecodeError:
        raise TopicParameterError(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        ) from None
    if not isinstance(document, dict) or not all(
        isinstance(value, str) for value in document.values()
    ):
        raise TopicParameterError(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        )
    if "default" not in document:
        raise TopicParameterError(
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        )
    return {key: document[key] for key in ("default", *PROTOCOLS) if key in document}


def message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Publish's ``MessageAttributes`` as a Notification carries them (``Type``/``Value``)."""
    result: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        where = f"Invalid parameter: MessageAttributes ({name})"
        if (
            not _ATTRIBUTE_NAME.fullmatch(name)
            or name.startswith(".")
            or name.endswith(".")
            or ".." in name
            or name.lower().startswith(("aws.", "amazon."))
        ):
            raise TopicParameterError(f"{where}: the name is not valid")
        data_type = str(attribute.get("DataType", ""))
        base = data_type.partition(".")[0]
        if base == "Binary":
            binary = attribute.get("BinaryValue")
            if not isinstance(binary, bytes | bytearray):
                raise TopicParameterError(f"{where}: a Binary attribute needs a BinaryValue")
            result[name] = {"Type": data_type, "Value": base64.b64encode(binary).decode("ascii")}
            continue
        if base not in ("String", "Number"):
            raise TopicParameterError(f"{where}: DataType must be String, Number or Binary")
        value = attribute.get("StringValue")
        if not isinstance(value, str) or value == "":
            raise TopicParameterError(f"{where}: a {base} attribute needs a StringValue")
        if base == "Number":
            try:
                Decimal(value)
            except InvalidOperation:
                raise TopicParameterError(f"{where}: {value!r} is not a number") from None
        result[name] = {"Type": data_type, "Value": value}
    return result


def check_size(messages: Mapping[str, str], attributes: Mapping[str, Mapping[str, str]]) -> None:
    extra = sum(
        len(name.encode()) + len(value["Type"].encode()) + len(value["Value"].encode())
        for name, value in attributes.items()
    )
    largest = max(len(text.encode("utf-8")) for text in messages.values())
    if largest + extra > MAX_MESSAGE_BYTES:
        raise TopicParameterError("Invalid parameter: Message too long")


def plan_notifications(
    topic: Topic,
    subscriptions: Iterable[Subscription],
    *,
    message_id: str,
    messages: Mapping[str, str],
    subject: str | None,
    attributes: Mapping[str, Mapping[str, str]],
    now: datetime,
) -> list[TopicDelivery]:
    """One delivery per subscription given (the caller passes the confirmed ones)."""
    topic_policy = parse_topic_delivery_policy(topic.attributes.get("DeliveryPolicy", ""))
    version = topic.attributes.get("SignatureVersion", DEFAULT_SIGNATURE_VERSION)
    attributes_json = json.dumps(attributes, separators=(",", ":")) if attributes else None
    deliveries = []
    for index, subscription in enumerate(subscriptions, 1):
        effective = effective_delivery(
            topic_policy,
            parse_subscription_delivery_policy(subscription.attributes.get("DeliveryPolicy", "")),
        )
        deliveries.append(
            TopicDelivery(
                delivery_id=f"{message_id}:{index}",
                topic_arn=topic.arn,
                subscription_arn=subscription.arn,
                endpoint=subscription.endpoint,
                message_type=MessageType.NOTIFICATION,
                message_id=message_id,
                message=messages.get(subscription.protocol, messages["default"]),
                published_at=now,
                signature_version=version,
                retry=effective.retry,
                content_type=effective.content_type,
                run_at=now,
                created_at=now,
                subject=subject,
                message_attributes=attributes_json,
                raw=subscription.raw,
            )
        )
    return deliveries


def plan_confirmation(
    topic: Topic,
    subscription: Subscription,
    *,
    message_type: MessageType,
    message_id: str,
    message: str,
    token: str,
    now: datetime,
) -> TopicDelivery:
    """The SubscriptionConfirmation or UnsubscribeConfirmation for ``subscription``."""
    effective = effective_delivery(
        parse_topic_delivery_policy(topic.attributes.get("DeliveryPolicy", "")),
        parse_subscription_delivery_policy(subscription.attributes.get("DeliveryPolicy", "")),
    )
    return TopicDelivery(
        delivery_id=f"{message_id}:0",
        topic_arn=topic.arn,
        subscription_arn=subscription.arn,
        endpoint=subscription.endpoint,
        message_type=message_type,
        message_id=message_id,
        message=message,
        published_at=now,
        signature_version=topic.attributes.get("SignatureVersion", DEFAULT_SIGNATURE_VERSION),
        retry=effective.retry,
        content_type=effective.content_type,
        run_at=now,
        created_at=now,
        token=token,
    )
