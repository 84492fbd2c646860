"""SMTP replies and enhanced status codes: parsing what servers really send."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openses.domain.delivery import EnhancedStatus, SmtpReply, parse_reply
from openses.domain.delivery.status import status_in_reply_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.1.1", (5, 1, 1)),
        ("  4.2.2 ", (4, 2, 2)),
        ("2.0.0", (2, 0, 0)),
        ("5.7.650", (5, 7, 650)),
        ("4.4.7", (4, 4, 7)),
        ("5.1.10", (5, 1, 10)),
        ("3.1.1", None),  # class 3 does not exist
        ("5.1", None),
        ("5.1.1.1", None),
        ("5.1.1 user unknown", None),  # parse wants exactly one code
        ("", None),
        ("x.1.1", None),
        ("5.1000.1", None),
    ],
)
def test_enhanced_status_parse(text: str, expected: tuple[int, int, int] | None) -> None:
    status = EnhancedStatus.parse(text)
    assert (None if status is None else (status.klass, status.subject, status.detail)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.1.1", "5.1.1"),
        ("5.0.0 (permanent failure)", "5.0.0"),
        ("4.4.1 (Persistent transient failure - routing/network: no answer from host)", "4.4.1"),
        ("status 5.2.2 here", "5.2.2"),
        ("Status code is 5.1.1.", "5.1.1"),
        ("from 5.5.5.5 only", None),  # an IP address is not a status
        ("192.0.2.1", None),
        ("no code", None),
        ("x5.1.1", None),
        ("5.1.1-x", None),
    ],
)
def test_enhanced_status_find(text: str, expected: str | None) -> None:
    found = EnhancedStatus.find(text)
    assert (None if found is None else str(found)) == expected


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (550, "5.1.1 user unknown", "5.1.1"),
        (554, "4.4.7 Message expired", "4.4.7"),  # leading: any class (SES writes this)
        (550, "Requested action not taken: mailbox unavailable (5.1.1)", "5.1.1"),
        (550, "Host 5.5.5.5 blocked", None),
        (550, "see 4.2.2 later", None),  # further in, the class must agree
        (452, "see 4.2.2 later", "4.2.2"),
        (250, "2.0.0 Ok: queued as 4F3", "2.0.0"),
        (250, "Ok", None),
        (None, "text 5.1.1 inside", "5.1.1"),
        (550, "5.7.1: Relay access denied", "5.7.1"),
        (550, "5.1.1; user unknown", "5.1.1"),
        (550, "5.1.1<user@example.com>: unknown", "5.1.1"),
        (550, "5.1.1x unknown", None),  # glued to a word
    ],
)
def test_status_in_reply_text(code: int | None, text: str, expected: str | None) -> None:
    found = status_in_reply_text(code, text)
    assert (None if found is None else str(found)) == expected


@pytest.mark.parametrize(
    ("raw", "code", "lines"),
    [
        ("250 2.6.0 Message received", 250, ("2.6.0 Message received",)),
        ("250 2.6.0 Message received\r\n", 250, ("2.6.0 Message received",)),
        ("550-5.1.1 first\r\n550 5.1.1 second\r\n", 550, ("5.1.1 first", "5.1.1 second")),
        (
            "550-5.1.1 first\n550-5.1.1 middle\n550 5.1.1 last",
            550,
            ("5.1.1 first", "5.1.1 middle", "5.1.1 last"),
        ),
        ("421", 421, ("",)),
        ("250 ", 250, ("",)),
        ("452-4.2.2 a<CRLF>452 4.2.2 b", 452, ("4.2.2 a", "4.2.2 b")),
        ("250-multi\r\n250", 250, ("multi", "")),
    ],
)
def test_parse_reply(raw: str, code: int, lines: tuple[str, ...]) -> None:
    reply = parse_reply(raw)
    assert reply == SmtpReply(code, lines)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        "55 short",
        "5500 long",
        "650 not a reply",
        "150 preliminary",
        "550-first\r\n451 second",  # codes differ
        "550 final\r\n550 after the final line",
        "550x text",
        "\r\n",
    ],
)
def test_parse_reply_refuses_garbage(raw: str) -> None:
    assert parse_reply(raw) is None


@pytest.mark.parametrize(
    ("code", "message", "wire"),
    [
        (250, "2.6.0 Message received", "250 2.6.0 Message received"),
        (250, "Ok", "250 Ok"),
        (250, "", "250"),
        (550, "5.1.1 a\n5.1.1 b", "550-5.1.1 a<CRLF>550 5.1.1 b"),
        (550, "5.1.1 a\r\n5.1.1 b\r\n", "550-5.1.1 a<CRLF>550 5.1.1 b"),
        (452, "4.2.2 x\n\n4.2.2 y", "452-4.2.2 x<CRLF>452<CRLF>452 4.2.2 y"),
    ],
)
def test_reply_wire_form(code: int, message: str, wire: str) -> None:
    reply = SmtpReply.of(code, message)
    assert reply.wire == wire
    assert reply.diagnostic_code == f"smtp; {wire}"
    assert parse_reply(reply.wire) == reply


@pytest.mark.parametrize(
    ("code", "message", "status", "enhanced"),
    [
        (250, "Ok", "2.0.0", None),
        (451, "try later", "4.0.0", None),
        (550, "no", "5.0.0", None),
        (550, "5.7.26 unauthenticated", "5.7.26", "5.7.26"),
    ],
)
def test_reply_status_defaults_to_the_class(
    code: int, message: str, status: str, enhanced: str | None
) -> None:
    reply = SmtpReply.of(code, message)
    assert str(reply.status) == status
    assert (None if reply.enhanced is None else str(reply.enhanced)) == enhanced


@pytest.mark.parametrize("code", [0, -1, 199, 600, 1000])
def test_reply_code_must_be_smtp(code: int) -> None:
    with pytest.raises(ValueError, match="not an SMTP reply code"):
        SmtpReply(code, ("x",))


def test_reply_classes() -> None:
    assert SmtpReply(250).is_success
    assert SmtpReply(451).is_transient
    assert SmtpReply(554).is_permanent
    assert not SmtpReply(250).is_permanent
    assert SmtpReply(250, ()).lines == ("",)


@given(
    st.integers(200, 599),
    st.lists(
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(str.strip),
        min_size=1,
        max_size=4,
    ),
)
def test_wire_round_trip(code: int, lines: list[str]) -> None:
    reply = SmtpReply(code, tuple(lines))
    if "<CRLF>" in "".join(lines):
        return
    assert parse_reply(reply.wire) == reply


@given(st.text(max_size=200))
def test_parse_reply_never_raises(raw: str) -> None:
    reply = parse_reply(raw)
    assert reply is None or 200 <= reply.code <= 599
