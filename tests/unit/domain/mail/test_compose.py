"""Simple-content messages: exact bytes, and round trips through the standard library parser."""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from openses.domain.mail import ComposeError, Content, Mailbox, RawMessage, compose_simple

WHEN = datetime(2019, 9, 6, 18, 52, 14, 327000, tzinfo=UTC)
MESSAGE_ID = "<0100016d07eb7477-8e1938ce-475e-4e4b-89cb-43b1a1f2a0c1-000000@email.amazonses.com>"
SENDER = Mailbox("sender@example.com", "Sender")


def compose(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "source": SENDER,
        "to": [Mailbox("a@example.net")],
        "subject": Content("Hello"),
        "text": Content("Hi there.\n"),
        "date": WHEN,
        "message_id": MESSAGE_ID,
    }
    arguments.update(overrides)
    return compose_simple(**arguments)


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    assert not message.defects
    return message


def content(part: EmailMessage) -> str:
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def test_single_text_part_exact_bytes() -> None:
    assert compose() == (
        b"Date: Fri, 06 Sep 2019 18:52:14 +0000\r\n"
        b"From: Sender <sender@example.com>\r\n"
        b"To: a@example.net\r\n"
        b"Message-ID: " + MESSAGE_ID.encode() + b"\r\n"
        b"Subject: Hello\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=UTF-8\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n"
        b"\r\n"
        b"Hi there.\r\n"
    )


def test_alternative_exact_bytes() -> None:
    data = compose(
        text=Content("Caf\u00e9", "ISO-8859-1"),
        html=Content("<p>Hi</p>"),
        boundary="b1",
        reply_to=[Mailbox("r@example.com")],
        cc=[Mailbox("c@example.com", "C")],
        headers=[("X-Campaign", "42"), ("List-Unsubscribe", "<mailto:u@example.com>")],
    )
    assert data == (
        b"Date: Fri, 06 Sep 2019 18:52:14 +0000\r\n"
        b"From: Sender <sender@example.com>\r\n"
        b"Reply-To: r@example.com\r\n"
        b"To: a@example.net\r\n"
        b"Cc: C <c@example.com>\r\n"
        b"Message-ID: " + MESSAGE_ID.encode() + b"\r\n"
        b"Subject: Hello\r\n"
        b"MIME-Version: 1.0\r\n"
        b"X-Campaign: 42\r\n"
        b"List-Unsubscribe: <mailto:u@example.com>\r\n"
        b'Content-Type: multipart/alternative;\r\n boundary="b1"\r\n'
        b"\r\n"
        b"--b1\r\n"
        b"Content-Type: text/plain; charset=ISO-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"\r\n"
        b"Caf=E9\r\n"
        b"--b1\r\n"
        b"Content-Type: text/html; charset=UTF-8\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n"
        b"\r\n"
        b"<p>Hi</p>\r\n"
        b"--b1--\r\n"
    )


def test_round_trip_headers_and_parts() -> None:
    data = compose(
        source=Mailbox("sender@example.com", "Éloïse Dupont"),
        to=[Mailbox("a@example.net", "Doe, Ann"), Mailbox("b@example.net")],
        cc=[Mailbox("c@example.org", "日本語の名前")],
        reply_to=[Mailbox("r1@example.com"), Mailbox("r2@example.com", "R. Two")],
        subject=Content("Héllo wörld — ünïcödé"),
        text=Content("Plain\nCafé\n"),
        html=Content("<p>Café</p>"),
        headers=[("X-Tag", "v")],
    )
    message = parse(data)
    assert str(message["From"]) == "Éloïse Dupont <sender@example.com>"
    assert [a.addr_spec for a in message["To"].addresses] == ["a@example.net", "b@example.net"]
    assert message["To"].addresses[0].display_name == "Doe, Ann"
    assert message["Cc"].addresses[0].display_name == "日本語の名前"
    assert [a.display_name for a in message["Reply-To"].addresses] == ["", "R. Two"]
    assert str(message["Subject"]) == "Héllo wörld — ünïcödé"
    assert message["Message-ID"] == MESSAGE_ID
    assert message["Date"].datetime == WHEN.replace(microsecond=0)
    assert message["MIME-Version"] == "1.0"
    assert message["X-Tag"] == "v"
    assert message["Bcc"] is None
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    assert (text.get_content_type(), content(text)) == ("text/plain", "Plain\nCafé\n")
    assert (html.get_content_type(), content(html)) == ("text/html", "<p>Café</p>")
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    # our own parser agrees
    raw = RawMessage.parse(data)
    assert raw.subject() == "Héllo wörld — ünïcödé"
    assert raw.mailboxes("Cc") == [Mailbox("c@example.org", "日本語の名前")]


@pytest.mark.parametrize(
    ("text", "html", "content_type"),
    [
        (Content("only text"), None, "text/plain"),
        (None, Content("<b>only html</b>"), "text/html"),
        (None, None, "text/plain"),
    ],
)
def test_single_part_messages(
    text: Content | None, html: Content | None, content_type: str
) -> None:
    message = parse(compose(text=text, html=html))
    assert message.get_content_type() == content_type
    assert not message.is_multipart()
    expected = (text or html or Content("")).data
    assert content(message) == expected


@pytest.mark.parametrize(
    ("body", "charset", "encoding"),
    [
        ("ascii only\nline two\n", None, "7bit"),
        ("a" * 998 + "\n", None, "7bit"),
        ("a" * 999 + "\n", None, "quoted-printable"),
        ("café\n", None, "quoted-printable"),
        ("café\n", "ISO-8859-1", "quoted-printable"),
        ("nul\0byte", None, "quoted-printable"),
        ("\u65e5\u672c", "UTF-16", "base64"),
        ("\u65e5\u672c", "ISO-2022-JP", "7bit"),
        ("trailing space   \nx", None, "7bit"),
    ],
)
def test_body_transfer_encoding(body: str, charset: str | None, encoding: str) -> None:
    data = compose(text=Content(body, charset))
    message = parse(data)
    assert message["Content-Transfer-Encoding"] == encoding
    assert message.get_content_charset() == (charset or "UTF-8").lower()
    assert content(message) == body
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert all(byte < 0x80 for byte in data)


@pytest.mark.parametrize(
    ("body", "normalized"),
    [("a\r\nb\rc\nd", b"a\r\nb\r\nc\r\nd"), ("x\r\n", b"x\r\n")],
)
def test_line_endings_become_crlf(body: str, normalized: bytes) -> None:
    assert compose(text=Content(body)).endswith(b"\r\n\r\n" + normalized)


def test_long_ascii_subject_folds_at_spaces() -> None:
    subject = " ".join(f"word{i}" for i in range(40))
    data = compose(subject=Content(subject))
    lines = data.split(b"\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
    assert lines[start + 1].startswith(b" ")
    assert all(len(line) <= 78 for line in lines[start : start + 3])
    assert str(parse(data)["Subject"]) == subject
    assert RawMessage.parse(data).subject() == subject


@pytest.mark.parametrize(
    "subject",
    [
        "",
        "   spaced   out   ",
        "x" * 1200,  # one word too long for a line: encoded
        "line\nbreak",  # never a header injection: encoded
        "=?UTF-8?Q?pre-encoded?=",
        "tab\tinside",
    ],
)
def test_subject_edge_cases(subject: str) -> None:
    data = compose(subject=Content(subject))
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    raw = RawMessage.parse(data)
    assert [f.name for f in raw.fields].count("Subject") == 1
    if subject.startswith("=?"):
        assert raw.first("Subject") == subject
    else:
        assert raw.subject() == subject.strip()


def test_subject_charset_is_used_for_encoded_words() -> None:
    data = compose(subject=Content("Andr\u00e9", "ISO-8859-1"))
    assert b"Subject: =?ISO-8859-1?Q?Andr=E9?=\r\n" in data


def test_many_recipients_fold() -> None:
    recipients = [Mailbox(f"user{i}@example.com", f"User {i}") for i in range(50)]
    data = compose(to=recipients)
    to = RawMessage.parse(data).fields[2]
    assert to.name == "To"
    assert to.raw.count(b"\r\n") > 10
    assert all(len(line) <= 78 for line in to.raw.split(b"\r\n"))
    message = parse(data)
    assert [a.addr_spec for a in message["To"].addresses] == [m.address for m in recipients]


def test_bcc_only_has_no_to_header() -> None:
    message = parse(compose(to=[]))
    assert message["To"] is None


def test_date_is_utc() -> None:
    local = datetime(2019, 9, 6, 20, 52, 14, tzinfo=timezone(timedelta(hours=2)))
    assert b"Date: Fri, 06 Sep 2019 18:52:14 +0000\r\n" in compose(date=local)
    naive = datetime(2019, 9, 6, 18, 52, 14)  # naive: taken as UTC
    assert b"Date: Fri, 06 Sep 2019 18:52:14 +0000\r\n" in compose(date=naive)


def test_output_is_deterministic_and_boundary_depends_on_content() -> None:
    first = compose(html=Content("<p>x</p>"))
    assert first == compose(html=Content("<p>x</p>"))
    other = compose(html=Content("<p>y</p>"))
    boundary = parse(first).get_boundary()
    assert boundary is not None
    assert boundary.startswith("=_")
    assert boundary != parse(other).get_boundary()
    assert (
        boundary != parse(compose(html=Content("<p>x</p>"), message_id="<other@x>")).get_boundary()
    )


def test_derived_boundary_avoids_the_body() -> None:
    plain = compose(html=Content("<p>x</p>"))
    boundary = parse(plain).get_boundary()
    assert boundary is not None
    # A 7bit body that happens to contain the derived delimiter forces another boundary.
    text = f"--{boundary}\n"
    data = compose(text=Content(text), html=Content("<p>x</p>"))
    message = parse(data)
    assert message.get_boundary() != boundary
    text_part = next(iter(message.iter_parts()))
    assert isinstance(text_part, EmailMessage)
    assert content(text_part) == text


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"text": Content("x", "no-such-charset")}, "Unsupported charset 'no-such-charset'."),
        ({"text": Content("x", "utf-8\r\nX: y")}, "Invalid charset 'utf-8\r\nX: y'."),
        (
            {"text": Content("€", "ISO-8859-1")},
            "The plain body cannot be encoded in charset 'ISO-8859-1'.",
        ),
        (
            {"html": Content("€", "ISO-8859-1")},
            "The html body cannot be encoded in charset 'ISO-8859-1'.",
        ),
        (
            {"subject": Content("€", "ISO-8859-1")},
            "The subject cannot be encoded in charset 'ISO-8859-1'.",
        ),
        ({"subject": Content("é", "bogus")}, "Unsupported charset 'bogus'."),
        ({"message_id": "<a@b>\r\nBcc: x@y"}, "The Message-ID must be printable ASCII."),
        (
            {"headers": [("Bad Name", "v")]},
            "Invalid header name 'Bad Name': it must be 1 to 126 printable ASCII characters"
            " other than ':'.",
        ),
        (
            {"headers": [("X-A", "v\r\nBcc: x@y")]},
            "Invalid value for header 'X-A': it must be 1 to 995 printable ASCII characters.",
        ),
        (
            {"html": Content("x"), "boundary": "bad\nboundary"},
            "Invalid MIME boundary 'bad\nboundary'.",
        ),
        ({"html": Content("x"), "boundary": "b" * 71}, f"Invalid MIME boundary '{'b' * 71}'."),
        (
            {"text": Content("--b1 in the body"), "html": Content("x"), "boundary": "b1"},
            "The MIME boundary 'b1' occurs in the message body.",
        ),
        (
            {"to": [Mailbox("a" * 1000 + "@example.com")]},
            "The To header has a line longer than 998 characters.",
        ),
    ],
)
def test_compose_errors(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(ComposeError) as raised:
        compose(**overrides)
    assert str(raised.value) == reason == raised.value.reason
