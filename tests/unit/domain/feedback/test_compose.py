"""What compose writes, the parsers read back to the same facts; bytes are CRLF and stable."""

from __future__ import annotations

import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.delivery import BounceSubType, BounceType, simulate
from openses.domain.feedback import (
    DeliveryStatusNotification,
    DsnRecipient,
    FeedbackReport,
    compose_arf,
    compose_auto_reply,
    compose_dsn,
    mailer_daemon,
    parse_arf,
    parse_dsn,
    return_path,
)
from tests.unit.domain.feedback import samples as s

NOW = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)
ORIGINAL = s.crlf(s.ORIGINAL_HEADERS + "\nHello, body.\n")
DSN_ID = "<0100018f3a3b2c1d-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee-000000@email.amazonses.com>"
BOUNCE = DsnRecipient(
    final_recipient="bounce@simulator.amazonses.com",
    action="failed",
    status="5.1.1",
    diagnostic_code="smtp; 550 5.1.1 user unknown",
    remote_mta="dns; mx.simulator.amazonses.com",
    last_attempt_date=NOW - timedelta(seconds=1),
)


def dsn(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "mail_domain": "openses.example",
        "to": "sender@example.com",
        "message_id": DSN_ID,
        "now": NOW,
        "reporting_mta": "a1-2.smtp-out.openses.example",
        "recipients": [BOUNCE],
        "original": ORIGINAL,
    }
    arguments.update(overrides)
    return compose_dsn(**arguments)


def arf(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "from_address": "complaints@openses.example",
        "to": "sender@example.com",
        "message_id": DSN_ID,
        "now": NOW,
        "user_agent": "Amazon SES Mailbox Simulator",
        "original": ORIGINAL,
        "original_mail_from": s.RETURN_PATH,
        "original_rcpt_to": ["complaint@simulator.amazonses.com"],
        "arrival_date": NOW - timedelta(minutes=5),
        "reporting_mta": "mx.simulator.amazonses.com",
        "source_ip": "192.0.2.50",
    }
    arguments.update(overrides)
    return compose_arf(**arguments)


def read_dsn(data: bytes) -> DeliveryStatusNotification:
    result = parse_dsn(data)
    assert isinstance(result, DeliveryStatusNotification), result
    return result


def read_arf(data: bytes) -> FeedbackReport:
    result = parse_arf(data)
    assert isinstance(result, FeedbackReport), result
    return result


def stdlib(data: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    assert not message.defects
    return message


def assert_crlf(data: bytes) -> None:
    assert re.search(rb"(?<!\r)\n", data) is None
    assert re.search(rb"\r(?!\n)", data) is None
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))


# ------------------------------------------------------------------------------ DSN


def test_dsn_headers_and_parts() -> None:
    data = dsn()
    assert_crlf(data)
    message = stdlib(data)
    assert message["From"] == "MAILER-DAEMON@openses.example"
    assert message["To"] == "sender@example.com"
    assert message["Subject"] == "Delivery Status Notification (Failure)"
    assert message["Message-ID"] == DSN_ID
    assert message["Date"] == "Wed, 01 May 2024 12:30:15 +0000"
    assert message.get_content_type() == "multipart/report"
    assert message.get_param("report-type") == "delivery-status"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    first = next(message.iter_parts())
    assert isinstance(first, EmailMessage)
    notice = first.get_content()
    assert notice.replace("\r\n", "\n") == (
        "An error occurred while trying to deliver the mail to the following recipients:\n"
        "bounce@simulator.amazonses.com"  # the last CRLF belongs to the boundary
    )
    assert mailer_daemon("x.example") == "MAILER-DAEMON@x.example"


def test_dsn_round_trip() -> None:
    report = read_dsn(dsn(arrival_date=NOW - timedelta(minutes=1), original_envelope_id="env-1"))
    assert report.recipients == (BOUNCE,)
    assert report.reporting_mta == "dns; a1-2.smtp-out.openses.example"
    assert report.arrival_date == NOW - timedelta(minutes=1)
    assert report.original_envelope_id == "env-1"
    assert report.message_id == DSN_ID
    assert report.original is not None
    assert report.original.message_id == s.HEADER_ID
    assert report.ses_message_id == s.MID
    assert report.original.get("Subject") == "Hello there"


def test_dsn_return_body() -> None:
    data = dsn(return_body=True)
    message = stdlib(data)
    assert [part.get_content_type() for part in message.iter_parts()][-1] == "message/rfc822"
    assert b"Hello, body." in data
    assert b"Hello, body." not in dsn()
    assert read_dsn(data).original is not None


def test_dsn_is_deterministic() -> None:
    assert dsn() == dsn()
    other = dsn(message_id="<other@example>")
    boundary = re.search(rb'boundary="([^"]+)"', dsn())
    other_boundary = re.search(rb'boundary="([^"]+)"', other)
    assert boundary is not None
    assert other_boundary is not None
    assert boundary.group(1) != other_boundary.group(1)
    assert boundary.group(1).startswith(b"=_")


def test_dsn_with_given_boundary() -> None:
    data = dsn(boundary="simple-boundary")
    assert b'boundary="simple-boundary"' in data
    assert b"--simple-boundary--\r\n" in data
    assert read_dsn(data).recipients == (BOUNCE,)


@pytest.mark.parametrize("boundary", ["", "bad\x00", "x" * 71, "trailing ", "collide"])
def test_dsn_refuses_unusable_boundaries(boundary: str) -> None:
    with pytest.raises(ValueError, match="boundary"):
        dsn(boundary=boundary, original=ORIGINAL + b"--collide\r\n", return_body=True)


def test_original_with_boundary_like_lines_still_parses() -> None:
    plain = re.search(rb'boundary="([^"]+)"', dsn(return_body=True))
    assert plain is not None
    tricky = ORIGINAL + b"--" + plain.group(1) + b"--\r\n--=_not-ours\r\n"
    data = dsn(original=tricky, return_body=True)
    chosen = re.search(rb'boundary="([^"]+)"', data)
    assert chosen is not None
    assert b"--" + chosen.group(1) not in tricky
    assert read_dsn(data).recipients == (BOUNCE,)


def test_dsn_needs_recipients() -> None:
    with pytest.raises(ValueError, match="at least one"):
        dsn(recipients=[])


def test_dsn_delayed_subject_and_notice() -> None:
    delayed = DsnRecipient("slow@example.org", "delayed", "4.4.1", "smtp; 421 4.4.1 timeout")
    data = dsn(recipients=[delayed])
    assert stdlib(data)["Subject"] == "Delivery Status Notification (Delay)"
    assert b"Delivery to the following recipients has been delayed:" in data
    assert read_dsn(data).recipients == (delayed,)


def test_dsn_many_recipients_and_long_diagnostic() -> None:
    long_text = "smtp; 550-5.1.1 " + " ".join(f"word{i}" for i in range(200))
    recipients = [
        DsnRecipient(
            f"user{i}@example.net",
            "failed",
            "5.1.1",
            long_text,
            original_recipient=f"alias{i}@example.net",
        )
        for i in range(5)
    ]
    data = dsn(recipients=recipients)
    assert_crlf(data)
    assert max(len(line) for line in data.split(b"\r\n")) <= 100
    assert read_dsn(data).recipients == tuple(recipients)


def test_dsn_with_utf8_is_a_global_dsn() -> None:
    recipient = DsnRecipient(
        "jöran@exämple.net", "failed", "5.1.1", "smtp; 550 5.1.1 Benutzer unbekannt"
    )
    data = dsn(recipients=[recipient])
    assert b"message/global-delivery-status" in data
    assert read_dsn(data).recipients == (recipient,)


def test_dsn_values_never_break_lines() -> None:
    recipient = DsnRecipient("a@example.net", "failed", "5.1.1", "smtp; 550 first\r\nInjected: yes")
    report = read_dsn(dsn(recipients=[recipient]))
    assert report.recipients[0].diagnostic_code == "smtp; 550 first Injected: yes"


def test_dsn_with_malformed_original() -> None:
    data = dsn(original=b"no header section at all")
    assert read_dsn(data).recipients == (BOUNCE,)
    lf = dsn(original=s.ORIGINAL_HEADERS.encode() + b"\nbody\n")
    assert_crlf(lf)
    original = read_dsn(lf).original
    assert original is not None
    assert original.message_id == s.HEADER_ID


def test_simulator_bounce_round_trips_to_the_same_bounce() -> None:
    outcome = simulate("bounce+42@simulator.amazonses.com")
    assert outcome is not None
    assert outcome.bounce is not None
    recipient = DsnRecipient(
        outcome.recipient,
        outcome.bounce.action,
        outcome.bounce.status,
        outcome.bounce.diagnostic_code,
    )
    report = parse_dsn(
        dsn(recipients=[recipient], to=return_path(s.MID, s.BOUNCE_DOMAIN)),
        envelope_recipient=return_path(s.MID, s.BOUNCE_DOMAIN),
        bounce_domain=s.BOUNCE_DOMAIN,
    )
    assert isinstance(report, DeliveryStatusNotification)
    assert report.ses_message_id == s.MID
    verdict = report.recipients[0].verdict()
    assert (verdict.bounce_type, verdict.bounce_subtype) == (
        outcome.bounce.bounce_type,
        outcome.bounce.bounce_subtype,
    )
    assert (verdict.bounce_type, verdict.bounce_subtype) == (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
    )


_WORD = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=";<>()"),
    min_size=1,
    max_size=12,
)
_ADDRESS = st.builds(
    lambda local, domain: f"{local}@{domain}.example",
    st.from_regex(r"[a-z0-9.+_-]{1,20}", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,15}", fullmatch=True),
)
_PHRASE = st.lists(_WORD, min_size=1, max_size=30).map(" ".join)
_WHEN = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda when: when.replace(microsecond=0, tzinfo=UTC)
)
_RECIPIENT = st.builds(
    DsnRecipient,
    final_recipient=_ADDRESS,
    action=st.sampled_from(["failed", "delayed", "delivered", "relayed", "expanded"]),
    status=st.from_regex(r"[245]\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})", fullmatch=True),
    diagnostic_code=st.none() | _PHRASE.map(lambda text: f"smtp; 550 {text}"),
    remote_mta=st.none() | _ADDRESS.map(lambda host: f"dns; {host.split('@')[1]}"),
    original_recipient=st.none() | _ADDRESS,
    last_attempt_date=st.none() | _WHEN,
    will_retry_until=st.none() | _WHEN,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_RECIPIENT, min_size=1, max_size=4), _WHEN, st.none() | _WHEN)
def test_dsn_round_trip_property(
    recipients: list[DsnRecipient], now: datetime, arrival: datetime | None
) -> None:
    data = dsn(recipients=recipients, now=now, arrival_date=arrival)
    assert_crlf(data)
    report = read_dsn(data)
    assert report.recipients == tuple(recipients)
    assert report.arrival_date == arrival
    assert report.ses_message_id == s.MID


# ------------------------------------------------------------------------------ ARF


def test_arf_headers_and_parts() -> None:
    data = arf()
    assert_crlf(data)
    message = stdlib(data)
    assert message["From"] == "complaints@openses.example"
    assert message.get_param("report-type") == "feedback-report"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "message/feedback-report", "text/rfc822-headers"]
    assert arf() == arf()


def test_arf_round_trip() -> None:
    report = read_arf(arf())
    assert report.feedback_type == "abuse"
    assert report.user_agent == "Amazon SES Mailbox Simulator"
    assert report.version == "1"
    assert report.original_mail_from == s.RETURN_PATH
    assert report.original_rcpt_to == ("complaint@simulator.amazonses.com",)
    assert report.arrival_date == NOW - timedelta(minutes=5)
    assert report.reporting_mta == "dns; mx.simulator.amazonses.com"
    assert report.source_ip == "192.0.2.50"
    assert report.message_id == DSN_ID
    assert report.ses_message_id == s.MID


def test_arf_minimal_and_full_body() -> None:
    minimal = read_arf(
        arf(
            original_mail_from=None,
            original_rcpt_to=[],
            arrival_date=None,
            reporting_mta=None,
            source_ip=None,
        )
    )
    assert minimal.original_mail_from is None
    assert minimal.original_rcpt_to == ()
    assert minimal.arrival_date is None
    assert minimal.source_ip is None
    full = arf(return_body=True, feedback_type="virus")
    assert b"Hello, body." in full
    assert read_arf(full).feedback_type == "virus"


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["abuse", "fraud", "virus", "other", "not-spam", "auth-failure"]),
    _PHRASE,
    st.lists(_ADDRESS, max_size=3),
    st.none() | _WHEN,
)
def test_arf_round_trip_property(
    feedback_type: str, user_agent: str, rcpt_to: list[str], arrival: datetime | None
) -> None:
    data = arf(
        feedback_type=feedback_type,
        user_agent=user_agent,
        original_rcpt_to=rcpt_to,
        arrival_date=arrival,
    )
    assert_crlf(data)
    report = read_arf(data)
    assert report.feedback_type == feedback_type
    assert report.user_agent == user_agent
    assert report.original_rcpt_to == tuple(rcpt_to)
    assert report.arrival_date == arrival


# ------------------------------------------------------------------------------ auto-reply


def test_auto_reply() -> None:
    data = compose_auto_reply(
        from_address="ooto@simulator.amazonses.com",
        to=s.RETURN_PATH,
        message_id="<reply-1@simulator.amazonses.com>",
        now=NOW,
        original_subject="Hello there",
        original_message_id=s.HEADER_ID,
    )
    assert_crlf(data)
    message = stdlib(data)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Subject"] == "Auto: Hello there"
    assert message["In-Reply-To"] == s.HEADER_ID
    assert message["References"] == s.HEADER_ID
    assert message["To"] == s.RETURN_PATH
    assert message["From"] == "ooto@simulator.amazonses.com"
    assert message.get_content_type() == "text/plain"
    assert "out of the office" in message.get_content()
    again = compose_auto_reply(
        from_address="ooto@simulator.amazonses.com",
        to=s.RETURN_PATH,
        message_id="<reply-1@simulator.amazonses.com>",
        now=NOW,
        original_subject="Hello there",
        original_message_id=s.HEADER_ID,
    )
    assert again == data


def test_auto_reply_without_subject_or_id_and_utf8_text() -> None:
    data = compose_auto_reply(
        from_address="ooto@simulator.amazonses.com",
        to="a@example.com",
        message_id="<r@x>",
        now=NOW.replace(tzinfo=None),
        original_subject=None,
        original_message_id=None,
        text="Je suis absent jusqu'à lundi.",
    )
    assert_crlf(data)
    message = stdlib(data)
    assert message["Subject"] == "Auto: Out of the office"
    assert message["In-Reply-To"] is None
    assert message["Date"] == "Wed, 01 May 2024 12:30:15 +0000"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().strip() == "Je suis absent jusqu'à lundi."


_SPACED = st.lists(st.tuples(st.integers(1, 4), _WORD), min_size=1, max_size=60).map(
    lambda pairs: "".join(" " * n + word for n, word in pairs).lstrip()
)


@settings(max_examples=150, deadline=None)
@given(_SPACED)
def test_folding_keeps_every_space(text: str) -> None:
    recipient = DsnRecipient("a@example.net", "failed", "5.0.0", f"smtp; 550 {text}")
    data = dsn(recipients=[recipient])
    assert_crlf(data)
    assert not re.search(rb"\r\n[ \t]*\r\n[ \t]", data)  # no line of white space inside a field
    assert read_dsn(data).recipients == (recipient,)
