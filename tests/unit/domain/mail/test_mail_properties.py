"""Properties: header edits never touch bytes outside the edited fields; formatting round-trips."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from openses.domain.mail import (
    CONTROL_HEADERS,
    Mailbox,
    RawMessage,
    format_mailbox,
    parse_mailbox,
)

NAMES = st.sampled_from(
    [*CONTROL_HEADERS, "x-ses-source-arn", "From", "To", "Subject", "X-Mailer", "Bcc", "Date"]
)
VALUE_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=0, max_size=30
)


@st.composite
def raw_messages(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A message with a known list of (name, exact field bytes)."""
    newline = draw(st.sampled_from([b"\r\n", b"\n"]))
    fields: list[tuple[str, bytes]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        name = draw(NAMES)
        raw = f"{name}:{draw(VALUE_TEXT)}".encode() + newline
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            raw += draw(st.sampled_from([b" ", b"\t"])) + draw(VALUE_TEXT).encode() + newline
        fields.append((name, raw))
    body = draw(st.binary(max_size=60))
    return b"".join(raw for _, raw in fields) + newline + body, fields


@settings(max_examples=200)
@given(raw_messages(), st.lists(NAMES, max_size=3))
def test_without_removes_exactly_the_named_fields(
    case: tuple[bytes, list[tuple[str, bytes]]], names: list[str]
) -> None:
    data, fields = case
    message = RawMessage.parse(data)
    assert [field.raw for field in message.fields] == [raw for _, raw in fields]
    unwanted = {name.lower() for name in names}
    header_end = sum(len(raw) for _, raw in fields)
    expected = b"".join(raw for name, raw in fields if name.lower() not in unwanted)
    assert message.without(names) == expected + data[header_end:]


@settings(max_examples=200)
@given(raw_messages(), NAMES, VALUE_TEXT)
def test_with_replaced_changes_only_the_named_fields(
    case: tuple[bytes, list[tuple[str, bytes]]], name: str, value: str
) -> None:
    data, _ = case
    message = RawMessage.parse(data)
    replaced = RawMessage.parse(message.with_replaced(name, value))
    assert replaced.all(name) == [value.strip(" \t")]
    assert replaced.without([name]) == message.without([name])
    assert replaced.body == message.body


@settings(max_examples=300)
@given(
    st.from_regex(r"[a-z0-9][a-z0-9.+_-]{0,10}[a-z0-9]", fullmatch=True).filter(
        lambda s: ".." not in s
    ),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True),
    st.one_of(st.none(), st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s)),
)
@example("a", "example.com", "=?UTF-8?Q?x?=")
@example("a", "example.com", 'Quote " and \\ backslash')
def test_format_then_parse_round_trips(local: str, domain: str, name: str | None) -> None:
    mailbox = Mailbox(f"{local}@{domain}", name or None)
    text = format_mailbox(mailbox)
    assert text.isascii()
    assert parse_mailbox(text) == mailbox
