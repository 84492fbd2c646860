"""Accepted mail really leaves: a delegate's send reaches the recipient domain's MX, and what
happened is recorded for the delegate (events, statistics), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from openses.domain.message_events import RecordedEvent
from openses.services.outbox import OutboxService
from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink, Received
from tests.support.openses_server import Running
from tests.wire.delivery.conftest import DEST
from tests.wire.service.sending_world import World


@pytest.fixture(scope="module")
def world(openses: Running, dns: DnsTestServer) -> World:
    world = World(openses, dns, "owner-mail.example")
    world.allow({"AWS": world.delegate.account_id})
    return world


def events_of(openses: Running, message_id: str) -> list[RecordedEvent]:
    """The message's history as operators see it (its Send event is its acceptance)."""
    found = openses.run(OutboxService(openses.application.store).history(message_id))
    assert found is not None, message_id
    return list(found[1])


def wait_for_events(
    openses: Running,
    message_id: str,
    done: Callable[[list[str]], bool],
    timeout: float = 20,
) -> list[RecordedEvent]:
    deadline = time.monotonic() + timeout
    while True:
        found = events_of(openses, message_id)
        if done([event.event_type for event in found]):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"events of {message_id}: {[e.event_type for e in found]}")
        time.sleep(0.05)


def received_for(sink: MailSink, message_id: str, timeout: float = 20) -> Received:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.received:
            if message.mail_from == f"{message_id}@bounces.openses.test":
                return message
        time.sleep(0.05)
    raise AssertionError(f"{message_id} never reached the sink")


def delegate_send(world: World, *to: str, **extra: Any) -> str:
    return world.send_email(
        world.delegate,
        source=f"news@{world.domain}",
        to=list(to),
        SourceArn=world.arn(),
        **extra,
    )


def test_a_delegates_message_reaches_the_mx_and_is_recorded_as_delivered(
    world: World, openses: Running, sink: MailSink
) -> None:
    message_id = delegate_send(world, f"alice@{DEST}", f"bob@{DEST}")
    received = received_for(sink, message_id)
    assert sorted(received.recipients) == [f"alice@{DEST}", f"bob@{DEST}"]
    assert f"Message-ID: <{message_id}@email.amazonses.com>".encode() in received.data
    events = wait_for_events(openses, message_id, lambda types: "Delivery" in types)
    assert [e.event_type for e in events] == ["Send", "Delivery"]
    delivery = events[1]
    assert delivery.account_id == world.delegate.account_id
    assert sorted(delivery.recipients) == [f"alice@{DEST}", f"bob@{DEST}"]
    assert str(delivery.detail["smtpResponse"]).startswith("250")


def test_bcc_is_cut_and_control_headers_never_leave(
    world: World, openses: Running, sink: MailSink
) -> None:
    raw = (
        f"From: news@{world.domain}\r\nTo: alice@{DEST}\r\nBcc: hidden@{DEST}\r\n"
        f"X-SES-SOURCE-ARN: {world.arn()}\r\nSubject: raw\r\n\r\nbody\r\n"
    ).encode()
    reply = world.ses(world.delegate).send_raw_email(RawMessage={"Data": raw})
    received = received_for(sink, reply["MessageId"])
    assert sorted(received.recipients) == [f"alice@{DEST}", f"hidden@{DEST}"]
    assert b"Bcc:" not in received.data
    assert b"X-SES-SOURCE-ARN" not in received.data


def test_a_hard_bounce_counts_for_the_delegate_not_the_owner(
    world: World, openses: Running
) -> None:
    before = _bounces(world, world.delegate)
    message_id = delegate_send(world, f"reject-me@{DEST}")
    events = wait_for_events(openses, message_id, lambda types: "Bounce" in types)
    bounce = events[-1]
    assert bounce.account_id == world.delegate.account_id
    assert bounce.detail["bounceType"] == "Permanent"
    assert bounce.detail["bounceSubType"] in ("General", "NoEmail")
    recipient = bounce.detail["bouncedRecipients"][0]  # type: ignore[index]
    assert recipient["emailAddress"] == f"reject-me@{DEST}"
    assert recipient["diagnosticCode"].startswith("smtp; 550 5.1.1")
    assert _bounces(world, world.delegate) == before + 1
    assert _bounces(world, world.owner) == 0


def test_a_temporary_failure_is_retried_later_with_a_delivery_delay(
    world: World, openses: Running
) -> None:
    message_id = delegate_send(world, f"later@{DEST}", f"carol@{DEST}")
    events = wait_for_events(
        openses, message_id, lambda types: "DeliveryDelay" in types and "Delivery" in types
    )
    delay = next(e for e in events if e.event_type == "DeliveryDelay")
    assert delay.recipients == (f"later@{DEST}",)
    assert delay.detail["delayType"]

    async def jobs() -> list[Any]:
        async with openses.application.store.transaction(read_only=True) as tx:
            return await tx.list_jobs(message_id)

    (job,) = openses.run(jobs())
    assert job.recipients == (f"later@{DEST}",)
    assert job.run_at > job.first_attempt_at
    assert job.lease_owner is None


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        ("success@simulator.amazonses.com", ["Send", "Delivery"]),
        ("bounce@simulator.amazonses.com", ["Send", "Bounce"]),
        ("complaint@simulator.amazonses.com", ["Send", "Delivery", "Complaint"]),
        ("suppressionlist@simulator.amazonses.com", ["Send", "Bounce"]),
        ("ooto@simulator.amazonses.com", ["Send", "Delivery"]),
    ],
)
def test_the_mailbox_simulator_answers_without_leaving_the_machine(
    world: World, openses: Running, sink: MailSink, recipient: str, expected: list[str]
) -> None:
    message_id = delegate_send(world, recipient)
    events = wait_for_events(openses, message_id, lambda types: len(types) >= len(expected))
    assert events[0].event_type == "Send"
    assert sorted(e.event_type for e in events) == sorted(expected)
    assert all(e.account_id == world.delegate.account_id for e in events)
    assert all(m.mail_from != f"{message_id}@bounces.openses.test" for m in sink.received)


def _bounces(world: World, key: Any) -> int:
    points = world.ses(key).get_send_statistics()["SendDataPoints"]
    return sum(point["Bounces"] for point in points)


def test_the_admin_api_shows_a_messages_history(world: World, openses: Running) -> None:
    message_id = delegate_send(world, f"history@{DEST}", f"later-history@{DEST}")
    wait_for_events(openses, message_id, lambda types: "DeliveryDelay" in types)
    found = httpx.get(f"{openses.base_url}/_openses/messages/{message_id}").json()
    assert found["message"]["message_id"] == message_id
    assert found["events"][0]["event_type"] == "Send"
    assert {"Delivery", "DeliveryDelay"} <= {e["event_type"] for e in found["events"]}
    (pending,) = found["pending_deliveries"]
    assert pending["recipients"] == [f"later-history@{DEST}"]
    assert pending["attempts"] == 1
    missing = httpx.get(f"{openses.base_url}/_openses/messages/nope")
    assert missing.status_code == 404


def test_the_simulators_out_of_office_address_answers_the_sender(
    world: World, openses: Running
) -> None:
    message_id = delegate_send(world, "ooto+away@simulator.amazonses.com")
    wait_for_events(openses, message_id, lambda types: "Delivery" in types)
    listing = httpx.get(
        f"{openses.base_url}/_openses/messages",
        params={"kind": "feedback", "recipient": f"news@{world.domain}"},
    ).json()["messages"]
    replies = [m for m in listing if m["subject"] == "Auto: Hello"]
    assert replies
    raw = httpx.get(replies[0]["raw_url"]).content
    assert b"Auto-Submitted: auto-replied" in raw
    assert f"In-Reply-To: <{message_id}@email.amazonses.com>".encode() in raw


def test_configuration_set_delivery_options_apply(world: World, openses: Running) -> None:
    sesv2 = world.sesv2(world.delegate)
    sesv2.create_configuration_set(
        ConfigurationSetName="tls-required", DeliveryOptions={"TlsPolicy": "REQUIRE"}
    )
    sesv2.create_configuration_set(
        ConfigurationSetName="short-retries", DeliveryOptions={"MaxDeliverySeconds": 300}
    )
    # The sink offers no STARTTLS: a send that requires TLS is held back, not delivered.
    held = delegate_send(world, f"secret@{DEST}", ConfigurationSetName="tls-required")
    events = wait_for_events(openses, held, lambda types: "DeliveryDelay" in types)
    assert "Delivery" not in [e.event_type for e in events]
    delay = next(e for e in events if e.event_type == "DeliveryDelay")
    assert "TLS" in str(delay.detail["delayedRecipients"])
    # MaxDeliverySeconds shortens how long a soft failure is retried.
    short = delegate_send(world, f"later-short@{DEST}", ConfigurationSetName="short-retries")
    events = wait_for_events(openses, short, lambda types: "DeliveryDelay" in types)
    delay = next(e for e in events if e.event_type == "DeliveryDelay")
    expires = datetime.fromisoformat(str(delay.detail["expirationTime"]).replace("Z", "+00:00"))
    assert timedelta(seconds=290) < expires - events[0].at <= timedelta(seconds=310)
