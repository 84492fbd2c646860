"""The event values: their checks, SES timestamps, feedback ids and caller names."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from openses.domain.events import (
    BOUNCE_SUBTYPES,
    BouncedRecipient,
    BounceEvent,
    ComplaintEvent,
    DelayedRecipient,
    DeliveryDelayEvent,
    DeliveryEvent,
    MailFacts,
    caller_identity,
    feedback_id,
    format_timestamp,
)
from openses.domain.mail import MalformedMessage

T = datetime(2024, 3, 5, 9, 15, 2, 118000, tzinfo=UTC)
NAIVE = datetime(2024, 3, 5, 9, 15, 2)
MESSAGE_ID = "0100018e0d5c1a46-7c41d2e0-55b3-4f0e-9a8b-3d2c1e0f9a7b-000000"
SES_ID = re.compile(
    r"[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000"
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (T, "2024-03-05T09:15:02.118Z"),
        (datetime(2024, 3, 5, 9, 15, 2, tzinfo=UTC), "2024-03-05T09:15:02.000Z"),
        (datetime(2024, 3, 5, 9, 15, 2, 999999, tzinfo=UTC), "2024-03-05T09:15:02.999Z"),
        (
            datetime(2024, 3, 5, 4, 15, 2, 7000, tzinfo=timezone(timedelta(hours=-5))),
            "2024-03-05T09:15:02.007Z",
        ),
        (datetime(2024, 12, 31, 23, 59, 59, 1000, tzinfo=UTC), "2024-12-31T23:59:59.001Z"),
    ],
    ids=["milliseconds", "whole second", "cut, not rounded", "converted to UTC", "year end"],
)
def test_format_timestamp(value: datetime, shown: str) -> None:
    assert format_timestamp(value) == shown


def test_format_timestamp_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(NAIVE)


def test_feedback_id_has_the_shape_of_a_message_id() -> None:
    at = T + timedelta(seconds=2, milliseconds=394)
    value = feedback_id(MESSAGE_ID, at, "bounce ben@mail.example.net")
    assert SES_ID.fullmatch(value), value
    assert value[:2] == "01"
    assert int(value[2:16], 16) == int(at.timestamp() * 1000)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("bounce", T), ("bounce", T), True),
        (("bounce a@x", T), ("bounce b@x", T), False),
        (("complaint", T), ("complaint", T + timedelta(milliseconds=1)), False),
    ],
    ids=["same report, same id", "other discriminator", "other time"],
)
def test_feedback_id_is_deterministic(
    first: tuple[str, datetime], second: tuple[str, datetime], same: bool
) -> None:
    one = feedback_id(MESSAGE_ID, first[1], first[0])
    two = feedback_id(MESSAGE_ID, second[1], second[0])
    assert (one == two) is same


@pytest.mark.parametrize(
    ("message_id", "prefix"),
    [("0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000", "00"), ("odd", "01")],
    ids=["prefix of the message id", "default prefix"],
)
def test_feedback_id_prefix(message_id: str, prefix: str) -> None:
    assert feedback_id(message_id, T, "x").startswith(prefix)


def test_feedback_id_differs_per_message() -> None:
    other = "0100018e0d5c1a47-00000000-0000-4000-8000-000000000000-000000"
    assert feedback_id(MESSAGE_ID, T, "x") != feedback_id(other, T, "x")


def test_feedback_id_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        feedback_id(MESSAGE_ID, NAIVE, "x")


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:iam::123456789012:root", "root"),
        ("arn:aws:iam::123456789012:user/mailer", "mailer"),
        ("arn:aws:iam::123456789012:user/division/team/mailer", "mailer"),
        ("arn:aws:sts::123456789012:assumed-role/Lambda-Role/fn-session", "Lambda-Role"),
        ("arn:aws:iam::123456789012:role/service/Sender", "Sender"),
        ("ses.amazonaws.com", "ses.amazonaws.com"),
        ("arn:aws:iam::123456789012:group/x", "arn:aws:iam::123456789012:group/x"),
        ("arn:short", "arn:short"),
    ],
    ids=[
        "root",
        "user",
        "user with path",
        "role session",
        "role",
        "service principal",
        "other resource",
        "not an ARN",
    ],
)
def test_caller_identity(arn: str, name: str) -> None:
    assert caller_identity(arn) == name


def mail(**changes: object) -> MailFacts:
    fields: dict[str, object] = {
        "timestamp": T,
        "message_id": MESSAGE_ID,
        "source": "ana@shop.example.org",
        "source_arn": "arn:aws:ses:us-east-1:888888888888:identity/shop.example.org",
        "source_ip": "203.0.113.40",
        "caller_arn": "arn:aws:iam::123456789012:root",
        "sending_account_id": "123456789012",
        "destination": ("ben@mail.example.net",),
    }
    return MailFacts(**{**fields, **changes})  # type: ignore[arg-type]


def bounce(**changes: object) -> BounceEvent:
    fields: dict[str, object] = {
        "bounce_type": "Permanent",
        "bounce_subtype": "General",
        "recipients": (BouncedRecipient("ben@mail.example.net"),),
        "timestamp": T,
        "feedback_id": "f",
    }
    return BounceEvent(**{**fields, **changes})  # type: ignore[arg-type]


def complaint(**changes: object) -> ComplaintEvent:
    fields: dict[str, object] = {
        "recipients": ("ben@mail.example.net",),
        "timestamp": T,
        "feedback_id": "f",
    }
    return ComplaintEvent(**{**fields, **changes})  # type: ignore[arg-type]


def delivery(**changes: object) -> DeliveryEvent:
    fields: dict[str, object] = {
        "timestamp": T,
        "recipients": ("ben@mail.example.net",),
        "processing_time_ms": 0,
        "smtp_response": "250 ok",
        "reporting_mta": "out-1.openses.example",
    }
    return DeliveryEvent(**{**fields, **changes})  # type: ignore[arg-type]


def delay(**changes: object) -> DeliveryDelayEvent:
    fields: dict[str, object] = {
        "delay_type": "MailboxFull",
        "expiration_time": T + timedelta(hours=12),
        "recipients": (DelayedRecipient("ben@mail.example.net", "4.2.2", "smtp; 452 full"),),
        "timestamp": T,
    }
    return DeliveryDelayEvent(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "error"),
    [
        pytest.param(lambda: mail(timestamp=NAIVE), "timezone-aware", id="mail: naive time"),
        pytest.param(lambda: mail(destination=()), "at least one", id="mail: no recipient"),
        pytest.param(lambda: bounce(bounce_type="Soft"), "unknown bounce type", id="bounce type"),
        pytest.param(
            lambda: bounce(bounce_subtype="MailboxFull"), "no subtype", id="permanent/mailboxfull"
        ),
        pytest.param(
            lambda: bounce(bounce_type="Undetermined"), "no subtype", id="undetermined/general"
        ),
        pytest.param(lambda: bounce(recipients=()), "must not be empty", id="bounce: nobody"),
        pytest.param(lambda: bounce(timestamp=NAIVE), "timezone-aware", id="bounce: naive"),
        pytest.param(lambda: complaint(recipients=()), "must not be empty", id="complaint: nobody"),
        pytest.param(
            lambda: complaint(complaint_subtype="Spam"), "unknown complaint subtype", id="subtype"
        ),
        pytest.param(
            lambda: complaint(arrival_date=NAIVE), "timezone-aware", id="complaint: naive arrival"
        ),
        pytest.param(
            lambda: delivery(processing_time_ms=-1), "must not be negative", id="negative time"
        ),
        pytest.param(lambda: delivery(recipients=()), "must not be empty", id="delivery: nobody"),
        pytest.param(lambda: delay(delay_type="Slow"), "unknown delay type", id="delay type"),
        pytest.param(
            lambda: delay(expiration_time=NAIVE), "timezone-aware", id="delay: naive expiry"
        ),
        pytest.param(lambda: delay(recipients=()), "must not be empty", id="delay: nobody"),
    ],
)
def test_values_refuse_what_ses_would_never_say(build: Callable[[], object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        build()


@pytest.mark.parametrize(
    ("bounce_type", "subtype"),
    [(kind, sub) for kind, subs in sorted(BOUNCE_SUBTYPES.items()) for sub in sorted(subs)],
)
def test_every_documented_bounce_pair_is_accepted(bounce_type: str, subtype: str) -> None:
    event = bounce(bounce_type=bounce_type, bounce_subtype=subtype)
    assert (event.bounce_type, event.bounce_subtype) == (bounce_type, subtype)


def test_mail_refuses_a_malformed_message() -> None:
    with pytest.raises(MalformedMessage):
        mail(headers=b"this is not a header\r\n\r\n")


def test_mail_accepts_a_header_section_alone() -> None:
    facts = mail(headers=b"From: ana@shop.example.org\r\nTo: ben@mail.example.net\r\n")
    assert facts.headers is not None
