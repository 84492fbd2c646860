"""Who hears of a delegate's bounce, end to end: the owner's identity topic (pointed at the
delegate's SNS topic, whose policy lets SES publish), the delegate's configuration-set event
destination, the delegate's suppression list, and feedback forwarding by email as the owner's
switch says. Subscribers are real HTTP endpoints on loopback; signatures are checked."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from tests.support.openses_server import Running
from tests.wire.delivery.conftest import DEST
from tests.wire.delivery.test_direct_delivery import (
    delegate_send,
    received_for,
    wait_for_events,
    world,
)
from tests.wire.delivery.test_feedback import arf, dsn, send_report
from tests.wire.service.sending_world import World
from tests.wire.service.sns_world import Endpoint, verify_signature

__all__ = ["world"]


@pytest.fixture
def identity_hook() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


@pytest.fixture
def events_hook() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


def sns_topic(world: World, key: AccessKey, name: str, policy: dict[str, Any] | None) -> str:
    sns = world.openses.client("sns", key)
    arn: str = sns.create_topic(Name=name)["TopicArn"]
    if policy is not None:
        sns.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy)
        )
    return arn


def ses_may_publish(topic: str, owner: str, source_arn: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ses.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": owner},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            }
        ],
    }


def subscribe(world: World, key: AccessKey, topic: str, endpoint: Endpoint) -> None:
    sns = world.openses.client("sns", key)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    confirmation = endpoint.next().json()
    assert confirmation["Type"] == "SubscriptionConfirmation"
    assert httpx.get(confirmation["SubscribeURL"]).status_code == 200


def notifications(endpoint: Endpoint, count: int) -> list[dict[str, Any]]:
    found = []
    for _ in range(count):
        message = endpoint.next().json()
        assert message["Type"] == "Notification"
        verify_signature(message)
        found.append(json.loads(message["Message"]))
    return found


def _has(kind: str, types: list[str]) -> bool:
    return kind in types


def feedback_messages(openses: Running, to: str) -> list[dict[str, Any]]:
    listing = httpx.get(
        f"{openses.base_url}/_openses/messages", params={"kind": "feedback", "recipient": to}
    )
    found: list[dict[str, Any]] = listing.json()["messages"]
    return found


def test_a_delegates_bounce_reaches_the_owners_topic_the_delegates_destination_and_list(
    world: World, openses: Running, identity_hook: Endpoint, events_hook: Endpoint
) -> None:
    owner, delegate = world.owner, world.delegate
    identity_topic = f"arn:aws:sns:us-east-1:{delegate.account_id}:owner-feedback"
    sns_topic(
        world,
        delegate,
        "owner-feedback",
        ses_may_publish(identity_topic, owner.account_id, world.arn()),
    )
    subscribe(world, delegate, identity_topic, identity_hook)
    events_topic = sns_topic(world, delegate, "my-events", None)
    subscribe(world, delegate, events_topic, events_hook)
    v1 = world.ses(owner)
    for kind in ("Bounce", "Complaint"):
        v1.set_identity_notification_topic(
            Identity=world.domain, NotificationType=kind, SnsTopic=identity_topic
        )
    world.sesv2(delegate).create_configuration_set(ConfigurationSetName="tracked")
    world.sesv2(delegate).create_configuration_set_event_destination(
        ConfigurationSetName="tracked",
        EventDestinationName="to-sns",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["SEND", "BOUNCE", "DELIVERY"],
            "SnsDestination": {"TopicArn": events_topic},
        },
    )
    bounced = f"reject-notify@{DEST}"
    message_id = delegate_send(world, bounced, ConfigurationSetName="tracked")
    wait_for_events(openses, message_id, lambda types: "Bounce" in types)

    (identity_note,) = notifications(identity_hook, 1)
    assert identity_note["notificationType"] == "Bounce"
    mail = identity_note["mail"]
    assert mail["messageId"] == message_id
    assert mail["sourceArn"] == world.arn()
    assert mail["sendingAccountId"] == delegate.account_id
    assert identity_note["bounce"]["bouncedRecipients"][0]["emailAddress"] == bounced

    records = notifications(events_hook, 2)
    assert sorted(r["eventType"] for r in records) == ["Bounce", "Send"]
    assert all(r["mail"]["tags"]["ses:configuration-set"] == ["tracked"] for r in records)

    listed = world.sesv2(delegate).get_suppressed_destination(EmailAddress=bounced)
    assert listed["SuppressedDestination"]["Reason"] == "BOUNCE"
    with pytest.raises(ClientError) as caught:
        world.sesv2(owner).get_suppressed_destination(EmailAddress=bounced)
    assert caught.value.response["Error"]["Code"] == "NotFoundException"

    # The owner's identity has feedback forwarding on (SES's default): the bounce also goes
    # by email to the message's feedback address.
    source = f"news@{world.domain}"
    deadline = time.monotonic() + 10
    while not feedback_messages(openses, source) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feedback_messages(openses, source)

    # With forwarding off (allowed: both topics are set), the next bounce is not forwarded.
    v1.set_identity_feedback_forwarding_enabled(Identity=world.domain, ForwardingEnabled=False)
    before = len(feedback_messages(openses, source))
    second = delegate_send(world, f"reject-quiet@{DEST}")
    wait_for_events(openses, second, lambda types: "Bounce" in types)
    notifications(identity_hook, 1)
    assert len(feedback_messages(openses, source)) == before
    v1.set_identity_feedback_forwarding_enabled(Identity=world.domain, ForwardingEnabled=True)
    for kind in ("Bounce", "Complaint"):
        v1.set_identity_notification_topic(Identity=world.domain, NotificationType=kind)


def test_a_suppressed_address_bounces_without_an_attempt(world: World, openses: Running) -> None:
    address = f"listed@{DEST}"
    world.sesv2(world.delegate).put_suppressed_destination(EmailAddress=address, Reason="BOUNCE")
    message_id = delegate_send(world, address)
    events = wait_for_events(openses, message_id, lambda types: "Bounce" in types)
    assert events[-1].detail["bounceSubType"] == "OnAccountSuppressionList"
    # The owner's list does not stop the delegate's mail, and vice versa.
    other = f"owner-listed@{DEST}"
    world.sesv2(world.owner).put_suppressed_destination(EmailAddress=other, Reason="BOUNCE")
    delivered = delegate_send(world, other)
    assert [
        e.event_type for e in wait_for_events(openses, delivered, lambda types: "Delivery" in types)
    ] == ["Send", "Delivery"]


def test_reports_that_come_back_reach_everyone_the_delegates_bounces_reach(
    world: World, openses: Running, identity_hook: Endpoint, events_hook: Endpoint, sink: Any
) -> None:
    owner, delegate = world.owner, world.delegate
    identity_topic = f"arn:aws:sns:us-east-1:{delegate.account_id}:owner-reports"
    sns_topic(
        world,
        delegate,
        "owner-reports",
        ses_may_publish(identity_topic, owner.account_id, world.arn()),
    )
    subscribe(world, delegate, identity_topic, identity_hook)
    events_topic = sns_topic(world, delegate, "report-events", None)
    subscribe(world, delegate, events_topic, events_hook)
    for kind in ("Bounce", "Complaint"):
        world.ses(owner).set_identity_notification_topic(
            Identity=world.domain, NotificationType=kind, SnsTopic=identity_topic
        )
    world.ses(owner).set_identity_headers_in_notifications_enabled(
        Identity=world.domain, NotificationType="Bounce", Enabled=True
    )
    world.sesv2(delegate).create_configuration_set(ConfigurationSetName="reports")
    world.sesv2(delegate).create_configuration_set_event_destination(
        ConfigurationSetName="reports",
        EventDestinationName="to-sns",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
            "SnsDestination": {"TopicArn": events_topic},
        },
    )
    try:
        for report, kind, address in (
            (dsn, "Bounce", f"async-bounce@{DEST}"),
            (arf, "Complaint", f"async-complaint@{DEST}"),
        ):
            message_id = delegate_send(world, address, ConfigurationSetName="reports")
            received_for(sink, message_id)
            wait_for_events(openses, message_id, lambda types: "Delivery" in types)
            send_report(
                openses,
                f"{message_id}@bounces.openses.test",
                report(message_id, address, report_id=f"{kind}-{message_id}"),
            )
            wait_for_events(openses, message_id, functools.partial(_has, kind))
            (note,) = notifications(identity_hook, 1)
            assert note["notificationType"] == kind
            assert note["mail"]["sendingAccountId"] == delegate.account_id
            # Original headers only where the owner asked for them (Bounce here).
            assert ("headers" in note["mail"]) == (kind == "Bounce")
            (record,) = notifications(events_hook, 1)
            assert record["eventType"] == kind
            reason = "BOUNCE" if kind == "Bounce" else "COMPLAINT"
            listed = world.sesv2(delegate).get_suppressed_destination(EmailAddress=address)
            assert listed["SuppressedDestination"]["Reason"] == reason
            with pytest.raises(ClientError):
                world.sesv2(owner).get_suppressed_destination(EmailAddress=address)
    finally:
        for kind in ("Bounce", "Complaint"):
            world.ses(owner).set_identity_notification_topic(
                Identity=world.domain, NotificationType=kind
            )


def test_a_rendering_failure_reaches_the_configuration_set_naming_its_template(
    world: World, openses: Running, events_hook: Endpoint
) -> None:
    delegate = world.delegate
    topic = sns_topic(world, delegate, "render-events", None)
    subscribe(world, delegate, topic, events_hook)
    world.sesv2(delegate).create_configuration_set(ConfigurationSetName="renders")
    world.sesv2(delegate).create_configuration_set_event_destination(
        ConfigurationSetName="renders",
        EventDestinationName="to-sns",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["RENDERING_FAILURE"],
            "SnsDestination": {"TopicArn": topic},
        },
    )
    world.ses(delegate).create_template(
        Template={"TemplateName": "greeting", "SubjectPart": "Hi {{name}}", "TextPart": "x"}
    )
    world.ses(delegate).send_templated_email(
        Source=f"news@{world.domain}",
        SourceArn=world.arn(),
        Destination={"ToAddresses": [f"render@{DEST}"]},
        Template="greeting",
        TemplateData="{}",
        ConfigurationSetName="renders",
    )
    (record,) = notifications(events_hook, 1)
    assert record["eventType"] == "Rendering Failure"
    assert record["failure"]["templateName"] == "greeting"
    assert "name" in record["failure"]["errorMessage"]
