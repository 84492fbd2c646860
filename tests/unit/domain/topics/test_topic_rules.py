"""Topic names and ARNs, attributes, and the checks Publish and Subscribe make."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from openses.domain.topics.attributes import (
    check_create_attributes,
    check_subscription_attribute,
    check_topic_attribute,
    subscription_attributes,
    topic_attributes,
)
from openses.domain.topics.names import (
    TopicArn,
    TopicParameterError,
    check_topic_name,
    subscription_topic,
)
from openses.domain.topics.publishing import (
    check_protocol,
    check_size,
    check_subject,
    message_attributes,
    messages_by_protocol,
    plan_notifications,
)
from openses.domain.topics.records import (
    MessageType,
    Subscription,
    SubscriptionStatus,
    Topic,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
TOPIC = "arn:aws:sns:us-east-1:123456789012:news"


def refused(call: object, *args: object) -> str:
    with pytest.raises(TopicParameterError) as error:
        call(*args)  # type: ignore[operator]
    return error.value.message


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        (TOPIC, TopicArn("aws", "us-east-1", "123456789012", "news")),
        (
            "arn:aws:sns:eu-west-1:123456789012:a_b-C9",
            TopicArn("aws", "eu-west-1", "123456789012", "a_b-C9"),
        ),
        ("arn:aws:sqs:us-east-1:123456789012:news", None),
        ("arn:aws:sns:us-east-1:12345:news", None),
        ("arn:aws:sns:us-east-1:123456789012:bad name", None),
        (f"{TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96", None),
    ],
    ids=["topic", "underscore", "other-service", "account", "name", "subscription"],
)
def test_topic_arns(text: str, parsed: TopicArn | None) -> None:
    assert TopicArn.parse(text) == parsed
    if parsed is not None:
        assert str(parsed) == text


def test_subscription_arns_name_their_topic() -> None:
    assert subscription_topic(f"{TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96") == TOPIC
    assert subscription_topic(TOPIC) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Invalid parameter: Topic Name"),
        ("x" * 257, "Invalid parameter: Topic Name"),
        ("has.dot", "Invalid parameter: Topic Name"),
        ("orders.fifo", "FIFO topics are not supported"),
    ],
    ids=["empty", "long", "dot", "fifo"],
)
def test_topic_names(name: str, message: str) -> None:
    assert message in refused(check_topic_name, name)


def test_valid_topic_names() -> None:
    check_topic_name("x" * 256)
    check_topic_name("My_Topic-1")


def test_topic_attributes() -> None:
    assert check_topic_attribute("DisplayName", "News") == "News"
    assert check_topic_attribute("SignatureVersion", "2") == "2"
    assert "SignatureVersion" in refused(check_topic_attribute, "SignatureVersion", "3")
    assert "DisplayName" in refused(check_topic_attribute, "DisplayName", "x" * 101)
    message = refused(check_topic_attribute, "TracingConfig", "Active")
    assert "TracingConfig is not supported by this server" in message
    assert check_create_attributes({"FifoTopic": "false", "DisplayName": "d"}) == {
        "DisplayName": "d"
    }
    assert "FIFO" in refused(check_create_attributes, {"FifoTopic": "true"})


def test_reading_attributes_back() -> None:
    topic = Topic(TOPIC, "123456789012", "us-east-1", "news", {"Policy": "{}"}, T0)
    counts = {SubscriptionStatus.CONFIRMED: 2, SubscriptionStatus.PENDING: 1}
    values = topic_attributes(topic, counts)
    assert values["SubscriptionsConfirmed"] == "2"
    assert values["SubscriptionsPending"] == "1"
    assert values["SubscriptionsDeleted"] == "0"
    assert values["DisplayName"] == ""
    assert values["SignatureVersion"] == "1"
    assert "DeliveryPolicy" not in values
    subscription = Subscription(
        f"{TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96",
        TOPIC,
        "210987654321",
        "https",
        "https://example.com/hook",
        SubscriptionStatus.PENDING,
        "token",
        T0,
        T0,
    )
    read = subscription_attributes(subscription, topic)
    assert read["PendingConfirmation"] == "true"
    assert read["RawMessageDelivery"] == "false"
    assert read["Owner"] == "210987654321"
    assert json.loads(read["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 3


def test_subscription_attributes() -> None:
    assert check_subscription_attribute("RawMessageDelivery", "TRUE") == "true"
    assert "Must be true or false" in refused(
        check_subscription_attribute, "RawMessageDelivery", "yes"
    )
    assert "FilterPolicy is not supported" in refused(
        check_subscription_attribute, "FilterPolicy", "{}"
    )


@pytest.mark.parametrize(
    ("protocol", "endpoint", "message"),
    [
        ("email", "a@example.com", "email is not supported by this server; supported: http, https"),
        ("sqs", "arn:aws:sqs:us-east-1:1:q", "sqs is not supported"),
        ("http", None, "Invalid parameter: Endpoint"),
        ("http", "https://example.com/", "must be an http:// URL"),
        ("https", "https:///nohost", "must be an https:// URL"),
    ],
    ids=["email", "sqs", "missing", "scheme", "host"],
)
def test_protocols(protocol: str, endpoint: str | None, message: str) -> None:
    assert message in refused(check_protocol, protocol, endpoint)


def test_accepted_protocols_are_lower_cased() -> None:
    assert check_protocol("HTTPS", "https://example.com/hook") == "https"


@pytest.mark.parametrize(
    ("subject", "ok"),
    [("Hello", True), ("x" * 100, True), ("x" * 101, False), ("a\nb", False), ("", False)],
    ids=["plain", "100", "101", "newline", "empty"],
)
def test_subjects(subject: str, ok: bool) -> None:
    if ok:
        check_subject(subject)
    else:
        assert refused(check_subject, subject) == "Invalid parameter: Subject"


@pytest.mark.parametrize(
    ("message", "structure", "result"),
    [
        ("hi", None, {"default": "hi"}),
        ('{"default": "d", "https": "s", "email": "e"}', "json", {"default": "d", "https": "s"}),
        ('{"http": "h"}', "json", "No default entry in JSON message body"),
        ("[1]", "json", "JSON message body failed to parse"),
        ('{"default": 1}', "json", "JSON message body failed to parse"),
        ("not json", "json", "JSON message body failed to parse"),
        ("", None, "Empty message"),
        ("a\x00b", None, "NUL"),
        ("m", "xml", "MessageStructure"),
    ],
    ids=["plain", "json", "no-default", "array", "non-string", "broken", "empty", "nul", "xml"],
)
def test_message_structures(message: str, structure: str | None, result: object) -> None:
    if isinstance(result, dict):
        assert messages_by_protocol(message, structure) == result
    else:
        assert str(result) in refused(messages_by_protocol, message, structure)


def test_message_attributes() -> None:
    assert message_attributes(
        {
            "s": {"DataType": "String", "StringValue": "v"},
            "n": {"DataType": "Number.float", "StringValue": "1.5"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        }
    ) == {
        "s": {"Type": "String", "Value": "v"},
        "n": {"Type": "Number.float", "Value": "1.5"},
        "b": {"Type": "Binary", "Value": "AAE="},
    }
    for bad in (
        {"AWS.x": {"DataType": "String", "StringValue": "v"}},
        {"n": {"DataType": "Number", "StringValue": "one"}},
        {"x": {"DataType": "Date", "StringValue": "v"}},
        {"b": {"DataType": "Binary"}},
    ):
        assert "MessageAttributes" in refused(message_attributes, bad)


def test_message_size_counts_attributes() -> None:
    check_size({"default": "x" * 262_144}, {})
    assert "too long" in refused(
        check_size, {"default": "x" * 262_140}, {"name": {"Type": "String", "Value": "vv"}}
    )


def test_one_delivery_per_subscription_with_its_protocols_message() -> None:
    topic = Topic(TOPIC, "123456789012", "us-east-1", "news", {"Policy": "{}"}, T0)
    subscriptions = [
        Subscription(
            f"{TOPIC}:c9135db0-26c4-47ec-8998-41394500000{n}",
            TOPIC,
            "123456789012",
            protocol,
            f"{protocol}://example.com/{n}",
            SubscriptionStatus.CONFIRMED,
            None,
            None,
            T0,
            attributes={"RawMessageDelivery": "true"} if n == 1 else {},
        )
        for n, protocol in enumerate(("http", "https"))
    ]
    planned = plan_notifications(
        topic,
        subscriptions,
        message_id="m",
        messages={"default": "d", "https": "s"},
        subject="subject",
        attributes={},
        now=T0,
    )
    assert [(d.delivery_id, d.message, d.raw) for d in planned] == [
        ("m:1", "d", False),
        ("m:2", "s", True),
    ]
    assert all(d.message_type is MessageType.NOTIFICATION for d in planned)
    assert all(d.run_at == T0 and d.attempts == 0 for d in planned)
