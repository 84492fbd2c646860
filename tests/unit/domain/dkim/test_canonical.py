"""Relaxed canonicalisation (RFC 6376 §3.4.2, §3.4.4), line endings and message splitting."""

from __future__ import annotations

import pytest

from openses.domain.dkim.canonical import (
    HeaderField,
    crlf,
    relaxed_body,
    relaxed_header,
    split_message,
)


def test_rfc6376_example() -> None:
    """The example of RFC 6376 §3.4.5, relaxed/relaxed."""
    message = b"A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n"
    fields, body = split_message(message)
    assert b"".join(relaxed_header(field) for field in fields) == b"a:X\r\nb:Y Z\r\n"
    assert relaxed_body(body) == b" C\r\nD E\r\n"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        pytest.param(b"Subject", b" hello", b"subject:hello\r\n", id="lower-case-name"),
        pytest.param(b"SUBJECT", b"  two   spaces ", b"subject:two spaces\r\n", id="runs"),
        pytest.param(b"Subject ", b" x", b"subject:x\r\n", id="space-before-colon"),
        pytest.param(b"Subject\t", b"\tx", b"subject:x\r\n", id="tab-around-colon"),
        pytest.param(b"To", b" a,\r\n\tb,\r\n  c", b"to:a, b, c\r\n", id="unfolded"),
        pytest.param(b"X", b"", b"x:\r\n", id="empty-value"),
        pytest.param(b"X", b" \t \r\n ", b"x:\r\n", id="white-space-only"),
        pytest.param(b"X", b" caf\xc3\xa9  ok", b"x:caf\xc3\xa9 ok\r\n", id="eight-bit-kept"),
    ],
)
def test_relaxed_header(name: bytes, value: bytes, expected: bytes) -> None:
    assert relaxed_header(HeaderField(name, value)) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b"", b"", id="empty"),
        pytest.param(b"\r\n", b"", id="one-empty-line"),
        pytest.param(b"\r\n\r\n\r\n", b"", id="only-empty-lines"),
        pytest.param(b" \t\r\n \r\n", b"", id="white-space-lines"),
        pytest.param(b"text", b"text\r\n", id="no-final-line-break"),
        pytest.param(b"text  \t", b"text\r\n", id="trailing-white-space-no-break"),
        pytest.param(b"a \r\nb\t\r\n", b"a\r\nb\r\n", id="trailing-white-space"),
        pytest.param(b"  lead", b" lead\r\n", id="leading-white-space-shortened"),
        pytest.param(b"a\t\tb  c", b"a b c\r\n", id="inner-runs"),
        pytest.param(b"a\r\n\r\nb\r\n\r\n", b"a\r\n\r\nb\r\n", id="inner-empty-line-kept"),
        pytest.param(b"a\r\n \r\nb", b"a\r\n\r\nb\r\n", id="inner-white-space-line"),
        pytest.param(b"a\r\n     ", b"a\r\n", id="white-space-last-line"),
        pytest.param(b"x" * 1000 + b"\r\n", b"x" * 1000 + b"\r\n", id="long-line"),
    ],
)
def test_relaxed_body(body: bytes, expected: bytes) -> None:
    assert relaxed_body(body) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(b"a\nb\n\nc\n", b"a\r\nb\r\n\r\nc\r\n", id="bare-lf"),
        pytest.param(b"a\r\nb\nc", b"a\r\nb\r\nc", id="mixed"),
        pytest.param(b"a\rb\r\n", b"a\rb\r\n", id="lone-cr-is-data"),
        pytest.param(b"", b"", id="empty"),
    ],
)
def test_crlf(raw: bytes, expected: bytes) -> None:
    assert crlf(raw) == expected


def test_crlf_keeps_a_crlf_message_as_it_is() -> None:
    raw = b"From: a@example.com\r\n\r\nbody\r\n"
    assert crlf(raw) is raw


@pytest.mark.parametrize(
    ("message", "names", "body"),
    [
        pytest.param(
            b"From: a\r\nTo: b,\r\n c\r\n\r\nbody\r\n",
            [(b"From", b" a"), (b"To", b" b,\r\n c")],
            b"body\r\n",
            id="folded",
        ),
        pytest.param(
            b"From: a\r\nTo: b\r\n", [(b"From", b" a"), (b"To", b" b")], b"", id="no-body"
        ),
        pytest.param(b"\r\nonly body", [], b"only body", id="no-header"),
        pytest.param(
            b"From: a\r\nnot a field\r\nTo: b\r\n\r\n",
            [(b"From", b" a"), (b"To", b" b")],
            b"",
            id="line-without-colon-skipped",
        ),
        pytest.param(
            b"Subject: a\r\n\r\nX: not a header\r\n\r\n",
            [(b"Subject", b" a")],
            b"X: not a header\r\n\r\n",
            id="first-blank-line-ends-header",
        ),
    ],
)
def test_split_message(message: bytes, names: list[tuple[bytes, bytes]], body: bytes) -> None:
    fields, found_body = split_message(message)
    assert [(field.name, field.value) for field in fields] == names
    assert found_body == body
