"""The pure configuration-set rules: names, event types, destinations, message tags."""

from __future__ import annotations

import pytest

from openses.domain.configuration_sets import (
    ConfigurationSet,
    DestinationKind,
    EventDestination,
    EventType,
    InvalidMessageTags,
    TlsPolicy,
    configuration_set_arn,
    configuration_set_name_problem,
    destination_problem,
    event_destination_name_problem,
    merged_tags,
    message_tag_problem,
    parse_message_tags_header,
    sns_topic_arn_problem,
)

REGION = "us-east-1"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
ONLY = "only alphanumeric ASCII characters, '_', and '-' are allowed."


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("marketing", None, id="letters"),
        pytest.param("Set_1-b", None, id="digits-underscore-dash"),
        pytest.param("a" * 64, None, id="64-characters"),
        pytest.param("", "The configuration set name must be specified.", id="empty"),
        pytest.param(
            "a" * 65, "Configuration set name cannot exceed 64 characters.", id="65-characters"
        ),
        pytest.param(
            "b." + "a" * 65,
            "Configuration set name cannot exceed 64 characters.",
            id="length-is-checked-before-characters",
        ),
        pytest.param("a.b", f"Invalid configuration set name <a.b>: {ONLY}", id="dot"),
        pytest.param("bad name", f"Invalid configuration set name <bad name>: {ONLY}", id="space"),
        pytest.param("Ünï", f"Invalid configuration set name <Ünï>: {ONLY}", id="non-ascii"),
    ],
)
def test_configuration_set_names(name: str, problem: str | None) -> None:
    assert configuration_set_name_problem(name) == problem


def test_event_destination_names_follow_the_same_rules() -> None:
    assert event_destination_name_problem("to-sns") is None
    assert event_destination_name_problem("") == "The event destination name must be specified."
    assert event_destination_name_problem("x:y") == f"Invalid event destination name <x:y>: {ONLY}"


@pytest.mark.parametrize(
    ("kind", "v1"),
    [
        (EventType.SEND, "send"),
        (EventType.REJECT, "reject"),
        (EventType.BOUNCE, "bounce"),
        (EventType.COMPLAINT, "complaint"),
        (EventType.DELIVERY, "delivery"),
        (EventType.OPEN, "open"),
        (EventType.CLICK, "click"),
        (EventType.RENDERING_FAILURE, "renderingFailure"),
        (EventType.DELIVERY_DELAY, "deliveryDelay"),
        (EventType.SUBSCRIPTION, "subscription"),
    ],
)
def test_event_types_in_both_spellings(kind: EventType, v1: str) -> None:
    assert kind.v1_name == v1
    assert EventType.from_v1(v1) is kind


def test_an_unknown_v1_event_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a v1 event type"):
        EventType.from_v1("BOUNCE")


def test_tls_policy_in_both_spellings() -> None:
    assert TlsPolicy.REQUIRE.v1_name == "Require"
    assert TlsPolicy.from_v1("Optional") is TlsPolicy.OPTIONAL


@pytest.mark.parametrize(
    ("arn", "problem"),
    [
        pytest.param(TOPIC, None, id="standard-topic"),
        pytest.param("arn:aws-cn:sns:us-east-1:123456789012:t", None, id="other-partition"),
        pytest.param(
            "arn:aws:sns:eu-west-1:123456789012:t",
            "SNS topic <arn:aws:sns:eu-west-1:123456789012:t> must be in the "
            "configuration set's region (us-east-1).",
            id="other-region",
        ),
        pytest.param(
            "arn:aws:sns:us-east-1:123456789012:t.fifo",
            "SNS topic <arn:aws:sns:us-east-1:123456789012:t.fifo> is a FIFO topic; "
            "Amazon SES publishes to standard topics only.",
            id="fifo",
        ),
        pytest.param(
            "arn:aws:sqs:us-east-1:123456789012:q",
            "Invalid SNS topic ARN <arn:aws:sqs:us-east-1:123456789012:q>.",
            id="sqs",
        ),
        pytest.param(
            "arn:aws:sns:us-east-1:1234:t",
            "Invalid SNS topic ARN <arn:aws:sns:us-east-1:1234:t>.",
            id="short-account",
        ),
        pytest.param(
            "arn:aws:sns:us-east-1:123456789012:a b",
            "Invalid SNS topic ARN <arn:aws:sns:us-east-1:123456789012:a b>.",
            id="space-in-name",
        ),
        pytest.param("", "Invalid SNS topic ARN <>.", id="empty"),
    ],
)
def test_sns_topic_arns(arn: str, problem: str | None) -> None:
    assert sns_topic_arn_problem(arn, REGION) == problem


BOUNCES = frozenset({EventType.BOUNCE})


@pytest.mark.parametrize(
    ("kinds", "types", "topic", "expected_kind", "fragment"),
    [
        pytest.param([DestinationKind.SNS], BOUNCES, TOPIC, None, None, id="sns-ok"),
        pytest.param([], BOUNCES, None, None, "exactly one destination (it has 0)", id="none"),
        pytest.param(
            [DestinationKind.SNS, DestinationKind.CLOUDWATCH],
            BOUNCES,
            TOPIC,
            None,
            "exactly one destination (it has 2)",
            id="two",
        ),
        pytest.param(
            [DestinationKind.CLOUDWATCH],
            BOUNCES,
            None,
            DestinationKind.CLOUDWATCH,
            "Amazon CloudWatch event destinations are not supported by OpenSES",
            id="cloudwatch",
        ),
        pytest.param(
            [DestinationKind.KINESIS_FIREHOSE],
            BOUNCES,
            None,
            DestinationKind.KINESIS_FIREHOSE,
            "Amazon Kinesis Data Firehose event destinations are not supported",
            id="firehose",
        ),
        pytest.param(
            [DestinationKind.EVENTBRIDGE],
            BOUNCES,
            None,
            DestinationKind.EVENTBRIDGE,
            "Amazon EventBridge event destinations are not supported",
            id="eventbridge",
        ),
        pytest.param(
            [DestinationKind.PINPOINT],
            BOUNCES,
            None,
            DestinationKind.PINPOINT,
            "Amazon Pinpoint event destinations are not supported",
            id="pinpoint",
        ),
        pytest.param(
            [DestinationKind.SNS],
            frozenset(),
            TOPIC,
            None,
            "must match at least one event type",
            id="no-event-types",
        ),
        pytest.param(
            [DestinationKind.SNS],
            BOUNCES,
            "arn:aws:sns:eu-west-1:123456789012:t",
            DestinationKind.SNS,
            "must be in the configuration set's region",
            id="topic-elsewhere",
        ),
        pytest.param(
            [DestinationKind.SNS],
            BOUNCES,
            None,
            DestinationKind.SNS,
            "Invalid SNS topic ARN <>.",
            id="no-topic",
        ),
    ],
)
def test_destination_rules(
    kinds: list[DestinationKind],
    types: frozenset[EventType],
    topic: str | None,
    expected_kind: DestinationKind | None,
    fragment: str | None,
) -> None:
    problem = destination_problem("dest", kinds, types, topic, REGION)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.kind is expected_kind
        assert fragment in problem.message


def test_a_bad_destination_name_is_reported_first() -> None:
    problem = destination_problem("a.b", [DestinationKind.CLOUDWATCH], BOUNCES, None, REGION)
    assert problem is not None
    assert problem.message == f"Invalid event destination name <a.b>: {ONLY}"


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        pytest.param("campaign", "spring-2026_a", None, id="ok"),
        pytest.param("ses:feedback-id-a", "list_7", None, id="ses-feedback-tag"),
        pytest.param("ses:other", "x", f"Invalid tag name <ses:other>: {ONLY}", id="ses-other"),
        pytest.param("a:b", "x", f"Invalid tag name <a:b>: {ONLY}", id="colon-in-name"),
        pytest.param(
            "event",
            "event:id:abc1234",
            f"Invalid tag value <event:id:abc1234>: {ONLY}",
            id="colon-in-value",
        ),
        pytest.param("", "x", "The tag name must be specified.", id="empty-name"),
        pytest.param("x", "", "The tag value must be specified.", id="empty-value"),
        pytest.param("n" * 257, "x", "Tag name cannot exceed 256 characters.", id="long-name"),
        pytest.param("x", "v" * 257, "Tag value cannot exceed 256 characters.", id="long-value"),
        pytest.param("n" * 256, "v" * 256, None, id="256-each"),
    ],
)
def test_message_tags(name: str, value: str, problem: str | None) -> None:
    assert message_tag_problem(name, value) == problem


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        pytest.param(
            "tagName1=tagValue1, tagName2=tagValue2",
            (("tagName1", "tagValue1"), ("tagName2", "tagValue2")),
            id="documented",
        ),
        pytest.param("a=b", (("a", "b"),), id="one"),
        pytest.param(" a = b ,c=d", (("a", "b"), ("c", "d")), id="spaces"),
        pytest.param("", (), id="empty"),
    ],
)
def test_message_tags_header(header: str, tags: tuple[tuple[str, str], ...]) -> None:
    assert parse_message_tags_header(header) == tags


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param(
            "a",
            "Invalid message tag <a> in X-SES-MESSAGE-TAGS: expected name=value.",
            id="no-equals",
        ),
        pytest.param(
            "a=b,",
            "Invalid message tag <> in X-SES-MESSAGE-TAGS: expected name=value.",
            id="trailing-comma",
        ),
        pytest.param("a=b c", f"Invalid tag value <b c>: {ONLY}", id="space-in-value"),
        pytest.param("=b", "The tag name must be specified.", id="no-name"),
    ],
)
def test_bad_message_tags_headers(header: str, reason: str) -> None:
    with pytest.raises(InvalidMessageTags) as raised:
        parse_message_tags_header(header)
    assert str(raised.value) == reason


def test_bulk_replacement_tags_replace_defaults_by_name() -> None:
    assert merged_tags([("a", "1"), ("b", "2")], [("b", "3"), ("c", "4")]) == (
        ("a", "1"),
        ("b", "3"),
        ("c", "4"),
    )


def test_destinations_for_an_event_are_the_enabled_matching_ones() -> None:
    bounces = EventDestination("b", True, frozenset({EventType.BOUNCE}), TOPIC)
    off = EventDestination("off", False, frozenset({EventType.BOUNCE}), TOPIC)
    sends = EventDestination("s", True, frozenset({EventType.SEND}), TOPIC)
    found = ConfigurationSet("set", event_destinations=(bounces, off, sends))
    assert found.destinations_for(EventType.BOUNCE) == (bounces,)
    assert found.destinations_for(EventType.COMPLAINT) == ()
    assert found.event_destination("off") is off
    assert found.event_destination("missing") is None


def test_configuration_set_arn() -> None:
    assert (
        configuration_set_arn("eu-west-1", "123456789012", "marketing")
        == "arn:aws:ses:eu-west-1:123456789012:configuration-set/marketing"
    )
