"""Parsing delivery status notifications from real-world-shaped and broken input."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.delivery import BounceSubType, BounceType, DelayType, Disposition
from openses.domain.feedback import DeliveryStatusNotification, ReportProblem, parse_dsn
from tests.unit.domain.feedback import samples as s

PST = timezone(timedelta(hours=-8))


def parsed(data: bytes, **kwargs: str) -> DeliveryStatusNotification:
    result = parse_dsn(data, **kwargs)
    assert isinstance(result, DeliveryStatusNotification), result
    return result


class Expected(NamedTuple):
    name: str
    data: bytes
    reporting_mta: str | None
    address: str
    action: str
    status: str
    bounce_type: BounceType | None
    subtype: BounceSubType | None
    original_id: str | None


REAL = [
    Expected(
        "postfix",
        s.POSTFIX_FAILED,
        "dns; mail.example.net",
        "nosuchuser@example.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "postfix delayed LF",
        s.POSTFIX_DELAYED_LF,
        "dns; mail.example.net",
        "slow@example.org",
        "delayed",
        "4.4.1",
        BounceType.TRANSIENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "exim",
        s.EXIM_FAILED,
        "dns; mx.example.net",
        "full@example.net",
        "failed",
        "5.0.0",
        BounceType.TRANSIENT,
        BounceSubType.MAILBOX_FULL,
        s.HEADER_ID,
    ),
    Expected(
        "gmail",
        s.GMAIL_FAILED,
        "dns; googlemail.com",
        "nosuchuser@gmail.com",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "microsoft",
        s.MICROSOFT_FAILED,
        "dns;DM6PR01MB1234.namprd01.prod.outlook.com",
        "user@contoso.example",
        "failed",
        "5.1.10",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "ses expired",
        s.SES_EXPIRED,
        "dsn; a8-61.smtp-out.amazonses.com",
        "slow@example.org",
        "failed",
        "4.4.7",
        BounceType.TRANSIENT,
        BounceSubType.MAILBOX_FULL,
        s.HEADER_ID,
    ),
    Expected(
        "upper case",
        s.UPPERCASE,
        "DNS; MAIL.EXAMPLE.NET",
        "Loud@Example.NET",
        "failed",
        "5.0.0",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "no type prefix",
        s.NO_TYPE_PREFIX,
        None,
        "bare@example.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        None,
    ),
    Expected(
        "split blocks",
        s.SPLIT_BLOCKS,
        "dns; mail.example.net",
        "a@example.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        None,
    ),
    Expected(
        "global dsn",
        s.GLOBAL_DSN,
        "dns; mail.example.net",
        "jöran@exämple.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "base64 headers",
        s.BASE64_HEADERS,
        None,
        "x@example.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "nested bounce",
        s.NESTED_BOUNCE,
        "dns; outer.example",
        "outer@example.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        s.HEADER_ID,
    ),
    Expected(
        "truncated",
        s.TRUNCATED,
        "dns; mail.example.net",
        "nosuchuser@example.net",
        "failed",
        "5.1.1",
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        None,
    ),
]


@pytest.mark.parametrize("case", REAL, ids=[case.name for case in REAL])
def test_real_world_dsns(case: Expected) -> None:
    dsn = parsed(case.data, envelope_recipient=s.RETURN_PATH, bounce_domain=s.BOUNCE_DOMAIN)
    assert dsn.reporting_mta == case.reporting_mta
    assert len(dsn.recipients) == 1
    recipient = dsn.recipients[0]
    assert recipient.address == case.address
    assert recipient.action == case.action
    assert recipient.status == case.status
    verdict = recipient.verdict()
    assert (verdict.bounce_type, verdict.bounce_subtype) == (case.bounce_type, case.subtype)
    assert (dsn.original.message_id if dsn.original else None) == case.original_id
    assert dsn.return_path_message_id == s.MID
    assert dsn.ses_message_id == s.MID


@pytest.mark.parametrize("case", REAL, ids=[case.name for case in REAL])
def test_message_id_from_the_original_when_no_envelope(case: Expected) -> None:
    dsn = parsed(case.data)
    assert dsn.return_path_message_id is None
    assert dsn.ses_message_id == (s.MID if case.original_id else None)


def test_postfix_details() -> None:
    dsn = parsed(s.POSTFIX_FAILED)
    assert dsn.reporting_mta_name == "mail.example.net"
    assert dsn.arrival_date == datetime(2022, 3, 15, 10, 12, 12, tzinfo=UTC)
    assert dsn.message_id == "<20220315101213.4B7E2C0A13@mail.example.net>"
    recipient = dsn.recipients[0]
    assert recipient.original_recipient == "nosuchuser@example.net"
    assert recipient.remote_mta == "dns; mx.example.net"
    assert recipient.diagnostic_code == (
        "smtp; 550 5.1.1 <nosuchuser@example.net>: Recipient address"
        "    rejected: User unknown in virtual mailbox table"
    )
    original = dsn.original
    assert original is not None
    assert original.return_path == s.RETURN_PATH
    assert original.from_ == "Sender <sender@example.com>"
    assert original.to == ("nosuchuser@example.net", "other@example.net")
    assert original.subject == "Hello there"
    assert original.date == "Tue, 15 Mar 2022 10:12:11 +0000"
    assert (
        original.get(
            "received",
        )
        is not None
    )


def test_postfix_delayed_details() -> None:
    dsn = parsed(s.POSTFIX_DELAYED_LF)
    recipient = dsn.recipients[0]
    assert recipient.will_retry_until == datetime(2022, 3, 22, 10, 12, 12, tzinfo=UTC)
    verdict = recipient.verdict()
    assert verdict.disposition is Disposition.DEFERRED
    assert verdict.delay_type is DelayType.GENERAL
    assert recipient.diagnostic_code == (
        "X-Postfix; connect to mx.example.org[192.0.2.77]:25: Connection    timed out"
    )


def test_gmail_details() -> None:
    dsn = parsed(s.GMAIL_FAILED)
    assert dsn.received_from_mta == "dns; a1-2.smtp-out.openses.example"
    assert dsn.arrival_date == datetime(2022, 1, 27, 7, 11, 52, tzinfo=PST)
    recipient = dsn.recipients[0]
    assert recipient.last_attempt_date == datetime(2022, 1, 27, 7, 11, 53, tzinfo=PST)
    assert recipient.remote_mta is not None
    assert recipient.remote_mta.startswith("dns; gmail-smtp-in.l.google.com.")
    assert recipient.diagnostic_code is not None
    assert recipient.diagnostic_code.startswith("smtp; 550-5.1.1 The email account")
    assert " 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser" in recipient.diagnostic_code
    assert "\n" not in recipient.diagnostic_code
    assert dsn.message_id == "<61f2c1a4.1c69fb81.abcd.1234.GMR@mx.google.com>"


def test_microsoft_details() -> None:
    recipient = parsed(s.MICROSOFT_FAILED).recipients[0]
    assert recipient.original_recipient == "user@contoso.example"
    assert recipient.final_recipient == "user@contoso.example"


def test_ses_expired_details() -> None:
    dsn = parsed(s.SES_EXPIRED)
    recipient = dsn.recipients[0]
    assert recipient.diagnostic_code is not None
    assert "<CRLF>452 4.2.2" in recipient.diagnostic_code
    assert dsn.message_id == f"<{s.OTHER_MID}@email.amazonses.com>"
    assert dsn.reporting_mta_name == "a8-61.smtp-out.amazonses.com"


def test_multiple_recipients() -> None:
    dsn = parsed(s.MULTI_RECIPIENT)
    assert dsn.original_envelope_id == "env-42"
    assert [(r.address, r.action, r.status) for r in dsn.recipients] == [
        ("a@example.net", "failed", "5.1.1"),
        ("b@example.net", "delayed", "4.2.2"),
        ("c@example.net", "delivered", "2.0.0"),
    ]
    dispositions = [r.verdict().disposition for r in dsn.recipients]
    assert dispositions == [Disposition.FAILED, Disposition.DEFERRED, Disposition.DELIVERED]


def test_merged_blocks_are_split_per_recipient() -> None:
    dsn = parsed(s.MERGED_BLOCKS)
    assert dsn.reporting_mta == "dns; mail.example.net"
    assert [(r.address, r.status) for r in dsn.recipients] == [
        ("a@example.net", "5.1.1"),
        ("b@example.net", "5.2.2"),
    ]


def test_stray_blank_lines_are_mended() -> None:
    recipient = parsed(s.SPLIT_BLOCKS).recipients[0]
    assert recipient.action == "failed"  # the Action cut off above joins its recipient
    assert recipient.diagnostic_code == "smtp; 550 5.1.1 no such user"


def test_nested_bounce_reads_the_outer_report() -> None:
    dsn = parsed(s.NESTED_BOUNCE)
    assert [r.address for r in dsn.recipients] == ["outer@example.net"]


def test_upper_case_everything() -> None:
    dsn = parsed(s.UPPERCASE)
    recipient = dsn.recipients[0]
    assert recipient.status == "5.0.0"  # the comment is dropped
    assert recipient.diagnostic_code == "SMTP; 550 5.1.1 USER UNKNOWN"
    assert dsn.original is not None
    assert dsn.original.to == ("Loud@Example.NET",)


@pytest.mark.parametrize(
    ("data", "reason", "has_original"),
    [
        (s.QMAIL_PLAIN, "no delivery-status part", False),
        (s.NO_STATUS_PART, "no delivery-status part", False),
        (s.NO_RECIPIENTS, "no per-recipient fields", False),
        (s.MICROSOFT_JMRP, "no delivery-status part", True),
        (b"", "no delivery-status part", False),
        (b"\x00\xff\xfe garbage \x80", "no delivery-status part", False),
        (b"Subject: hi\r\n\r\nbody", "no delivery-status part", False),
    ],
)
def test_problems(data: bytes, reason: str, has_original: bool) -> None:
    result = parse_dsn(data, s.RETURN_PATH, s.BOUNCE_DOMAIN)
    assert isinstance(result, ReportProblem)
    assert result.reason == reason
    assert result.return_path_message_id == s.MID  # still tied to our message
    assert result.ses_message_id == s.MID
    assert (result.original is not None) is has_original


def test_problem_without_envelope_uses_the_original() -> None:
    result = parse_dsn(s.MICROSOFT_JMRP)
    assert isinstance(result, ReportProblem)
    assert result.return_path_message_id is None
    assert result.ses_message_id == s.MID
    bare = parse_dsn(b"")
    assert isinstance(bare, ReportProblem)
    assert bare.ses_message_id is None


@pytest.mark.parametrize(
    ("envelope", "domain", "expected"),
    [
        (s.RETURN_PATH, s.BOUNCE_DOMAIN, s.MID),
        (f"<{s.RETURN_PATH}>", s.BOUNCE_DOMAIN, s.MID),
        (s.RETURN_PATH.upper(), s.BOUNCE_DOMAIN, s.MID),
        (s.RETURN_PATH, "other.example", None),
        ("postmaster@bounces.openses.example", s.BOUNCE_DOMAIN, None),
    ],
)
def test_envelope_recipient_is_the_return_path(
    envelope: str, domain: str, expected: str | None
) -> None:
    assert (
        parsed(
            s.POSTFIX_FAILED, envelope_recipient=envelope, bounce_domain=domain
        ).return_path_message_id
        == expected
    )


def test_envelope_without_domain_is_ignored() -> None:
    assert parsed(s.POSTFIX_FAILED, envelope_recipient=s.RETURN_PATH).return_path_message_id is None


SAMPLES = [case.data for case in REAL] + [s.QMAIL_PLAIN, s.MULTI_RECIPIENT, s.MERGED_BLOCKS]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = parse_dsn(data, "x@y", "y")
    assert isinstance(result, DeliveryStatusNotification | ReportProblem)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(0, 2**32), st.integers(1, 40))
def test_mutated_samples_never_raise(sample: bytes, seed: int, flips: int) -> None:
    rng = random.Random(seed)
    data = bytearray(sample)
    for _ in range(flips):
        choice = rng.random()
        position = rng.randrange(len(data) + 1)
        if choice < 0.4 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.7:
            data[position:position] = rng.choice(
                [b"\r\n", b"\n\n", b":", b"--", b";", b"\xff", b" "]
            )
        else:
            del data[position : position + rng.randrange(1, 50)]
    result = parse_dsn(bytes(data), s.RETURN_PATH, s.BOUNCE_DOMAIN)
    assert isinstance(result, DeliveryStatusNotification | ReportProblem)
    assert result.return_path_message_id == s.MID
    if isinstance(result, DeliveryStatusNotification):
        for recipient in result.recipients:
            recipient.verdict()


@pytest.mark.parametrize("cut", range(0, len(s.GMAIL_FAILED), 97))
def test_every_prefix_of_a_dsn_parses_or_is_a_problem(cut: int) -> None:
    result = parse_dsn(s.GMAIL_FAILED[:cut])
    assert isinstance(result, DeliveryStatusNotification | ReportProblem)
