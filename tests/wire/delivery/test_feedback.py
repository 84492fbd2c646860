"""Bounces and complaints that come back: DSNs and ARF reports sent to a message's return path
over SMTP are recorded once, for the sending (delegate) account."""

from __future__ import annotations

import smtplib

import pytest

from openses.config import HostPort
from tests.support.mail_sink import MailSink
from tests.support.openses_server import Running
from tests.wire.delivery.conftest import DEST
from tests.wire.delivery.test_direct_delivery import (
    delegate_send,
    events_of,
    received_for,
    wait_for_events,
    world,
)
from tests.wire.service.sending_world import World

__all__ = ["world"]


def dsn(message_id: str, recipient: str, *, report_id: str, status: str = "5.1.1") -> bytes:
    return (
        f"From: MAILER-DAEMON@mx.{DEST}\r\n"
        f"To: {message_id}@bounces.openses.test\r\n"
        f"Message-ID: <{report_id}@mx.{DEST}>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.{DEST}\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} mailbox unavailable\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{message_id}@email.amazonses.com>\r\n"
        f"To: {recipient}\r\n"
        "--b1--\r\n"
    ).encode()


def arf(message_id: str, recipient: str, *, report_id: str) -> bytes:
    return (
        f"From: abuse@{DEST}\r\n"
        f"To: {message_id}@bounces.openses.test\r\n"
        f"Message-ID: <{report_id}@{DEST}>\r\n"
        "Subject: complaint\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b2"\r\n'
        "\r\n"
        "--b2\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        "--b2\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\n"
        "User-Agent: ExampleFBL/1.0\r\n"
        "Version: 1\r\n"
        f"Original-Rcpt-To: {recipient}\r\n"
        "--b2\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{message_id}@email.amazonses.com>\r\n"
        f"To: {recipient}\r\n"
        "--b2--\r\n"
    ).encode()


def feedback_address(openses: Running) -> HostPort:
    """The feedback listener the fixture gave this live server."""
    assert openses.settings is not None
    address = openses.settings.delivery.feedback_smtp
    assert address is not None
    return address


def send_report(openses: Running, to: str, data: bytes) -> None:
    address = feedback_address(openses)
    with smtplib.SMTP(address.host, address.port, timeout=10) as client:
        client.sendmail("", [to], data)


def test_a_dsn_records_one_bounce_for_the_delegate_however_often_it_arrives(
    world: World, openses: Running, sink: MailSink
) -> None:
    message_id = delegate_send(world, f"gone@{DEST}")
    received_for(sink, message_id)
    wait_for_events(openses, message_id, lambda types: "Delivery" in types)
    report = dsn(message_id, f"gone@{DEST}", report_id=f"dsn-{message_id}")
    send_report(openses, f"{message_id}@bounces.openses.test", report)
    send_report(openses, f"{message_id}@bounces.openses.test", report)
    events = wait_for_events(openses, message_id, lambda types: "Bounce" in types)
    bounces = [e for e in events_of(openses, message_id) if e.event_type == "Bounce"]
    assert len(bounces) == 1
    assert bounces[0].account_id == world.delegate.account_id
    assert bounces[0].detail["bounceType"] == "Permanent"
    assert events[0].event_type == "Send"


def test_an_arf_report_records_a_complaint(world: World, openses: Running, sink: MailSink) -> None:
    message_id = delegate_send(world, f"grumpy@{DEST}")
    received_for(sink, message_id)
    report = arf(message_id, f"grumpy@{DEST}", report_id=f"arf-{message_id}")
    send_report(openses, f"{message_id}@bounces.openses.test", report)
    send_report(openses, f"{message_id}@bounces.openses.test", report)
    wait_for_events(openses, message_id, lambda types: "Complaint" in types)
    complaints = [e for e in events_of(openses, message_id) if e.event_type == "Complaint"]
    assert len(complaints) == 1
    assert complaints[0].recipients == (f"grumpy@{DEST}",)
    assert complaints[0].detail["complaintFeedbackType"] == "abuse"
    complaints_seen = sum(
        point["Complaints"]
        for point in world.ses(world.delegate).get_send_statistics()["SendDataPoints"]
    )
    assert complaints_seen >= 1


def test_mail_for_other_addresses_is_refused(openses: Running) -> None:
    address = feedback_address(openses)
    with smtplib.SMTP(address.host, address.port, timeout=10) as client:
        client.ehlo()
        client.mail("")
        code, _ = client.rcpt("postmaster@bounces.openses.test")
    assert code == 550


@pytest.mark.parametrize("junk", [b"Subject: hi\r\n\r\nnot a report\r\n", b"\x00\xff garbage"])
def test_an_unreadable_report_is_accepted_and_dropped(
    world: World, openses: Running, sink: MailSink, junk: bytes
) -> None:
    message_id = delegate_send(world, f"quiet@{DEST}")
    received_for(sink, message_id)
    wait_for_events(openses, message_id, lambda types: "Delivery" in types)
    send_report(openses, f"{message_id}@bounces.openses.test", junk)
    assert [e.event_type for e in events_of(openses, message_id)] == ["Send", "Delivery"]
