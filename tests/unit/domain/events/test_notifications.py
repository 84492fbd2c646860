"""Identity notifications and event records against the documented samples, key by key."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from openses.domain.events import (
    BouncedRecipient,
    BounceEvent,
    ComplaintEvent,
    DelayedRecipient,
    DeliveryDelayEvent,
    DeliveryEvent,
    MailFacts,
    RejectEvent,
    RenderingFailureEvent,
    SendEvent,
    event_object,
    event_record,
    identity_notification,
    to_json,
)
from tests.unit.domain.events import samples
from tests.unit.domain.events.samples import event_mail, identity_mail


def at(hour: int, minute: int, second: int, millis: int) -> datetime:
    return datetime(2024, 3, 5, hour, minute, second, millis * 1000, tzinfo=UTC)


def assert_same(actual: object, expected: object, path: str = "$") -> None:
    """Equal values, and for objects the same keys in the same order, reported by path."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != {list(expected)}"
        for key, value in expected.items():
            assert_same(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items != {len(expected)}"
        for index, (item, wanted) in enumerate(zip(actual, expected, strict=True)):
            assert_same(item, wanted, f"{path}[{index}]")
    else:
        assert type(actual) is type(expected), f"{path}: {actual!r} is not like {expected!r}"
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


BOUNCE_WITH_DSN = BounceEvent(
    bounce_type="Permanent",
    bounce_subtype="General",
    recipients=(
        BouncedRecipient(
            "ben@mail.example.net",
            action="failed",
            status="5.1.1",
            diagnostic_code="smtp; 550 5.1.1 <ben@mail.example.net>... No such user",
        ),
    ),
    timestamp=at(9, 15, 4, 512),
    feedback_id="0100018e0d5c2b11-0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0-000000",
    reporting_mta="dns; mx.mail.example.net",
    remote_mta_ip="198.51.100.25",
)
BOUNCE_WITHOUT_DSN = BounceEvent(
    bounce_type="Permanent",
    bounce_subtype="General",
    recipients=(BouncedRecipient("ben@mail.example.net"), BouncedRecipient("cy@mail.example.net")),
    timestamp=at(9, 15, 4, 512),
    feedback_id="0100018e0d5c2b12-1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d-000000",
    remote_mta_ip="198.51.100.25",
)
COMPLAINT_WITH_REPORT = ComplaintEvent(
    recipients=("cy@mail.example.net",),
    timestamp=at(10, 2, 11, 9),
    feedback_id="0100018e0d6a0001-2b3c4d5e-6f70-5182-9384-a5b6c7d8e9f0-000000",
    complaint_feedback_type="abuse",
    user_agent="ExampleNet Feedback Loop (V1.2)",
    arrival_date=at(10, 1, 58, 0),
)
COMPLAINT_WITHOUT_REPORT = ComplaintEvent(
    recipients=("cy@mail.example.net",),
    timestamp=at(10, 2, 11, 9),
    feedback_id="0100018e0d6a0002-3c4d5e6f-7081-5293-a4b5-c6d7e8f90a1b-000000",
)
DELIVERY = DeliveryEvent(
    timestamp=at(9, 15, 3, 4),
    recipients=("ben@mail.example.net",),
    processing_time_ms=886,
    smtp_response="250 2.0.0 Ok: queued as 4TqK1",
    reporting_mta="out-1.openses.example",
    remote_mta_ip="198.51.100.25",
)

IDENTITY_CASES: list[tuple[str, Callable[[], dict[str, object]], str]] = [
    (
        "bounce with a DSN",
        lambda: identity_notification(BOUNCE_WITH_DSN, identity_mail(), include_headers=True),
        samples.IDENTITY_BOUNCE_WITH_DSN,
    ),
    (
        "bounce without a DSN",
        lambda: identity_notification(BOUNCE_WITHOUT_DSN, identity_mail(), include_headers=True),
        samples.IDENTITY_BOUNCE_WITHOUT_DSN,
    ),
    (
        "complaint with a feedback report",
        lambda: identity_notification(COMPLAINT_WITH_REPORT, identity_mail(), include_headers=True),
        samples.IDENTITY_COMPLAINT_WITH_REPORT,
    ),
    (
        "complaint without a feedback report",
        lambda: identity_notification(
            COMPLAINT_WITHOUT_REPORT, identity_mail(), include_headers=True
        ),
        samples.IDENTITY_COMPLAINT_WITHOUT_REPORT,
    ),
    (
        "delivery",
        lambda: identity_notification(DELIVERY, identity_mail(), include_headers=True),
        samples.IDENTITY_DELIVERY,
    ),
    (
        "delivery, headers not included",
        lambda: identity_notification(DELIVERY, identity_mail(), include_headers=False),
        samples.IDENTITY_DELIVERY_WITHOUT_HEADERS,
    ),
]

EVENT_CASES: list[tuple[str, Callable[[], dict[str, object]], str]] = [
    (
        "bounce",
        lambda: event_record(
            BounceEvent(
                bounce_type="Permanent",
                bounce_subtype="General",
                recipients=(
                    BouncedRecipient(
                        "ben@mail.example.net",
                        action="failed",
                        status="5.1.1",
                        diagnostic_code="smtp; 550 5.1.1 user unknown",
                    ),
                ),
                timestamp=at(9, 15, 4, 512),
                feedback_id="0100018e0d5c2b13-4d5e6f70-8192-53a4-b5c6-d7e8f9a0b1c2-000000",
                reporting_mta="dns; mx.mail.example.net",
            ),
            event_mail(outgoing_ip="192.0.2.77"),
            configuration_set="Storefront",
        ),
        samples.EVENT_BOUNCE,
    ),
    (
        "complaint",
        lambda: event_record(
            ComplaintEvent(
                recipients=("ben@mail.example.net",),
                timestamp=at(10, 2, 11, 9),
                feedback_id="0100018e0d6a0003-5e6f7081-92a3-54b5-86d7-e8f9a0b1c2d3-000000",
                complaint_feedback_type="abuse",
                user_agent="Mozilla/5.0 (X11; Linux x86_64) ExampleMail/9.1",
                arrival_date=at(10, 1, 58, 0),
            ),
            event_mail(outgoing_ip="192.0.2.77"),
            configuration_set="Storefront",
        ),
        samples.EVENT_COMPLAINT,
    ),
    (
        "delivery",
        lambda: event_record(
            DeliveryEvent(
                timestamp=at(9, 15, 3, 4),
                recipients=("ben@mail.example.net",),
                processing_time_ms=886,
                smtp_response="250 2.6.0 Message received",
                reporting_mta="out-1.openses.example",
                remote_mta_ip="198.51.100.25",  # not shown in event records
            ),
            event_mail(outgoing_ip="192.0.2.77"),
            configuration_set="Storefront",
        ),
        samples.EVENT_DELIVERY,
    ),
    (
        "send",
        lambda: event_record(SendEvent(), event_mail(), configuration_set="Storefront"),
        samples.EVENT_SEND,
    ),
    (
        "reject",
        lambda: event_record(RejectEvent(), event_mail(), configuration_set="Storefront"),
        samples.EVENT_REJECT,
    ),
    (
        "rendering failure",
        lambda: event_record(
            RenderingFailureEvent(
                template_name="SpringSale",
                error_message="Attribute 'firstName' is not present in the rendering data.",
            ),
            event_mail(headers=None, tags=()),
            configuration_set="Storefront",
        ),
        samples.EVENT_RENDERING_FAILURE,
    ),
    (
        "delivery delay",
        lambda: event_record(
            DeliveryDelayEvent(
                delay_type="TransientCommunicationFailure",
                expiration_time=at(21, 15, 2, 118),
                recipients=(
                    DelayedRecipient(
                        "ben@mail.example.net",
                        status="4.4.1",
                        diagnostic_code="smtp; 421 4.4.1 Unable to connect to remote host",
                    ),
                ),
                timestamp=at(9, 25, 2, 311),
            ),
            event_mail(headers=None, tags=()),
            configuration_set="Storefront",
        ),
        samples.EVENT_DELIVERY_DELAY,
    ),
]


@pytest.mark.parametrize(
    ("render", "sample"),
    [(render, sample) for _, render, sample in IDENTITY_CASES + EVENT_CASES],
    ids=[f"identity: {name}" for name, _, _ in IDENTITY_CASES]
    + [f"event: {name}" for name, _, _ in EVENT_CASES],
)
def test_matches_the_documented_shape(render: Callable[[], dict[str, object]], sample: str) -> None:
    record = render()
    expected = json.loads(sample)
    assert_same(record, expected)
    compact = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    newline = "\n" if "eventType" in expected else ""
    assert to_json(record) == compact + newline


# ------------------------------------------------------------------------- who sent it

OWN_CALLER = "arn:aws:iam::444455556666:root"
OWN_IDENTITY = "arn:aws:ses:eu-west-1:444455556666:identity/own.example.com"


def sent_by(*, source_arn: str, account: str, caller: str) -> MailFacts:
    return MailFacts(
        timestamp=at(9, 0, 0, 0),
        message_id="0100018e0d000000-00000000-0000-4000-8000-000000000000-000000",
        source="news@own.example.com",
        source_arn=source_arn,
        source_ip="198.51.100.9",
        caller_arn=caller,
        sending_account_id=account,
        destination=("reader@example.net",),
        headers=b"From: news@own.example.com\r\nTo: reader@example.net\r\n\r\n",
    )


@pytest.mark.parametrize(
    ("mail", "source_arn", "account", "caller"),
    [
        pytest.param(
            sent_by(source_arn=OWN_IDENTITY, account="444455556666", caller=OWN_CALLER),
            OWN_IDENTITY,
            "444455556666",
            "root",
            id="own identity, account root",
        ),
        pytest.param(
            sent_by(
                source_arn=samples.IDENTITY_ARN,
                account=samples.DELEGATE,
                caller=samples.DELEGATE_CALLER,
            ),
            samples.IDENTITY_ARN,
            samples.DELEGATE,
            "mailer",
            id="delegated: the owner's identity, the delegate's account and user",
        ),
        pytest.param(
            sent_by(
                source_arn=samples.IDENTITY_ARN,
                account=samples.DELEGATE,
                caller=f"arn:aws:sts::{samples.DELEGATE}:assumed-role/NewsletterRole/run-42",
            ),
            samples.IDENTITY_ARN,
            samples.DELEGATE,
            "NewsletterRole",
            id="delegated from a role session",
        ),
    ],
)
def test_attribution_fields(mail: MailFacts, source_arn: str, account: str, caller: str) -> None:
    notification = identity_notification(DELIVERY, mail, include_headers=False)
    shown = notification["mail"]
    assert isinstance(shown, dict)
    assert (shown["sourceArn"], shown["sendingAccountId"], shown["callerIdentity"]) == (
        source_arn,
        account,
        caller,
    )
    assert shown["sourceIp"] == "198.51.100.9"
    record = event_record(SendEvent(), mail, configuration_set="Audit")
    shown = record["mail"]
    assert isinstance(shown, dict)
    assert (shown["sourceArn"], shown["sendingAccountId"]) == (source_arn, account)
    assert "callerIdentity" not in shown
    assert "sourceIp" not in shown
    assert shown["tags"] == {
        "ses:configuration-set": ["Audit"],
        "ses:source-ip": ["198.51.100.9"],
        "ses:from-domain": ["own.example.com"],
        "ses:caller-identity": [caller],
    }


def test_delegated_send_keeps_the_owner_in_the_arn_only() -> None:
    shown = identity_notification(DELIVERY, identity_mail(), include_headers=False)["mail"]
    assert isinstance(shown, dict)
    arn_account = str(shown["sourceArn"]).split(":")[4]
    assert arn_account == samples.OWNER
    assert shown["sendingAccountId"] == samples.DELEGATE != arn_account


# ------------------------------------------------------------------------- content details


def test_unicode_subject_and_names_are_decoded_and_written_as_is() -> None:
    headers = (
        b"From: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <jorg@shop.example.org>\r\n"
        b"To: =?ISO-8859-1?Q?Ren=E9e?= <renee@example.net>, plain@example.net\r\n"
        b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen_?=\r\n"
        b" =?UTF-8?B?8J+Ngw==?=\r\n"
        b"\r\n"
    )
    mail = sent_by(source_arn=OWN_IDENTITY, account="444455556666", caller=OWN_CALLER)
    mail = replace(mail, headers=headers)
    record = identity_notification(DELIVERY, mail, include_headers=True)
    shown = record["mail"]
    assert isinstance(shown, dict)
    assert shown["commonHeaders"] == {
        "from": ["Jörg Müller <jorg@shop.example.org>"],
        "to": ["Renée <renee@example.net>", "plain@example.net"],
        "subject": "Grüße aus München 🍃",
    }
    assert shown["headers"][2] == {"name": "Subject", "value": "Grüße aus München 🍃"}
    text = to_json(record)
    assert "Grüße aus München 🍃" in text
    assert "\\u" not in text
    assert json.loads(text) == record


def test_truncated_headers_are_flagged_in_both_formats() -> None:
    filler = b"".join(b"X-Filler-%03d: %s\r\n" % (n, b"f" * 100) for n in range(100))
    headers = b"From: ana@shop.example.org\r\nSubject: Big\r\n" + filler + b"\r\n"
    mail = replace(identity_mail(), headers=headers)
    for record in (
        identity_notification(DELIVERY, mail, include_headers=True),
        event_record(SendEvent(), mail, configuration_set="Storefront"),
    ):
        shown = record["mail"]
        assert isinstance(shown, dict)
        assert shown["headersTruncated"] is True
        kept = shown["headers"]
        assert isinstance(kept, list)
        assert 0 < len(kept) < 102
        assert shown["commonHeaders"]["subject"] == "Big"


def test_delivery_delay_shows_headers_when_there_is_a_message() -> None:
    delay = DeliveryDelayEvent(
        delay_type="MailboxFull",
        expiration_time=at(21, 0, 0, 0),
        recipients=(DelayedRecipient("ben@mail.example.net", "4.2.2", "smtp; 452 4.2.2 full"),),
        timestamp=at(9, 30, 0, 0),
        reporting_mta="dns; mx.mail.example.net",
    )
    record = event_record(delay, event_mail(), configuration_set="Storefront")
    shown = record["mail"]
    assert isinstance(shown, dict)
    assert list(shown)[6:] == ["headersTruncated", "headers", "commonHeaders", "tags"]
    body = record["deliveryDelay"]
    assert isinstance(body, dict)
    assert list(body) == [
        "timestamp",
        "delayType",
        "expirationTime",
        "delayedRecipients",
        "reportingMTA",
    ]


def test_rendering_failure_never_shows_headers() -> None:
    record = event_record(
        RenderingFailureEvent("SpringSale", "Template 'SpringSale' does not exist."),
        event_mail(),
        configuration_set="Storefront",
    )
    shown = record["mail"]
    assert isinstance(shown, dict)
    assert "headers" not in shown
    assert "commonHeaders" not in shown
    assert shown["headersTruncated"] is False


def test_complaint_subtype_is_shown_when_set() -> None:
    complaint = ComplaintEvent(
        recipients=("ben@mail.example.net",),
        timestamp=at(10, 0, 0, 0),
        feedback_id="0100018e0d6a0009-00000000-0000-5000-8000-000000000000-000000",
        complaint_subtype="OnAccountSuppressionList",
    )
    body = identity_notification(complaint, identity_mail(), include_headers=False)["complaint"]
    assert isinstance(body, dict)
    assert body["complaintSubType"] == "OnAccountSuppressionList"


def test_identity_headers_without_a_message_show_only_the_flag() -> None:
    shown = identity_notification(DELIVERY, identity_mail(headers=None), include_headers=True)[
        "mail"
    ]
    assert isinstance(shown, dict)
    assert list(shown)[-2:] == ["destination", "headersTruncated"]
    assert shown["headersTruncated"] is False


@pytest.mark.parametrize(
    "event",
    [SendEvent(), RejectEvent(), RenderingFailureEvent("T", "e")],
    ids=["send", "reject", "rendering failure"],
)
def test_identity_notifications_only_report_bounces_complaints_deliveries(
    event: SendEvent | RejectEvent | RenderingFailureEvent,
) -> None:
    with pytest.raises(TypeError, match="identity notifications report"):
        identity_notification(event, identity_mail(), include_headers=True)  # type: ignore[arg-type]


def test_event_record_refuses_another_configuration_set() -> None:
    with pytest.raises(ValueError, match="'Storefront', not 'Other'"):
        event_record(SendEvent(), event_mail(), configuration_set="Other")


def test_event_record_without_a_named_set_uses_the_given_one() -> None:
    mail = replace(event_mail(), configuration_set=None)
    record = event_record(SendEvent(), mail, configuration_set="AccountDefault")
    shown = record["mail"]
    assert isinstance(shown, dict)
    assert shown["tags"]["ses:configuration-set"] == ["AccountDefault"]


def test_operation_tag_comes_first() -> None:
    mail = replace(event_mail(), operation="SendRawEmail")
    shown = event_record(SendEvent(), mail, configuration_set="Storefront")["mail"]
    assert isinstance(shown, dict)
    tags = shown["tags"]
    assert isinstance(tags, dict)
    assert list(tags)[:2] == ["ses:operation", "ses:configuration-set"]
    assert tags["ses:operation"] == ["SendRawEmail"]


def test_repeated_tag_names_collect_their_values() -> None:
    mail = replace(event_mail(), tags=(("team", "a"), ("team", "b")))
    shown = event_record(SendEvent(), mail, configuration_set="Storefront")["mail"]
    assert isinstance(shown, dict)
    assert shown["tags"]["team"] == ["a", "b"]


@pytest.mark.parametrize(
    ("record", "ending"),
    [
        pytest.param({"eventType": "Send", "mail": {}}, "\n", id="event record: newline"),
        pytest.param({"notificationType": "Bounce", "mail": {}}, "}", id="notification: none"),
    ],
)
def test_to_json_ending(record: dict[str, object], ending: str) -> None:
    text = to_json(record)
    assert text.endswith(ending)
    assert ": " not in text
    assert ", " not in text


def test_event_object_is_the_records_own_object() -> None:
    record = event_record(DELIVERY, event_mail(), configuration_set="Storefront")
    assert event_object(DELIVERY) == record["delivery"]
    assert "remoteMtaIp" not in event_object(DELIVERY)
    assert event_object(DELIVERY, identity=True)["remoteMtaIp"] == "198.51.100.25"
    assert event_object(SendEvent()) == {}
