"""SNS's HTTP messages: the string signed, the body, the headers, the links, the signature."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from openses.domain.topics.messages import (
    OutgoingMessage,
    headers,
    json_body,
    string_to_sign,
    subscribe_url,
    timestamp,
    unsubscribe_url,
)
from openses.domain.topics.pushes import Next, PushOutcome, next_step, push_request
from openses.domain.topics.records import MessageType, TopicDelivery
from openses.domain.topics.retries import DEFAULT_RETRY
from openses.domain.topics.signing import MessageSigner

TOPIC = "arn:aws:sns:us-east-1:123456789012:MyTopic"
SUBSCRIPTION = f"{TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96"
T0 = datetime(2012, 5, 2, 0, 54, 6, 655_999, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SIGNER = MessageSigner(KEY, "https://sns.example/sns/cert.pem")


def notification(subject: str | None = "My First Message") -> OutgoingMessage:
    return OutgoingMessage(
        type=MessageType.NOTIFICATION,
        message_id="22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        topic_arn=TOPIC,
        message="Hello world!",
        timestamp=timestamp(T0),
        subject=subject,
        unsubscribe_url=unsubscribe_url("https://sns.example", SUBSCRIPTION),
    )


def confirmation(kind: MessageType = MessageType.SUBSCRIPTION_CONFIRMATION) -> OutgoingMessage:
    return OutgoingMessage(
        type=kind,
        message_id="165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        topic_arn=TOPIC,
        message="You have chosen to subscribe.",
        timestamp=timestamp(T0),
        token="2336412f37",
        subscribe_url=subscribe_url("https://sns.example", TOPIC, "2336412f37"),
    )


def test_timestamp_has_milliseconds_in_utc() -> None:
    assert timestamp(T0) == "2012-05-02T00:54:06.655Z"
    assert timestamp(T0.astimezone(UTC) + timedelta(hours=0)) == "2012-05-02T00:54:06.655Z"


def test_links_are_query_urls_on_this_endpoint() -> None:
    assert subscribe_url("http://h:1", TOPIC, "ab/c") == (
        f"http://h:1/sns/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=ab%2Fc"
    )
    assert unsubscribe_url("http://h:1", SUBSCRIPTION) == (
        f"http://h:1/sns/?Action=Unsubscribe&SubscriptionArn={SUBSCRIPTION}"
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            notification(),
            "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
            "Subject\nMy First Message\nTimestamp\n2012-05-02T00:54:06.655Z\n"
            f"TopicArn\n{TOPIC}\nType\nNotification\n",
        ),
        (
            notification(subject=None),
            "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
            f"Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\n{TOPIC}\nType\nNotification\n",
        ),
        (
            confirmation(),
            "Message\nYou have chosen to subscribe.\n"
            "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
            "SubscribeURL\nhttps://sns.example/sns/?Action=ConfirmSubscription"
            f"&TopicArn={TOPIC}&Token=2336412f37\n"
            "Timestamp\n2012-05-02T00:54:06.655Z\nToken\n2336412f37\n"
            f"TopicArn\n{TOPIC}\nType\nSubscriptionConfirmation\n",
        ),
    ],
    ids=["notification", "no-subject", "confirmation"],
)
def test_string_to_sign(message: OutgoingMessage, expected: str) -> None:
    assert string_to_sign(message) == expected.encode()


def test_unsubscribe_confirmation_signs_like_a_subscription_confirmation() -> None:
    text = string_to_sign(confirmation(MessageType.UNSUBSCRIBE_CONFIRMATION))
    assert b"Token\n2336412f37\n" in text
    assert text.endswith(b"Type\nUnsubscribeConfirmation\n")


@pytest.mark.parametrize(
    ("version", "algorithm"),
    [("1", hashes.SHA1()), ("2", hashes.SHA256())],
    ids=["SHA1withRSA", "SHA256withRSA"],
)
def test_signature_versions(version: str, algorithm: hashes.HashAlgorithm) -> None:
    body = json.loads(SIGNER.body(notification(), version))
    assert body["SignatureVersion"] == version
    text = "".join(
        f"{key}\n{body[key]}\n"
        for key in ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    )
    signature = base64.b64decode(body["Signature"])
    KEY.public_key().verify(signature, text.encode(), padding.PKCS1v15(), algorithm)
    with pytest.raises(InvalidSignature):
        KEY.public_key().verify(signature, text.encode() + b"x", padding.PKCS1v15(), algorithm)


def test_unknown_signature_version_is_a_bug() -> None:
    with pytest.raises(ValueError, match="signature version"):
        SIGNER.signature(notification(), "3")


def test_bodies_keep_sns_key_order() -> None:
    body = json.loads(json_body(notification(), signature_version="1", signature="S", cert_url="C"))
    assert list(body) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ]
    body = json.loads(json_body(confirmation(), signature_version="1", signature="S", cert_url="C"))
    assert list(body) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]


def test_headers() -> None:
    sent = headers(
        notification(), subscription_arn=SUBSCRIPTION, content_type="application/json", raw=False
    )
    assert sent["x-amz-sns-message-type"] == "Notification"
    assert sent["x-amz-sns-subscription-arn"] == SUBSCRIPTION
    assert sent["Content-Type"] == "application/json"
    assert "x-amz-sns-rawdelivery" not in sent
    confirm = headers(
        confirmation(), subscription_arn=SUBSCRIPTION, content_type="application/json", raw=False
    )
    assert "x-amz-sns-subscription-arn" not in confirm
    assert confirm["Content-Type"] == "text/plain; charset=UTF-8"


def delivery(**changes: object) -> TopicDelivery:
    values: dict[str, object] = {
        "delivery_id": "m:1",
        "topic_arn": TOPIC,
        "subscription_arn": SUBSCRIPTION,
        "endpoint": "http://127.0.0.1:9/hook",
        "message_type": MessageType.NOTIFICATION,
        "message_id": "m",
        "message": "payload",
        "published_at": T0,
        "signature_version": "1",
        "retry": DEFAULT_RETRY,
        "content_type": "text/plain; charset=UTF-8",
        "run_at": T0,
        "created_at": T0,
        "attempts": 1,
    }
    values.update(changes)
    return TopicDelivery(**values)  # type: ignore[arg-type]


def test_raw_notifications_carry_the_bare_message() -> None:
    request = push_request(delivery(raw=True), SIGNER, "https://sns.example")
    assert request.body == b"payload"
    assert request.headers["x-amz-sns-rawdelivery"] == "true"
    wrapped = push_request(delivery(), SIGNER, "https://sns.example")
    assert json.loads(wrapped.body)["Message"] == "payload"


@pytest.mark.parametrize(
    ("outcome", "attempts", "expected"),
    [
        (PushOutcome(200), 1, (Next.DONE, None)),
        (PushOutcome(404), 1, (Next.DONE, None)),
        (PushOutcome(500), 1, (Next.RETRY, T0 + timedelta(seconds=20))),
        (PushOutcome(None, "timed out"), 3, (Next.RETRY, T0 + timedelta(seconds=20))),
        (PushOutcome(503), 4, (Next.DROP, None)),
    ],
    ids=["ok", "4xx", "5xx", "timeout", "exhausted"],
)
def test_next_step(outcome: PushOutcome, attempts: int, expected: tuple[Next, object]) -> None:
    step = next_step(delivery(attempts=attempts), outcome, T0)
    assert (step.next, step.run_at) == expected
