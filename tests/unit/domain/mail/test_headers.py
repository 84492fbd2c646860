"""Raw message header sections: byte-exact parsing, lookup, removal and replacement."""

from __future__ import annotations

import pytest

from openses.domain.mail import (
    CONTROL_HEADERS,
    STRIPPED_BEFORE_DELIVERY,
    ControlHeaders,
    InvalidAddress,
    Mailbox,
    MalformedMessage,
    RawMessage,
    control_arns,
    raw_message_problem,
    raw_recipients,
)

SOURCE = "arn:aws:ses:us-east-1:888888888888:identity/example.com"
OTHER = "arn:aws:ses:us-east-1:888888888888:identity/other.example"

LF_MESSAGE = (
    b"X-SES-SOURCE-ARN: " + SOURCE.encode() + b"\n"
    b"From: Sender <sender@example.com>\n"
    b"To: a@example.net,\n"
    b"\tB <b@example.net>\n"
    b"Subject: =?UTF-8?Q?caf=C3=A9?=\n"
    b"x-ses-source-arn: " + OTHER.encode() + b"\n"
    b"X-Mailer: test\n"
    b"\n"
    b"Body \xe9\xff 8-bit\n"
    b"X-SES-SOURCE-ARN: not a header, in the body\n"
)
CRLF_MESSAGE = LF_MESSAGE.replace(b"\n", b"\r\n")


@pytest.mark.parametrize("data", [LF_MESSAGE, CRLF_MESSAGE], ids=["LF", "CRLF"])
def test_parse_keeps_exact_bytes(data: bytes) -> None:
    message = RawMessage.parse(data)
    assert [field.name for field in message.fields] == [
        "X-SES-SOURCE-ARN",
        "From",
        "To",
        "Subject",
        "x-ses-source-arn",
        "X-Mailer",
    ]
    assert (
        b"".join(field.raw for field in message.fields)
        + message.data[message.fields[-1].end : message.body_offset]
        == message.header
    )
    assert message.header + message.body == data
    assert message.body.startswith(b"Body \xe9\xff")
    newline = b"\r\n" if data is CRLF_MESSAGE else b"\n"
    assert message.newline == newline
    to = message.fields[2]
    assert to.raw == b"To: a@example.net," + newline + b"\tB <b@example.net>" + newline
    assert data[to.start : to.end] == to.raw


@pytest.mark.parametrize("data", [LF_MESSAGE, CRLF_MESSAGE], ids=["LF", "CRLF"])
def test_lookup_is_case_insensitive_and_unfolded(data: bytes) -> None:
    message = RawMessage.parse(data)
    assert message.first("x-ses-source-arn") == SOURCE
    assert message.all("X-SES-Source-Arn") == [SOURCE, OTHER]
    assert message.first("TO") == "a@example.net,\tB <b@example.net>"
    assert message.first("Subject") == "=?UTF-8?Q?caf=C3=A9?="
    assert message.subject() == "café"
    assert message.first("Cc") is None
    assert message.all("Cc") == []
    assert message.has("from")
    assert not message.has("Bcc")


def test_header_values_decode_utf8_or_latin1() -> None:
    message = RawMessage.parse(b"Subject: caf\xc3\xa9\r\nX-Old: caf\xe9\r\n\r\n")
    assert message.first("Subject") == "café"
    assert message.first("X-Old") == "café"
    assert message.subject() == "café"


def test_subject_absent() -> None:
    assert RawMessage.parse(b"From: a@example.com\r\n\r\n").subject() is None


@pytest.mark.parametrize("data", [LF_MESSAGE, CRLF_MESSAGE], ids=["LF", "CRLF"])
def test_without_control_headers_removes_every_occurrence_and_nothing_else(data: bytes) -> None:
    message = RawMessage.parse(data)
    stripped = message.without(CONTROL_HEADERS)
    newline = message.newline
    expected = (
        b"From: Sender <sender@example.com>"
        + newline
        + b"To: a@example.net,"
        + newline
        + b"\tB <b@example.net>"
        + newline
        + b"Subject: =?UTF-8?Q?caf=C3=A9?="
        + newline
        + b"X-Mailer: test"
        + newline
        + newline
        + message.body
    )
    assert stripped == expected
    assert b"X-SES-SOURCE-ARN: not a header, in the body" in stripped  # the body is untouched
    again = RawMessage.parse(stripped)
    assert control_arns(again) == ControlHeaders()


@pytest.mark.parametrize("data", [LF_MESSAGE, CRLF_MESSAGE], ids=["LF", "CRLF"])
@pytest.mark.parametrize(
    "names", [CONTROL_HEADERS, ["to"], ["From", "Subject"], [], ["X-Nothing"]], ids=repr
)
def test_dropping_is_without_kept_parsed(data: bytes, names: list[str]) -> None:
    message = RawMessage.parse(data)
    dropped = message.dropping(names)
    assert dropped == RawMessage.parse(message.without(names))
    stamped = {"Message-ID": "<id@example.com>", "Date": "Mon, 1 Jan 2024 00:00:00 +0000"}
    assert dropped.with_fields(stamped) == RawMessage.parse(dropped.data).with_fields(stamped)


def test_dropping_every_field_is_refused_as_a_message_without_a_header() -> None:
    with pytest.raises(MalformedMessage):
        RawMessage.parse(b"X-SES-SOURCE-ARN: arn\r\n\r\nbody").dropping(CONTROL_HEADERS)


def test_without_nothing_or_absent_is_identity() -> None:
    message = RawMessage.parse(CRLF_MESSAGE)
    assert message.without([]) == CRLF_MESSAGE
    assert message.without(["Bcc", "X-Nothing"]) == CRLF_MESSAGE


def test_without_a_folded_field() -> None:
    message = RawMessage.parse(CRLF_MESSAGE)
    assert b"B <b@example.net>" not in message.without(["to"])


def test_stripped_before_delivery_includes_bcc() -> None:
    data = (
        b"From: a@example.com\r\nBcc: hidden@example.com,\r\n other@example.com\r\n"
        b"To: t@example.com\r\n\r\nhi"
    )
    message = RawMessage.parse(data)
    assert message.without(STRIPPED_BEFORE_DELIVERY) == (
        b"From: a@example.com\r\nTo: t@example.com\r\n\r\nhi"
    )
    assert (*CONTROL_HEADERS, "Bcc") == STRIPPED_BEFORE_DELIVERY


@pytest.mark.parametrize(
    ("data", "name", "value", "expected"),
    [
        (
            b"Message-ID: <old@x>\r\nFrom: a@x.com\r\nmessage-id: <older@x>\r\n\r\nbody",
            "Message-ID",
            "<new@email.amazonses.com>",
            b"Message-ID: <new@email.amazonses.com>\r\nFrom: a@x.com\r\n\r\nbody",
        ),
        (
            b"From: a@x.com\r\nDate: Mon, 1 Jan 2001\r\n 00:00:00 +0000\r\n\r\nbody",
            "Date",
            "Fri, 06 Sep 2019 18:52:14 +0000",
            b"From: a@x.com\r\nDate: Fri, 06 Sep 2019 18:52:14 +0000\r\n\r\nbody",
        ),
        (
            b"From: a@x.com\r\n\r\nbody",
            "Message-ID",
            "<new@x>",
            b"Message-ID: <new@x>\r\nFrom: a@x.com\r\n\r\nbody",
        ),
        (
            b"From: a@x.com\nSubject: s\n\nbody\r\n",
            "Date",
            "Fri, 06 Sep 2019 18:52:14 +0000",
            b"Date: Fri, 06 Sep 2019 18:52:14 +0000\nFrom: a@x.com\nSubject: s\n\nbody\r\n",
        ),
    ],
)
def test_with_replaced(data: bytes, name: str, value: str, expected: bytes) -> None:
    assert RawMessage.parse(data).with_replaced(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Message-ID", "<a@x>\r\nBcc: evil@x"),
        ("Bad Name", "v"),
        ("Bad:Name", "v"),
        ("Ünï", "v"),
        ("X", "é"),
    ],
)
def test_with_replaced_refuses_anything_but_one_ascii_line(name: str, value: str) -> None:
    with pytest.raises(ValueError, match="one-line ASCII"):
        RawMessage.parse(b"From: a@x.com\r\n\r\n").with_replaced(name, value)


@pytest.mark.parametrize("data", [LF_MESSAGE, CRLF_MESSAGE], ids=["LF", "CRLF"])
def test_control_arns_take_the_first_occurrence(data: bytes) -> None:
    assert control_arns(RawMessage.parse(data)) == ControlHeaders(source_arn=SOURCE)


def test_control_arns_all_five() -> None:
    data = (
        b"X-SES-CONFIGURATION-SET: set-1\r\n"
        b"X-SES-FROM-ARN: from-1\r\n"
        b"x-ses-return-path-arn:rp-1\r\n"
        b"X-SES-MESSAGE-TAGS: a=b, c=d\r\n"
        b"X-SES-SOURCE-ARN: \r\n"
        b"X-SES-FROM-ARN: from-2\r\n"
        b"X-SES-CONFIGURATION-SET: set-2\r\n"
        b"\r\n"
    )
    assert control_arns(RawMessage.parse(data)) == ControlHeaders(
        source_arn="",  # present but empty: the caller reports "Invalid ARN <>."
        from_arn="from-1",
        return_path_arn="rp-1",
        configuration_set="set-1",
        message_tags="a=b, c=d",
    )


def test_raw_recipients_from_to_cc_bcc_in_order() -> None:
    data = (
        b"Bcc: hidden@example.com\r\n"
        b"To: undisclosed-recipients:;\r\n"
        b"Cc: Team: c1@example.com, c2@example.com;\r\n"
        b"From: sender@example.com\r\n"
        b"To: =?UTF-8?Q?J=C3=A4ne?= <jane@example.com>\r\n"
        b"\r\n"
    )
    message = RawMessage.parse(data)
    assert raw_recipients(message) == [
        Mailbox("jane@example.com", "Jäne"),
        Mailbox("c1@example.com"),
        Mailbox("c2@example.com"),
        Mailbox("hidden@example.com"),
    ]
    assert message.mailboxes("From") == [Mailbox("sender@example.com")]


def test_raw_recipients_reports_a_bad_address() -> None:
    message = RawMessage.parse(b"To: ok@example.com, broken\r\n\r\n")
    with pytest.raises(InvalidAddress, match="Missing final '@domain'"):
        raw_recipients(message)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "Missing required header 'From'."),
        (b"\r\nbody only", "Missing required header 'From'."),
        (b"\n", "Missing required header 'From'."),
        (
            b"From: a@x.com\r\nTo: b@x.com\r\n",
            "Message must contain a header and a body, separated by a blank line.",
        ),
        (b"From: a@x.com", "Message must contain a header and a body, separated by a blank line."),
        (b"From: a@x.com\r\nHello there\r\n\r\n", "Illegal header 'Hello there'."),
        (
            b'From: a@x.com\r\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org">\r\n',
            'Illegal header \'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http\'.',
        ),
        (b": no name\r\n\r\n", "Empty header names are illegal."),
        (b"From: a@x.com\r\n:x\r\n\r\n", "Empty header names are illegal."),
        (b" leading continuation\r\n\r\n", "Illegal header ' leading continuation'."),
        (b"Na\xefve: x\r\n\r\n", "Illegal header 'Na\xefve'."),
        (b"From: a@x.com\r\n" + b"x" * 300 + b"\r\n\r\n", "Illegal header '" + "x" * 200 + "'."),
    ],
)
def test_malformed_messages(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessage) as raised:
        RawMessage.parse(data)
    assert str(raised.value) == reason == raised.value.reason
    assert raw_message_problem(data) == reason


@pytest.mark.parametrize(
    "data",
    [
        b"From: a@x.com\r\n\r\n",
        b"From: a@x.com\n\n",
        b"From : a@x.com\r\n\r\nobsolete space before the colon",
        b"From: a@x.com\r\n  \r\n continued after a blank-looking line\r\n\r\n",
        b"From:a@x.com\r\n\r\n",
        b"X-Odd!#$%&'*+-.^_`|~: v\r\n\r\n",
    ],
)
def test_well_formed_messages(data: bytes) -> None:
    assert raw_message_problem(data) is None


def test_white_space_line_continues_the_field() -> None:
    message = RawMessage.parse(b"From: a@x.com\r\n  \r\n more\r\n\r\nbody")
    assert len(message.fields) == 1
    assert message.body == b"body"
    assert message.first("From") == "a@x.com   more"  # unfolding removes line breaks only


def test_space_before_colon_is_not_part_of_the_name() -> None:
    message = RawMessage.parse(b"Subject : hi\r\n\r\n")
    assert message.fields[0].name == "Subject"
    assert message.first("subject") == "hi"


def test_bare_cr_is_data() -> None:
    message = RawMessage.parse(b"Subject: a\rb\r\n\r\n")
    assert message.first("Subject") == "a\rb"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"From: a@x.example\r\nSubject: s\r\n\r\nbody\r\n", id="neither"),
        pytest.param(b"Date: old\r\nFrom: a@x.example\r\n\r\nbody\r\n", id="date-only"),
        pytest.param(
            b"Message-ID: <o@x>\nFrom: a@x.example\nMessage-ID: <p@x>\nDate: d\n\nb\n",
            id="both-repeated-lf",
        ),
    ],
)
def test_with_fields_is_with_replaced_applied_in_reverse_order(data: bytes) -> None:
    one_pass = RawMessage.parse(data).with_fields({"Date": "D", "Message-ID": "<m@y>"})
    step = RawMessage.parse(data).with_replaced("Message-ID", "<m@y>")
    assert one_pass == RawMessage.parse(step).with_replaced("Date", "D")


def test_with_fields_refuses_a_multi_line_value() -> None:
    with pytest.raises(ValueError, match="one-line"):
        RawMessage.parse(b"From: a@x\r\n\r\n").with_fields({"Date": "a\r\nb"})
