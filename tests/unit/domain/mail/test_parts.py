"""What the inbox shows of a stored message: headers, bodies, attachments — never an error."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.mail.parts import (
    MessageParts,
    attachment_content,
    header_value,
    html_with_inline_images,
    read_parts,
)


def crlf(*lines: str) -> bytes:
    return "\r\n".join(lines).encode()


ALTERNATIVE = crlf(
    "From: App <app@example.com>",
    "Subject: =?UTF-8?B?PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==?=",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    "--alt",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Gr=C3=BC=C3=9Fe",
    "--alt",
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p onclick=x>Hi</p><script>alert(1)</script>",
    "--alt--",
    "",
)
MIXED = crlf(
    "From: app@example.com",
    'Content-Type: multipart/mixed; boundary="mix"',
    "",
    "--mix",
    "Content-Type: text/plain",
    "",
    "see attached",
    "--mix",
    "Content-Type: application/pdf",
    'Content-Disposition: attachment; filename="<img src=x onerror=alert(1)>.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    "aGVsbG8=",
    "--mix",
    "Content-Type: message/rfc822",
    "",
    "Subject: forwarded",
    "",
    "inner body",
    "--mix",
    "Content-Type: image/png",
    "Content-Disposition: inline; filename*=utf-8''%E2%9C%93.png",
    "Content-Transfer-Encoding: base64",
    "",
    "iVBORw0KGgo=",
    "--mix--",
    "",
)


@pytest.mark.parametrize(
    ("raw", "text", "html", "attachments"),
    [
        (crlf("Subject: plain", "", "hello", ""), "hello\r\n", None, []),
        (ALTERNATIVE, "Grüße", "<p onclick=x>Hi</p><script>alert(1)</script>", []),
        (
            MIXED,
            "see attached",
            None,
            [
                ("<img src=x onerror=alert(1)>.pdf", "application/pdf", 5),
                (None, "message/rfc822", len(b"Subject: forwarded\n\ninner body")),
                ("✓.png", "image/png", 8),
            ],
        ),
        (b"Content-Type: text/html; charset=iso-8859-1\r\n\r\n<b>caf\xe9</b>", None,
         "<b>café</b>", []),
        (crlf("Content-Type: image/gif", "Content-Transfer-Encoding: base64", "", "R0lG"), None,
         None, [(None, "image/gif", 3)]),
    ],
    ids=["single-text", "alternative", "mixed-with-attachments", "html-only", "only-an-image"],
)  # fmt: skip
def test_bodies_and_attachments(
    raw: bytes,
    text: str | None,
    html: str | None,
    attachments: list[tuple[str | None, str, int]],
) -> None:
    parts = read_parts(raw)
    assert parts.text == text
    assert parts.html == html
    assert [(a.filename, a.content_type, a.size) for a in parts.attachments] == attachments


def test_headers_are_decoded_in_order_and_the_subject_payload_stays_text() -> None:
    parts = read_parts(ALTERNATIVE)
    assert parts.headers[:2] == (
        ("From", "App <app@example.com>"),
        ("Subject", "<script>alert(1)</script>"),
    )
    assert header_value(ALTERNATIVE, "subject") == "<script>alert(1)</script>"
    assert header_value(ALTERNATIVE, "X-Missing") is None


@pytest.mark.parametrize(
    ("raw", "text", "problem"),
    [
        (b"", "", None),
        (crlf("Content-Type: multipart/mixed", "", "no boundary, still text"),
         "no boundary, still text", "NoBoundaryInMultipartDefect"),
        (crlf("Content-Type: text/plain; charset=x-unknown", "", "caf\u00e9"), "café",
         "unknown charset 'x-unknown'"),
        (crlf("Content-Transfer-Encoding: base64", "", "!!!not base64"), "!!!not base64", None),
        (crlf("Subject: x", "", "caf") + b"\xff\xfe", "caf\u00ff\u00fe", None),  # Latin-1 fallback
        (b"\x00\xff: \x01\r\n\r\nbody", None, None),
        (crlf('Content-Type: multipart/mixed; boundary="b"', "", "--b", "Content-Type: text/plain",
              "", "cut short"), "cut short", "CloseBoundaryNotFoundDefect"),
    ],
    ids=["empty", "multipart-without-boundary", "unknown-charset", "bad-base64", "8bit-body",
         "binary-garbage", "unterminated-multipart"],
)  # fmt: skip
def test_malformed_messages_show_what_can_be_shown(
    raw: bytes, text: str | None, problem: str | None
) -> None:
    parts = read_parts(raw)
    if text is not None:
        assert parts.text is not None
        assert parts.text.strip() == text.strip()
    if problem is not None:
        assert any(problem in p for p in parts.problems), parts.problems
    _assert_displayable(parts)


def test_nesting_too_deep_for_the_parser_falls_back_to_the_raw_text() -> None:
    raw = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(3000)
    )
    parts = read_parts(raw + b"Content-Type: text/plain\r\n\r\nleaf\r\n")
    assert parts.text is not None
    assert "leaf" in parts.text
    assert parts.problems == ("the message could not be parsed: RecursionError",)


def test_undecodable_header_bytes_become_replacement_characters() -> None:
    parts = read_parts(b"Subject: caf\xc3\xa9 \xff\r\nFrom: \xfe <a@example.com>\r\n\r\nx")
    assert parts.headers == (("Subject", "café \ufffd"), ("From", "\ufffd <a@example.com>"))


def test_attachment_content_is_the_decoded_bytes_by_index() -> None:
    found = attachment_content(MIXED, 1)
    assert found is not None
    attachment, data = found
    assert (attachment.filename, data) == ("<img src=x onerror=alert(1)>.pdf", b"hello")
    forwarded = attachment_content(MIXED, 2)
    assert forwarded is not None
    assert forwarded[1] == b"Subject: forwarded\n\ninner body"
    assert attachment_content(MIXED, 0) is None  # the text body is not an attachment
    assert attachment_content(MIXED, 9) is None


def _assert_displayable(parts: MessageParts) -> None:
    strings = [
        *(s for field in parts.headers for s in field),
        parts.text or "",
        parts.html or "",
        *(a.filename or "" for a in parts.attachments),
        *parts.problems,
    ]
    for value in strings:
        value.encode("utf-8")  # raises on a lone surrogate


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_without_failing(raw: bytes) -> None:
    _assert_displayable(read_parts(raw))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"Content-Type: multipart/mixed; boundary=z\r\n",
                b'Content-Type: text/html; charset="\xff"\r\n',
                b"Content-Disposition: attachment; filename*=bogus''%zz\r\n",
                b"Content-Transfer-Encoding: quoted-printable\r\n",
                b"Subject: =?x-bad?Q?=FF?= =?utf-8?B?////?=\r\n",
                b"\r\n",
                b"--z\r\n",
                b"--z--\r\n",
                b"=\xff=\r\n",
                b"From: <<@>>\r\n",
            ]
        ),
        max_size=30,
    )
)
def test_mime_shaped_garbage_is_read_without_failing(lines: list[bytes]) -> None:
    raw = b"".join(lines)
    parts = read_parts(raw)
    _assert_displayable(parts)
    for attachment in parts.attachments:
        assert attachment_content(raw, attachment.index) is not None


@pytest.mark.parametrize(
    "charset",
    [
        "hex",
        "rot13",
        "base64",
        "uu",
        "idna",
        "punycode",
        "undefined",
        "utf-8\x00",
        "unicode_escape",
    ],
)
def test_charsets_that_are_not_text_encodings_are_read_as_utf8(charset: str) -> None:
    raw = (
        f'Content-Type: text/plain; charset="{charset}"\r\n'
        f"Subject: =?{charset}?Q?ab=FFc?= tail\r\n\r\n"
        "caf\u00e9 \\ud800"
    ).encode()
    parts = read_parts(raw)
    assert parts.text is not None
    assert parts.text.startswith("caf")
    assert parts.headers[1][0] == "Subject"
    assert parts.headers[1][1].endswith("tail")
    _assert_displayable(parts)


PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def related(html: str, *parts: tuple[str, str, bytes]) -> bytes:
    """A multipart/related message: ``html``, then (Content-ID, type, bytes) parts."""
    lines = [
        "From: app@example.com",
        "MIME-Version: 1.0",
        'Content-Type: multipart/related; boundary="rel"',
        "",
        "--rel",
        "Content-Type: text/html; charset=utf-8",
        "",
        html,
    ]
    for content_id, kind, data in parts:
        lines += [
            "--rel",
            f"Content-Type: {kind}",
            "Content-Transfer-Encoding: base64",
            f"Content-ID: {content_id}",
            "",
            base64.b64encode(data).decode(),
        ]
    return crlf(*lines, "--rel--", "")


INLINE_PNG = f"data:image/png;base64,{base64.b64encode(PIXEL).decode()}"


@pytest.mark.parametrize(
    ("html", "parts", "shown"),
    [
        pytest.param(
            '<img src="cid:logo@app">',
            [("<logo@app>", "image/png", PIXEL)],
            f'<img src="{INLINE_PNG}">',
            id="image",
        ),
        pytest.param(
            "<img src='CID:a%20b@app'>",
            [("<a b@app>", "image/png", PIXEL)],
            f"<img src='{INLINE_PNG}'>",
            id="url-encoded-and-upper-case",
        ),
        pytest.param(
            '<img src="cid:missing@app">',
            [("<logo@app>", "image/png", PIXEL)],
            '<img src="cid:missing@app">',
            id="names-nothing",
        ),
        pytest.param(
            '<a href="cid:doc@app">doc</a>',
            [("<doc@app>", "text/html", b"<script>alert(1)</script>")],
            '<a href="cid:doc@app">doc</a>',
            id="not-an-image",
        ),
        pytest.param(
            '<img src="cid:x@app">',
            [("<x@app>", 'image/png"onerror="alert(1)', PIXEL)],
            '<img src="cid:x@app">',
            id="hostile-type-is-no-image-type",
        ),
    ],
)
def test_cid_images_are_put_in_as_data_urls(
    html: str, parts: list[tuple[str, str, bytes]], shown: str
) -> None:
    assert html_with_inline_images(related(html, *parts)) == shown


def test_inline_images_stop_at_the_limit() -> None:
    raw = related(
        '<img src="cid:a@x"><img src="cid:b@x">',
        ("<a@x>", "image/png", PIXEL),
        ("<b@x>", "image/png", PIXEL),
    )
    shown = html_with_inline_images(raw, limit=len(PIXEL))
    assert shown is not None
    assert shown.count("data:image/png") == 1
    assert 'src="cid:b@x"' in shown


def test_a_message_without_html_has_no_html_to_show() -> None:
    assert html_with_inline_images(b"From: a@example.com\r\n\r\ntext\r\n") is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_inline_images_never_fail(raw: bytes) -> None:
    html_with_inline_images(raw)
