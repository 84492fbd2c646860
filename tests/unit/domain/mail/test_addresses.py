"""Mailboxes and address lists: parsing, SES's validation messages, and formatting."""

from __future__ import annotations

import pytest

from openses.domain.mail import (
    InvalidAddress,
    Mailbox,
    format_mailbox,
    parse_address_list,
    parse_addresses,
    parse_mailbox,
)


@pytest.mark.parametrize(
    ("text", "address", "name"),
    [
        ("sender@example.com", "sender@example.com", None),
        ("<sender@example.com>", "sender@example.com", None),
        ("  sender@example.com  ", "sender@example.com", None),
        ("Sender <sender@example.com>", "sender@example.com", "Sender"),
        ("Jane Q. Doe <jane@example.com>", "jane@example.com", "Jane Q. Doe"),
        ('"Doe, Jane" <jane@example.com>', "jane@example.com", "Doe, Jane"),
        ('"Jane \\"JD\\" Doe" <jane@example.com>', "jane@example.com", 'Jane "JD" Doe'),
        ('"" <jane@example.com>', "jane@example.com", None),
        ('"   " <jane@example.com>', "jane@example.com", None),
        ("Marketing<m@example.com>", "m@example.com", "Marketing"),
        ("Jane   Doe <jane@example.com>", "jane@example.com", "Jane Doe"),
        ("Jane (the boss) Doe <jane@example.com>", "jane@example.com", "Jane Doe"),
        ("jane@example.com (Jane Doe)", "jane@example.com", "Jane Doe"),
        ("jane@example.com (=?UTF-8?Q?J=C3=A4ne?=)", "jane@example.com", "Jäne"),
        ("Jane <jane@example.com> (ignored)", "jane@example.com", "Jane"),
        ("<jane (c) @ example (d) . com>", "jane@example.com", None),
        ("Jane\r\n <jane@example.com>", "jane@example.com", "Jane"),
        ("Jane <jane@example.com\n >", "jane@example.com", "Jane"),
        # A21: no case folding, of the local part or the domain
        ("Jane.Doe@Example.COM", "Jane.Doe@Example.COM", None),
        ("a+tag@example.com", "a+tag@example.com", None),
        ("o'hara!#$%&*/=?^_`{|}~-x@example.com", "o'hara!#$%&*/=?^_`{|}~-x@example.com", None),
        ('"john doe"@example.com', '"john doe"@example.com', None),
        ('"a\\"b"@example.com', '"a\\"b"@example.com', None),
        ("x@localhost", "x@localhost", None),
        ("x@a-b.c0.example", "x@a-b.c0.example", None),
        # punycode: only non-ASCII labels change
        ("x@bücher.example", "x@xn--bcher-kva.example", None),
        ("x@Bücher.Example", "x@xn--bcher-kva.Example", None),
        ("x@例え.jp", "x@xn--r8jz45g.jp", None),
        ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example", None),
        ("x@bü\u200bcher.example", "x@xn--bcher-kva.example", None),  # nameprep drops ZWSP
        ("x@faß.example", "x@fass.example", None),  # IDNA 2003, not 2008
        ("Zoë <zoe@bücher.example>", "zoe@xn--bcher-kva.example", "Zoë"),
    ],
)
def test_parse_mailbox(text: str, address: str, name: str | None) -> None:
    assert parse_mailbox(text) == Mailbox(address, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("=?UTF-8?B?w4lsb8Ovc2U=?= <e@example.fr>", "Éloïse"),
        ("=?utf-8?b?w4lsb8Ovc2U?= <e@example.fr>", "Éloïse"),  # lower case, no padding
        ("=?UTF-8?Q?=C3=89lo=C3=AFse_Dupont?= <e@example.fr>", "Éloïse Dupont"),
        ("=?ISO-8859-1?Q?Andr=E9?= Pirard <a@example.be>", "André Pirard"),
        ("=?iso-8859-1?b?QW5kcuk=?= <a@example.be>", "André"),
        ("=?UTF-8?Q?a?= =?UTF-8?Q?b?= <x@example.com>", "ab"),
        ("=?UTF-8?B?5pel?= =?UTF-8?B?5pys?= <x@example.jp>", "日本"),
        ("=?UTF-8?B?5pe=?= =?UTF-8?B?pQ==?= <x@example.jp>", "日"),  # split character
        ('"=?UTF-8?Q?Quoted_J=C3=A4ne?=" <x@example.com>', "Quoted Jäne"),
        ("=?x-unknown?Q?abc?= <x@example.com>", "=?x-unknown?Q?abc?="),
        ("Raw Zoë <zoe@example.com>", "Raw Zoë"),
        ("=?UTF-8*en?Q?Hi?= <x@example.com>", "Hi"),
    ],
)
def test_display_names_are_rfc2047_decoded(text: str, name: str) -> None:
    assert parse_mailbox(text).display_name == name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Missing local name"),
        ("   ", "Missing local name"),
        ("sender", "Missing final '@domain'"),
        ("Sender Name", "Missing final '@domain'"),
        ("Sender <sender>", "Missing final '@domain'"),
        ("@example.com", "Missing local name"),
        ("<>", "Missing local name"),
        ("Name <@example.com>", "Illegal route-addr"),
        ("sender@", "Missing domain"),
        ("Sender <sender@>", "Missing domain"),
        ("a@b@example.com", "Domain contains illegal character"),
        ('"a@b"@example.com', "Local address contains illegal character"),
        ("jöhn@example.com", "Local address contains illegal character"),
        ('"jöhn"@example.com', "Local address contains illegal character"),
        ("john doe@example.com", "Local address contains control or whitespace"),
        (".john@example.com", "Local address starts with dot"),
        ("john.@example.com", "Local address ends with dot"),
        ("jo..hn@example.com", "Local address contains dot-dot"),
        ("x@.example.com", "Domain starts with dot"),
        ("x@example.com.", "Domain ends with dot"),
        ("x@example..com", "Domain contains dot-dot"),
        ("x@exa mple.com", "Domain contains control or whitespace"),
        ("x@exa_mple.com", "Domain contains illegal character"),
        ("x@example.com%!", "Domain contains illegal character"),
        ("x@-example.com", "Domain label starts with hyphen"),
        ("x@example-.com", "Domain label ends with hyphen"),
        ("x@" + "a" * 64 + ".com", "Domain label too long"),
        ("x@" + ".".join(["a" * 63] * 4) + ".com", "Domain too long"),
        ("x@[192.0.2.1]", "Domain literals are not supported"),
        ("x@[192.0.2.1", "Missing ']'"),
        ("x@bü_cher.example", "Domain contains illegal character"),
        ("x@bü\ufffdcher.example", "Domain contains illegal character"),
        ('"unterminated <x@example.com>', "Missing '\"'"),
        ("Name (comment <x@example.com>", "Missing ')'"),
        ("Name) <x@example.com>", "Missing '('"),
        ("Name <x@example.com", "Missing '>'"),
        ("Name> <x@example.com>", "Missing '<'"),
        ("Name x@example.com", "Local address contains control or whitespace"),
        ("Name <x@example.com <y@example.com>>", "Missing '>'"),
        ("x\\y@example.com", "Illegal character in address: '\\'"),
        ("x@example.com\r\nBcc: y@example.com", "Address contains control character"),
        ("x@exa\x00mple.com", "Address contains control character"),
        ("a@example.com, b@example.com", "Expected a single address"),
        ("Team: a@example.com;", "Expected a single address, not a group"),
        ("a@example.com;", "Expected a single address"),
    ],
)
def test_invalid_mailbox(text: str, reason: str) -> None:
    with pytest.raises(InvalidAddress) as raised:
        parse_mailbox(text)
    assert str(raised.value) == reason
    assert raised.value.reason == reason
    assert raised.value.address == text


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        ("", []),
        ("a@example.com", ["a@example.com"]),
        ("a@example.com, B <b@example.com>", ["a@example.com", "b@example.com"]),
        ("a@example.com,,  ,b@example.com,", ["a@example.com", "b@example.com"]),
        ("undisclosed-recipients:;", []),
        ("undisclosed-recipients: ;", []),
        ("Team: a@example.com, B <b@example.com>;", ["a@example.com", "b@example.com"]),
        ("Team: a@example.com,;, c@example.com", ["a@example.com", "c@example.com"]),
        (
            "x@example.com, Team: a@example.com; , c@example.com",
            ["x@example.com", "a@example.com", "c@example.com"],
        ),
        ('"Doe, J" <j@example.com>, k@example.com (K, Esq.)', ["j@example.com", "k@example.com"]),
        (
            "a@example.com,\r\n b@example.com,\n\tc@example.com",
            ["a@example.com", "b@example.com", "c@example.com"],
        ),
        ("(only a comment)", []),
    ],
)
def test_parse_address_list(text: str, addresses: list[str]) -> None:
    assert [m.address for m in parse_address_list(text)] == addresses


def test_address_list_keeps_display_names() -> None:
    assert parse_address_list('"Doe, J" <j@example.com>, k@example.com (K, Esq.)') == [
        Mailbox("j@example.com", "Doe, J"),
        Mailbox("k@example.com", "K, Esq."),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a@example.com b@example.com", "Domain contains illegal character"),
        ("a@example.com <b@example.com>", "Expected ',' between addresses, got '<'"),
        ("Team: a@example.com", "Missing ';'"),
        ("Team: a@example.com <b@example.com>;", "Missing ';'"),
        ("Team: a@example.com b", "Domain contains control or whitespace"),
        ("Team: Inner: a@example.com;;", "Nested group"),
        ("a@example.com;", "Illegal semicolon, not in group"),
        ("; a@example.com", "Illegal semicolon, not in group"),
        ("a@example.com, bad", "Missing final '@domain'"),
        ("Team: bad;", "Missing final '@domain'"),
    ],
)
def test_invalid_address_list(text: str, reason: str) -> None:
    with pytest.raises(InvalidAddress) as raised:
        parse_address_list(text)
    assert str(raised.value) == reason


def test_parse_addresses_concatenates_fields() -> None:
    assert [m.address for m in parse_addresses(["a@x.com, b@x.com", "c@x.com"])] == [
        "a@x.com",
        "b@x.com",
        "c@x.com",
    ]


def test_mailbox_parts() -> None:
    mailbox = parse_mailbox('<"x y"@Example.com>')
    assert (mailbox.local_part, mailbox.domain) == ('"x y"', "Example.com")


@pytest.mark.parametrize(
    ("mailbox", "text"),
    [
        (Mailbox("a@example.com"), "a@example.com"),
        (Mailbox("a@example.com", ""), "a@example.com"),
        (Mailbox("a@example.com", "Ann"), "Ann <a@example.com>"),
        (Mailbox("a@example.com", "Ann Lee-Smith"), "Ann Lee-Smith <a@example.com>"),
        (Mailbox("a@example.com", "Lee, Ann"), '"Lee, Ann" <a@example.com>'),
        (Mailbox("a@example.com", "Ann Q. Lee"), '"Ann Q. Lee" <a@example.com>'),
        (Mailbox("a@example.com", 'Say "hi" \\o/'), '"Say \\"hi\\" \\\\o/" <a@example.com>'),
        (Mailbox("a@example.com", "=?x?"), "=?UTF-8?Q?=3D=3Fx=3F?= <a@example.com>"),
        (
            Mailbox("a@example.com", "=?UTF-8?Q?x?="),
            "=?UTF-8?Q?=3D=3FUTF-8=3FQ=3Fx=3F=3D?= <a@example.com>",
        ),
        (Mailbox("a@example.com", "Zoë"), "=?UTF-8?Q?Zo=C3=AB?= <a@example.com>"),
        (Mailbox("a@example.com", "日本語"), "=?UTF-8?B?5pel5pys6Kqe?= <a@example.com>"),
        (Mailbox("a@example.com", "tab\there"), '"tab\there" <a@example.com>'),
        (Mailbox("a@example.com", "new\nline"), "=?UTF-8?Q?new=0Aline?= <a@example.com>"),
    ],
)
def test_format_mailbox(mailbox: Mailbox, text: str) -> None:
    assert format_mailbox(mailbox) == text
    assert text.isascii()
    assert parse_mailbox(text) == Mailbox(mailbox.address, mailbox.display_name or None)


def test_format_mailbox_splits_long_names_into_short_words() -> None:
    name = "Ünïcödé " * 20
    text = format_mailbox(Mailbox("a@example.com", name.strip()))
    words = text.split(" ")
    assert len(words) > 2
    assert all(len(word) <= 75 for word in words)
    assert parse_mailbox(text).display_name == name.strip()
