"""The lenient readers shared by the DSN and ARF parsers: fields, addresses, dates, nesting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.feedback import DeliveryStatusNotification, ReportProblem, parse_dsn
from openses.domain.feedback.reports import (
    bare_address,
    clean,
    parse_blocks,
    parse_date,
    typed_value,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("rfc822; a@example.net", "a@example.net"),
        ("RFC822;a@example.net", "a@example.net"),
        ("rfc822; <a@example.net>", "a@example.net"),
        ("<a@example.net>", "a@example.net"),
        ("a@example.net", "a@example.net"),
        ("a@example.net (Comment here)", "a@example.net"),
        ("rfc822; Name <a@example.net>", "a@example.net"),
        ('rfc822; "a b"@example.net', '"a b"@example.net'),
        ("rfc822; Name a@example.net", "a@example.net"),
        ("utf-8; jöran@exämple.net", "jöran@exämple.net"),
        ("x-local; postmaster", "postmaster"),
        ("rfc822;", None),
        ("", None),
        ("   ", None),
        (None, None),
        ("<>", None),
    ],
)
def test_bare_address(value: str | None, expected: str | None) -> None:
    assert bare_address(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("dns; mx.example.net", ("dns", "mx.example.net")),
        ("DNS;mx.example.net", ("dns", "mx.example.net")),
        ("smtp; 550 5.1.1 a; b", ("smtp", "550 5.1.1 a; b")),
        ("X-Postfix; unknown user", ("x-postfix", "unknown user")),
        ("mx.example.net", (None, "mx.example.net")),
        ("550 user; unknown", (None, "550 user; unknown")),  # "550 user" is no type
        ("dns;", ("dns", None)),
        (None, (None, None)),
    ],
)
def test_typed_value(value: str | None, expected: tuple[str | None, str | None]) -> None:
    assert typed_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 15 Mar 2022 10:12:12 +0000", datetime(2022, 3, 15, 10, 12, 12, tzinfo=UTC)),
        ("Tue, 15 Mar 2022 10:12:12 +0000 (UTC)", datetime(2022, 3, 15, 10, 12, 12, tzinfo=UTC)),
        (
            "Thu, 27 Jan 2022 07:11:52 -0800 (PST)",
            datetime(2022, 1, 27, 7, 11, 52, tzinfo=timezone(timedelta(hours=-8))),
        ),
        ("15 Mar 2022 10:12:12 -0000", datetime(2022, 3, 15, 10, 12, 12, tzinfo=UTC)),
        (
            "Thu, 8 Mar 2005 14:00:00 EDT",
            datetime(2005, 3, 8, 14, 0, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("not a date", None),
        ("", None),
        (None, None),
        ("Tue, 99 Mar 2022 10:12:12 +0000", None),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_parse_blocks() -> None:
    text = (
        "Reporting-MTA: dns; a\r\n"
        "\r\n"
        "Final-Recipient: rfc822; x@y\r\n"
        "Diagnostic-Code: smtp; 550\r\n"
        "  folded\r\n"
        "\tagain\r\n"
        "not a field line\r\n"
        "Status:5.1.1\r\n"
        "   \r\n"
        " orphan continuation\r\n"
        "Action : failed\n"
        "\n\n\n"
    )
    assert parse_blocks(text) == [
        (("Reporting-MTA", "dns; a"),),
        (
            ("Final-Recipient", "rfc822; x@y"),
            ("Diagnostic-Code", "smtp; 550  folded\tagain"),
            ("Status", "5.1.1"),
        ),
        (("Action", "failed"),),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  value  ", "value"),
        ("a\r\n b", "a b"),
        ("a\n\tb", "a\tb"),
        ("caf\udcc3\udca9", "café"),  # bytes as the parser kept them, read as UTF-8
        ("bad \udcff byte", "bad \ufffd byte"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    depth = 3000
    data = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    data += b"Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b\r\n"
    assert isinstance(parse_dsn(data), DeliveryStatusNotification | ReportProblem)


def test_moderate_nesting_is_read() -> None:
    depth = 50
    data = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    data += b"Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b\r\n"
    result = parse_dsn(data)
    assert isinstance(result, DeliveryStatusNotification)
    assert result.recipients[0].address == "a@b"


def test_many_recipients() -> None:
    blocks = b"".join(
        b"Final-Recipient: rfc822; u%d@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" % i
        for i in range(2000)
    )
    data = (
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n--B\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; m\r\n\r\n"
        + blocks
        + b"--B--\r\n"
    )
    result = parse_dsn(data)
    assert isinstance(result, DeliveryStatusNotification)
    assert len(result.recipients) == 2000
    assert result.recipients[-1].address == "u1999@example.net"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_parse_blocks_never_raises_and_keeps_names_clean(text: str) -> None:
    for block in parse_blocks(text):
        for name, value in block:
            assert name
            assert ":" not in name
            assert "\n" not in value
