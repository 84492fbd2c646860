"""The fast readings of a raw message pinned to the line-by-line reading they replace.

``REFERENCE`` below is the reading as it was before the fast paths (one line at a time, one
:class:`HeaderField` per field); every answer of :class:`RawMessage` must equal its answer,
errors included, on a table of edge cases and on generated messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.mail import (
    CONTROL_HEADERS,
    ControlHeaders,
    HeaderField,
    MalformedMessage,
    RawMessage,
    control_arns,
    decode_words,
)
from openses.domain.mail.headers import EMPTY_HEADER_NAME, NO_HEADER, NO_SEPARATOR

# ----------------------------------------------------------------------- the reference

_NAME = re.compile(rb"[!-9;-~]+")
_UNFOLD = re.compile(rb"\r?\n(?=[ \t])")


def _illegal(content: bytes) -> str:
    return f"Illegal header '{content[:200].decode('latin-1')}'."


def _name(content: bytes) -> str:
    colon = content.find(b":")
    if colon == 0:
        raise MalformedMessage(EMPTY_HEADER_NAME)
    if colon < 0:
        raise MalformedMessage(_illegal(content))
    name = content[:colon].rstrip(b" \t")
    if not _NAME.fullmatch(name):
        raise MalformedMessage(_illegal(content[:colon]))
    return name.decode("ascii")


def reference(data: bytes) -> tuple[list[HeaderField], int, bytes]:
    """(fields, body offset, newline) as the line-by-line reading gives them."""
    fields: list[HeaderField] = []
    pos = 0
    newline = b"\r\n"
    while pos < len(data):
        cut = data.find(b"\n", pos)
        end = len(data) if cut < 0 else cut + 1
        line = data[pos:end]
        content = line[:-2] if line.endswith(b"\r\n") else line.rstrip(b"\n")
        if pos == 0:
            newline = b"\r\n" if line.endswith(b"\r\n") else b"\n"
        if not content and line.endswith(b"\n"):
            if not fields:
                raise MalformedMessage(NO_HEADER)
            return fields, end, newline
        if content[:1] in (b" ", b"\t"):
            if not fields:
                raise MalformedMessage(_illegal(content))
            last = fields[-1]
            fields[-1] = HeaderField(last.name, last.raw + line, last.start)
        else:
            fields.append(HeaderField(_name(content), line, pos))
        pos = end
    raise MalformedMessage(NO_HEADER if not fields else NO_SEPARATOR)


def reference_value(field: HeaderField) -> str:
    body = field.raw.split(b":", 1)[1]
    unfolded = _UNFOLD.sub(b"", body)
    try:
        text = unfolded.decode("utf-8")
    except UnicodeDecodeError:
        text = unfolded.decode("latin-1")
    return text.strip(" \t\r\n")


def reference_all(fields: list[HeaderField], name: str) -> list[str]:
    return [reference_value(f) for f in fields if f.name.lower() == name.lower()]


def reference_without(data: bytes, fields: list[HeaderField], names: Iterable[str]) -> bytes:
    unwanted = {name.lower() for name in names}
    kept = [field.raw for field in fields if field.name.lower() not in unwanted]
    return b"".join(kept) + data[fields[-1].end :]


def reference_with_fields(
    data: bytes, fields: list[HeaderField], newline: bytes, wanted: Mapping[str, str]
) -> bytes:
    lines = {
        name.lower(): f"{name}: {value}".encode("ascii") + newline for name, value in wanted.items()
    }
    out: list[bytes] = []
    placed: set[str] = set()
    for field in fields:
        key = field.name.lower()
        if key not in lines:
            out.append(field.raw)
        elif key not in placed:
            out.append(lines[key])
            placed.add(key)
    missing = [line for key, line in lines.items() if key not in placed]
    return b"".join(missing + out) + data[fields[-1].end :]


def outcome(data: bytes) -> tuple[object, ...]:
    """What the reference reads, or the reason it refuses."""
    try:
        fields, body_offset, newline = reference(data)
    except MalformedMessage as error:
        return ("refused", error.reason)
    return ("read", [(f.name, f.raw, f.start) for f in fields], body_offset, newline)


def actual(data: bytes) -> tuple[object, ...]:
    try:
        message = RawMessage.parse(data)
    except MalformedMessage as error:
        return ("refused", error.reason)
    return (
        "read",
        [(f.name, f.raw, f.start) for f in message.fields],
        message.body_offset,
        message.newline,
    )


LOOKED_UP = ["From", "to", "SUBJECT", "x-ses-source-arn", "X-Nothing", "Received", "a b", ""]


def check_everything(data: bytes) -> None:
    """Every reading and edit of ``data`` agrees with the reference."""
    expected = outcome(data)
    assert actual(data) == expected
    if expected[0] != "read":
        with pytest.raises(MalformedMessage) as refused:
            RawMessage._parse_lines(data)
        assert ("refused", refused.value.reason) == expected
        return
    assert RawMessage._parse_lines(data) == RawMessage.parse(data)
    fields, _, newline = reference(data)
    message = RawMessage.parse(data)
    assert message.keys == tuple(f.name.lower() for f in fields)
    assert b"".join(message.raws) == data[: fields[-1].end]
    assert message.header_end == fields[-1].end
    for name in LOOKED_UP:
        values = reference_all(fields, name)
        assert message.all(name) == values
        assert message.first(name) == (values[0] if values else None)
        assert message.has(name) == bool(values)
    for field, made in zip(fields, message.fields, strict=True):
        assert made.value == reference_value(field)
    for names in (CONTROL_HEADERS, ["to"], ["FROM", "subject"], [], ["x-nothing"], LOOKED_UP):
        expected_bytes = reference_without(data, fields, names)
        assert message.without(names) == expected_bytes
        # dropping is without, kept parsed; the line ending stays the message's own (a
        # re-reading would take the first remaining line's, which may differ)
        try:
            again = RawMessage.parse(expected_bytes)
            want: object = (again.data, again.raws, again.keys, again.body_offset, newline)
        except MalformedMessage as error:
            want = error.reason
        try:
            dropped = message.dropping(names)
            got: object = (
                dropped.data,
                dropped.raws,
                dropped.keys,
                dropped.body_offset,
                dropped.newline,
            )
        except MalformedMessage as error:
            got = error.reason
        assert got == want
    for wanted in (
        {"Date": "Mon, 01 Jan 2024 00:00:00 +0000", "Message-ID": "<x@y>"},
        {"subject": "new"},
        {"TO": "a@b", "from": "c@d"},
        {},
    ):
        assert message.with_fields(wanted) == reference_with_fields(data, fields, newline, wanted)
    subjects = reference_all(fields, "Subject")
    assert message.subject() == (decode_words(subjects[0]) if subjects else None)
    firsts = [reference_all(fields, name) for name in CONTROL_HEADERS]
    assert control_arns(message) == ControlHeaders(*(v[0] if v else None for v in firsts))


# ----------------------------------------------------------------------- the table

LONG_NAME = b"N" * 998
CASES = {
    "crlf": b"From: a@b\r\nTo: c@d\r\n\r\nbody\r\n",
    "lf": b"From: a@b\nTo: c@d\n\nbody\n",
    "mixed, lf blank line": b"From: a@b\r\nTo: c@d\n\nbody\r\n\r\nmore",
    "mixed, crlf blank line": b"From: a@b\nTo: c@d\r\n\r\nbody",
    "empty body": b"From: a@b\r\n\r\n",
    "folded": b"From: a@b\r\nTo: c@d,\r\n\te@f,\r\n  g@h\r\nSubject: x\r\n\r\nbody",
    "blank continuation": b"From: a@b\r\n \r\n\t\r\nTo: c\r\n\r\nbody",
    "continuation first": b" From: a@b\r\n\r\nbody",
    "tab continuation first": b"\tx\n\nbody",
    "blank first line": b"\r\nFrom: a@b\r\n\r\n",
    "blank first line, lf": b"\nFrom: a@b\n\n",
    "empty": b"",
    "only a newline": b"\n",
    "no blank line": b"From: a@b\r\nTo: c@d\r\n",
    "no newline at all": b"From: a@b",
    "last line unterminated": b"From: a@b\r\nTo: c@d",
    "body without blank line": b"From: a@b\r\nThis is the body.\r\n\r\n",
    "empty name": b"From: a@b\r\n: value\r\n\r\n",
    "no colon": b"From: a@b\r\nnot a header\r\n\r\n",
    "space inside name": b"From: a@b\r\nX Y: z\r\n\r\n",
    "blanks before colon": b"From : a@b\r\nTo\t: c\r\n\r\nbody",
    "blank before name": b"From: a@b\r\n To: c\r\n\r\n",
    "lone cr in value": b"From: a\rb@c\r\nSubject: x\ry\r\n\r\nbody",
    "cr only line": b"From: a@b\r\n\r\r\n\r\nbody",
    "lone cr line ending": b"From: a@b\rTo: c\r\n\r\nbody",
    "cr cr lf": b"From: a@b\r\r\n\r\nbody",
    "8-bit value": b"From: a@b\r\nSubject: caf\xc3\xa9 \xe9\r\n\r\nbody",
    "8-bit name": b"From: a@b\r\nX-\xe9: v\r\n\r\nbody",
    "nul in value": b"From: a\x00b\r\n\r\nbody",
    "colon in value": b"From: a@b\r\nX-Time: 12:30:00\r\n\r\n",
    "empty value": b"From:\r\nSubject:\r\n\r\n",
    "value of blanks": b"From: \t \r\n\r\n",
    "repeated fields": b"Received: 1\r\nreceived: 2\r\nRECEIVED: 3\r\nFrom: a\r\n\r\n",
    "control headers": (
        b"X-SES-SOURCE-ARN: arn:aws:ses:us-east-1:1:identity/a\r\n"
        b"x-ses-source-arn: second\r\nX-SES-FROM-ARN: f\r\nX-SES-RETURN-PATH-ARN: r\r\n"
        b"X-SES-CONFIGURATION-SET: set\r\nX-SES-MESSAGE-TAGS: a=b\r\nFrom: a@b\r\n\r\nbody"
    ),
    "only control headers": b"X-SES-SOURCE-ARN: x\r\nX-SES-FROM-ARN: y\r\n\r\nbody",
    "other x-ses header": b"X-SES-OTHER: x\r\nFrom: a@b\r\n\r\n",
    "headers in the body": b"From: a@b\r\n\r\nX-SES-SOURCE-ARN: x\r\n\r\nTo: y\r\n",
    "name of 998": LONG_NAME + b": v\r\nFrom: a\r\n\r\nbody",
    "name of 999": LONG_NAME + b"N: v\r\nFrom: a\r\n\r\nbody",
    "long name, no colon": LONG_NAME * 3 + b"\r\n\r\nbody",
    "line of 8 KiB": b"From: " + b"v" * (8192 - 6) + b"\r\nTo: c\r\n\r\nbody",
    "line over 8 KiB": b"From: " + b"v" * 9000 + b"\r\nTo: c\r\n\r\nbody",
    "continuation over 8 KiB": b"From: a\r\n " + b"v" * 9000 + b"\r\n\r\nbody",
    "long unterminated line": b"From: " + b"v" * 20000,
    "encoded subject": b"Subject: =?UTF-8?Q?caf=C3=A9?=\r\nFrom: a\r\n\r\n",
    "lf then crlf blank": b"From: a\n\r\nbody",
}


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_reading_agrees_with_the_line_by_line_reading(data: bytes) -> None:
    check_everything(data)


def test_a_message_left_with_no_field_is_read_again_and_refused() -> None:
    message = RawMessage.parse(b"X-SES-SOURCE-ARN: x\r\n\r\nbody")
    with pytest.raises(MalformedMessage) as refused:
        message.dropping(CONTROL_HEADERS)
    assert refused.value.reason == NO_HEADER


def test_fields_are_made_once() -> None:
    message = RawMessage.parse(CASES["folded"])
    assert message.fields is message.fields
    assert message == RawMessage.parse(CASES["folded"])  # the memo takes no part in equality


# ----------------------------------------------------------------------- generated

# Bytes that matter to the reading: names, blanks, colons, both line ends, 8-bit.
PIECES = st.sampled_from(
    [
        *(b"From", b"To", b"X-SES-SOURCE-ARN", b"a", b"Z", b":", b" ", b"\t", b"\r", b"\n"),
        *(b"\r\n", b"\r\n\r\n", b"\n\n", b"=?UTF-8?Q?x?=", b"\xe9", b"\x00", b"-", b"@"),
    ]
)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    return b"".join(draw(st.lists(PIECES, max_size=40)))


@st.composite
def well_formed(draw: st.DrawFn) -> bytes:
    """Messages that have a chance to be read: field lines, continuations, a blank line."""
    newline = draw(st.sampled_from([b"\r\n", b"\n"]))
    lines: list[bytes] = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from([b"From", b"to", b"Subject", b"X-SES-FROM-ARN", b"X-A"]))
        blanks = draw(st.sampled_from([b"", b" ", b"\t "]))
        value = draw(st.binary(max_size=12).filter(lambda v: b"\n" not in v))
        lines.append(name + blanks + b":" + value + draw(st.sampled_from([newline, b"\n"])))
        for _ in range(draw(st.integers(0, 2))):
            lead = draw(st.sampled_from([b" ", b"\t"]))
            lines.append(
                lead + draw(st.binary(max_size=8).filter(lambda v: b"\n" not in v)) + newline
            )
    blank = draw(st.sampled_from([newline, b"\n", b"\r\n"]))
    return b"".join(lines) + blank + draw(st.binary(max_size=20))


@settings(max_examples=600)
@given(messages())
def test_generated_bytes_agree(data: bytes) -> None:
    check_everything(data)


@settings(max_examples=400)
@given(well_formed())
def test_generated_messages_agree(data: bytes) -> None:
    check_everything(data)


# ----------------------------------------------------------------------- decode_words


@pytest.mark.parametrize("text", ["", "plain", "a = b ? c", "=", "?=", "= ?", "?=?", "=\r\n?"])
def test_decode_words_without_encoded_words_returns_the_text(text: str) -> None:
    assert decode_words(text) is text


@given(st.text(alphabet="=?QqBb-_ \tUTF8é", max_size=30))
def test_decode_words_changes_nothing_without_an_opening(text: str) -> None:
    if "=?" not in text:
        assert decode_words(text) == text


@pytest.mark.parametrize(
    "name",
    ["crlf", "lf", "mixed, lf blank line", "folded", "blank continuation", "control headers"],
)
def test_well_formed_sections_take_the_fast_reading(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = RawMessage.parse(CASES[name])

    def refuse(data: bytes) -> RawMessage:
        raise AssertionError("read line by line")

    monkeypatch.setattr(RawMessage, "_parse_lines", staticmethod(refuse))
    assert RawMessage.parse(CASES[name]) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Dáte", "x"),
        ("X Y", "x"),
        ("X:Y", "x"),
        ("", "x"),
        ("X\x7f", "x"),
        ("X\n", "x"),
        ("Date", "caf\xe9"),
        ("Date", "a\r\nb"),
        ("Date", "a\tb"),
    ],
)
def test_with_fields_refuses_what_is_not_one_ascii_line(name: str, value: str) -> None:
    message = RawMessage.parse(CASES["crlf"])
    with pytest.raises(ValueError, match="not a one-line ASCII header field"):
        message.with_fields({name: value})


@pytest.mark.parametrize("name", ["Date", "X-\x21", "~", "Message-ID"])
def test_with_fields_takes_every_printable_name(name: str) -> None:
    message = RawMessage.parse(CASES["crlf"])
    assert message.with_fields({name: "v"}).startswith(f"{name}: v\r\n".encode())
