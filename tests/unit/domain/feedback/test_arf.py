"""Parsing ARF complaint reports (RFC 5965) as Yahoo, AOL, Microsoft and the RFC shape them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.feedback import FeedbackReport, ReportProblem, parse_arf, parse_dsn
from tests.unit.domain.feedback import samples as s

EDT = timezone(timedelta(hours=-4))
PST = timezone(timedelta(hours=-8))
EST = timezone(timedelta(hours=-5))


def parsed(data: bytes, *args: str) -> FeedbackReport:
    result = parse_arf(data, *args)
    assert isinstance(result, FeedbackReport), result
    return result


def test_yahoo() -> None:
    report = parsed(s.YAHOO_ARF, s.RETURN_PATH, s.BOUNCE_DOMAIN)
    assert report.feedback_type == "abuse"
    assert report.user_agent == "Yahoo!-Mail-Feedback/2.0"
    assert report.version == "0.1"
    assert report.original_mail_from == s.RETURN_PATH
    assert report.original_rcpt_to == ("redacted@yahoo.example",)
    assert report.arrival_date == datetime(2012, 1, 19, 12, 0, tzinfo=PST)  # from Received-Date
    assert report.source_ip == "192.0.2.50"
    assert report.reported_domains == ("example.com",)
    assert report.authentication_results[0].startswith("mta1234.mail.ne1.yahoo.example")
    assert report.message_id == "<1326999605.12345@arf.mail.yahoo.example>"
    assert report.return_path_message_id == s.MID
    assert report.ses_message_id == s.MID
    assert report.original is not None
    assert report.original.message_id == s.HEADER_ID
    assert report.original.to == ("nosuchuser@example.net", "other@example.net")


def test_rfc_shape() -> None:
    report = parsed(s.RFC_ARF)
    assert report.feedback_type == "abuse"
    assert report.version == "1"
    assert report.original_mail_from == "sender@example.com"
    assert report.original_rcpt_to == ("user@example.com", "user2@example.com")
    assert report.arrival_date == datetime(2005, 3, 8, 14, 0, tzinfo=EDT)
    assert report.reporting_mta == "dns; mail.example.com"
    assert report.original_envelope_id == "env-7"
    assert report.incidents == 3
    assert report.authentication_results == (
        "mail.example.com;  spf=fail smtp.mail=sender@example.com",
    )
    assert report.reported_domains == ("example.net",)
    assert report.reported_uris == (
        "http://example.net/earn_money.html",
        "mailto:user@example.com",
    )
    assert report.return_path_message_id is None
    assert report.ses_message_id == s.MID  # from the original's Message-ID


def test_aol_with_lf_line_endings() -> None:
    report = parsed(s.AOL_ARF_LF)
    assert report.user_agent == "AOL SComp"
    assert report.original_mail_from is None
    assert report.original_rcpt_to == ()
    assert report.arrival_date == datetime(2012, 12, 19, 16, 42, 30, tzinfo=EST)
    assert report.ses_message_id == s.MID
    assert report.original is not None
    assert report.original.to == ("redacted@aol.example",)


def test_odd_values() -> None:
    report = parsed(s.ARF_ODD)
    assert report.feedback_type == "fraud"  # "Fraud (phishing)": first word, lower-cased
    assert report.original_mail_from == ""  # the null sender
    assert report.original_rcpt_to == ("victim@example.org",)
    assert report.arrival_date is None
    assert report.incidents is None
    assert report.version is None
    assert report.ses_message_id == s.MID  # upper-case hex, other region's host


@pytest.mark.parametrize(
    ("data", "reason", "has_original"),
    [
        (s.MICROSOFT_JMRP, "no feedback-report part", True),
        (s.ARF_NO_FEEDBACK_TYPE, "no Feedback-Type field", False),
        (s.POSTFIX_FAILED, "no feedback-report part", True),  # a DSN is not a complaint
        (b"", "no feedback-report part", False),
        (b"\xff\xfe\x00", "no feedback-report part", False),
    ],
)
def test_problems(data: bytes, reason: str, has_original: bool) -> None:
    result = parse_arf(data, s.RETURN_PATH, s.BOUNCE_DOMAIN)
    assert isinstance(result, ReportProblem)
    assert result.reason == reason
    assert result.ses_message_id == s.MID
    assert (result.original is not None) is has_original


@pytest.mark.parametrize(
    "feedback_type", ["abuse", "auth-failure", "fraud", "not-spam", "other", "virus", "ABUSE"]
)
def test_feedback_types(feedback_type: str) -> None:
    data = s.RFC_ARF.replace(b"Feedback-Type: abuse", f"Feedback-Type: {feedback_type}".encode())
    assert parsed(data).feedback_type == feedback_type.lower()


def test_a_complaint_is_not_read_as_a_dsn() -> None:
    assert isinstance(parse_dsn(s.YAHOO_ARF), ReportProblem)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert isinstance(parse_arf(data), FeedbackReport | ReportProblem)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([s.YAHOO_ARF, s.RFC_ARF, s.AOL_ARF_LF, s.ARF_ODD]),
    st.integers(0, 30000),
    st.binary(max_size=30),
)
def test_spliced_reports_never_raise(sample: bytes, position: int, junk: bytes) -> None:
    position %= len(sample)
    data = sample[:position] + junk + sample[position:]
    assert isinstance(parse_arf(data), FeedbackReport | ReportProblem)
