"""The ``headers`` list, ``commonHeaders`` and SES's 10 KB truncation rule."""

from __future__ import annotations

import pytest

from openses.domain.events import HEADERS_LIMIT_BYTES, common_headers, header_list, read_headers
from openses.domain.events.headers import from_domain, shown_addresses
from openses.domain.mail import MalformedMessage


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"From: a@example.com\r\nSubject: Hi\r\n\r\nbody\r\n", id="whole message"),
        pytest.param(b"From: a@example.com\r\nSubject: Hi\r\n\r\n", id="header section"),
        pytest.param(b"From: a@example.com\r\nSubject: Hi\r\n", id="no blank line"),
        pytest.param(b"From: a@example.com\r\nSubject: Hi", id="no final line ending"),
        pytest.param(b"From: a@example.com\nSubject: Hi\n", id="LF line endings"),
    ],
)
def test_read_headers_accepts_a_message_or_its_header_section(data: bytes) -> None:
    message = read_headers(data)
    assert [field.name for field in message.fields] == ["From", "Subject"]
    assert message.first("Subject") == "Hi"


@pytest.mark.parametrize(
    "data",
    [b"", b"not a header line\r\n\r\n", b": empty name\r\n\r\n"],
    ids=["empty", "no colon", "empty name"],
)
def test_read_headers_refuses_what_is_not_a_header_section(data: bytes) -> None:
    with pytest.raises(MalformedMessage):
        read_headers(data)


def test_header_list_keeps_order_names_and_unfolds_and_decodes_values() -> None:
    message = read_headers(
        b"X-SES-CONFIGURATION-SET: Storefront\r\n"
        b"from: Ana <ana@example.org>\r\n"
        b"Subject: =?UTF-8?Q?Ol=C3=A1?= and\r\n"
        b"\tmore\r\n"
        b"Subject: second\r\n"
        b"Content-Type: multipart/mixed;\r\n"
        b' boundary="b1"\r\n'
        b"X-Broken: =?UTF-8?Q?not closed\r\n"
        b"\r\n"
    )
    headers, truncated = header_list(message)
    assert truncated is False
    assert headers == [
        {"name": "X-SES-CONFIGURATION-SET", "value": "Storefront"},
        {"name": "from", "value": "Ana <ana@example.org>"},
        {"name": "Subject", "value": "Olá and\tmore"},
        {"name": "Subject", "value": "second"},
        {"name": "Content-Type", "value": 'multipart/mixed; boundary="b1"'},
        {"name": "X-Broken", "value": "=?UTF-8?Q?not closed"},
    ]


def _section(total: int) -> bytes:
    """A header section of exactly ``total`` bytes: 100-byte fields, the last one padded."""
    lines: list[bytes] = []
    size = 0
    number = 0
    while total - size >= 200:
        line = b"X-Pad-%04d: " % number
        line += b"p" * (100 - len(line) - 2) + b"\r\n"
        lines.append(line)
        size += len(line)
        number += 1
    last = b"X-Last: "
    last += b"q" * (total - size - len(last) - 2) + b"\r\n"
    lines.append(last)
    return b"".join(lines)


@pytest.mark.parametrize(
    ("total", "truncated"),
    [
        pytest.param(HEADERS_LIMIT_BYTES - 1, False, id="one byte under 10 KB"),
        pytest.param(HEADERS_LIMIT_BYTES, True, id="exactly 10 KB"),
        pytest.param(HEADERS_LIMIT_BYTES + 1, True, id="one byte over"),
        pytest.param(3 * HEADERS_LIMIT_BYTES, True, id="30 KB"),
    ],
)
def test_truncation_at_10_kb(total: int, truncated: bool) -> None:
    section = _section(total)
    assert len(section) == total
    message = read_headers(section + b"\r\n")
    headers, flagged = header_list(message)
    assert flagged is truncated
    kept = sum(len(f"{h['name']}: {h['value']}\r\n") for h in headers)
    if truncated:
        assert kept < HEADERS_LIMIT_BYTES
        assert len(headers) < len(message.fields)
        assert headers == [
            {"name": field.name, "value": field.value} for field in message.fields[: len(headers)]
        ]
    else:
        assert len(headers) == len(message.fields)


def test_a_single_huge_field_leaves_an_empty_list() -> None:
    message = read_headers(b"X-Huge: " + b"h" * HEADERS_LIMIT_BYTES + b"\r\nSubject: s\r\n\r\n")
    assert header_list(message) == ([], True)


COMMON_CASES = [
    pytest.param(
        b'From: "Sender Name" <sender@example.com>\r\nTo: recipient@example.com\r\n',
        None,
        {"from": ["Sender Name <sender@example.com>"], "to": ["recipient@example.com"]},
        id="quotes dropped from a plain display name",
    ),
    pytest.param(
        b'To: "Doe, Jane" <jane@example.com>, "J. R." <jr@example.com>,\r\n'
        b' "say \\"hi\\"" <hi@example.com>, Plain Name <p@example.com>\r\n',
        None,
        {
            "to": [
                '"Doe, Jane" <jane@example.com>',
                '"J. R." <jr@example.com>',
                '"say \\"hi\\"" <hi@example.com>',
                "Plain Name <p@example.com>",
            ]
        },
        id="names with specials stay quoted",
    ),
    pytest.param(
        b"To: a@example.com\r\nCc: c@example.com\r\nTo: b@example.com\r\n"
        b"Bcc: hidden@example.com\r\n",
        None,
        {
            "to": ["a@example.com", "b@example.com"],
            "cc": ["c@example.com"],
            "bcc": ["hidden@example.com"],
        },
        id="every field of a name, one element per mailbox",
    ),
    pytest.param(
        b"To: Team: x@example.com, y@example.com;, z@example.com\r\n",
        None,
        {"to": ["x@example.com", "y@example.com", "z@example.com"]},
        id="groups flattened",
    ),
    pytest.param(
        b"To: undisclosed-recipients:;\r\n",
        None,
        {"to": ["undisclosed-recipients:;"]},
        id="an empty group shown as written",
    ),
    pytest.param(
        b"To: not an address\r\n",
        None,
        {"to": ["not an address"]},
        id="unparseable value shown as written",
    ),
    pytest.param(
        b"Subject: =?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=\r\n"
        b"To: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.com>\r\n",
        None,
        {"to": ["Zoë <zoe@example.com>"], "subject": "日本語の件名"},
        id="RFC 2047 decoded",
    ),
    pytest.param(
        b"Subject:\r\nX-Other: 1\r\n",
        None,
        {"subject": ""},
        id="empty subject kept",
    ),
    pytest.param(
        b"Subject: Hello\r\nMessage-ID: <abc@client.example>\r\nDate: Tue, 5 Mar 2024 09:15:00"
        b" +0100\r\nReply-To: Help <help@example.com>\r\nFrom: sender@example.com\r\n"
        b"Return-Path: <bounces@example.com>\r\nTo: r@example.com\r\nCc: c@example.com\r\n",
        None,
        {
            "returnPath": "bounces@example.com",
            "from": ["sender@example.com"],
            "replyTo": ["Help <help@example.com>"],
            "date": "Tue, 5 Mar 2024 09:15:00 +0100",
            "to": ["r@example.com"],
            "cc": ["c@example.com"],
            "messageId": "<abc@client.example>",
            "subject": "Hello",
        },
        id="SES's key order whatever the header order",
    ),
    pytest.param(
        b"From: sender@example.com\r\nMessage-ID: <abc@client.example>\r\n",
        "0100018e0d5c1a46-7c41d2e0-55b3-4f0e-9a8b-3d2c1e0f9a7b-000000",
        {
            "from": ["sender@example.com"],
            "messageId": "0100018e0d5c1a46-7c41d2e0-55b3-4f0e-9a8b-3d2c1e0f9a7b-000000",
        },
        id="SES's message id replaces the client's",
    ),
    pytest.param(
        b"From: sender@example.com\r\n",
        "0100018e0d5c1a46-7c41d2e0-55b3-4f0e-9a8b-3d2c1e0f9a7b-000000",
        {
            "from": ["sender@example.com"],
            "messageId": "0100018e0d5c1a46-7c41d2e0-55b3-4f0e-9a8b-3d2c1e0f9a7b-000000",
        },
        id="SES's message id even without the client's",
    ),
    pytest.param(
        b"X-Only: 1\r\n",
        None,
        {},
        id="nothing common",
    ),
]


@pytest.mark.parametrize(("section", "message_id", "expected"), COMMON_CASES)
def test_common_headers(
    section: bytes, message_id: str | None, expected: dict[str, object]
) -> None:
    common = common_headers(read_headers(section + b"\r\n"), message_id=message_id)
    assert common == expected
    assert list(common) == list(expected)


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (["Ana <ana@example.org>"], ["Ana <ana@example.org>"]),
        (["ana@example.org (Ana Lima)"], ["Ana Lima <ana@example.org>"]),
        (['"ana@example.org" <ana@example.org>'], ['"ana@example.org" <ana@example.org>']),
        (["=?UTF-8?B?w4ljb2xl?= <ecole@example.org>"], ["École <ecole@example.org>"]),
        (["", "b@example.org"], ["b@example.org"]),
    ],
    ids=["plain name", "comment as name", "name needing quotes", "encoded name", "empty value"],
)
def test_shown_addresses(values: list[str], shown: list[str]) -> None:
    assert shown_addresses(values) == shown


@pytest.mark.parametrize(
    ("section", "source", "domain"),
    [
        (b"From: Ana <ana@Shop.Example.org>\r\n", "bounce@other.example", "Shop.Example.org"),
        (b"From: a@one.example, b@two.example\r\n", "x@other.example", "one.example"),
        (b"Subject: no from\r\n", "Ana <ana@source.example>", "source.example"),
        (b"From: broken\r\n", "ana@source.example", "source.example"),
        (None, "<weird@source.example>", "source.example"),
        (None, "not-an-address", "not-an-address"),
    ],
    ids=[
        "from header",
        "first author",
        "no From: the source",
        "bad From: the source",
        "no message",
        "unparseable source",
    ],
)
def test_from_domain(section: bytes | None, source: str, domain: str) -> None:
    message = None if section is None else read_headers(section + b"\r\n")
    assert from_domain(message, source) == domain
