"""The MIME message SES builds for a ``Simple`` send (v1 ``SendEmail``, v2 ``Content.Simple``).

SES turns a subject and a text and/or HTML body (each with an optional charset) into a message
with From, To, Cc and Reply-To headers (Bcc recipients only ever appear in the envelope), its
own ``Date`` (UTC acceptance time) and ``Message-ID``, ``MIME-Version: 1.0``, and either one
``text/*`` part or, when both bodies are given, ``multipart/alternative`` with the text part
first; v2 adds the request's custom ``Headers`` as given. SES does not document the bytes, so
these are our decisions: headers come in the order Date, From, Reply-To, To, Cc, Message-ID,
Subject, MIME-Version, custom headers, Content-Type, Content-Transfer-Encoding; lines end in
CRLF and headers are folded at white space before 78 characters; the charset defaults to
``UTF-8`` and is written as given; a subject or display name that is not printable ASCII becomes
RFC 2047 encoded-words (a subject with a word too long for one line too); bodies have their
line endings normalized to CRLF and are ``7bit`` when every byte is ASCII and every line is at
most 998 bytes, ``quoted-printable`` otherwise, and ``base64`` for a charset that is not
ASCII-compatible (UTF-16, say); a send with neither body gets an empty ``text/plain`` part; the
multipart boundary is ``=_`` and a SHA-256 digest of the message id and the encoded parts (a
string quoted-printable can never produce), so equal inputs give equal bytes. Nothing here
reads a clock or draws randomness: ``date`` and ``message_id`` are arguments.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from openses.domain.mail.addresses import Mailbox, mailbox_words
from openses.domain.mail.limits import custom_headers_problem
from openses.domain.mail.rfc2047 import encode_words, needs_encoding

DEFAULT_CHARSET = "UTF-8"
CRLF = "\r\n"
FOLD_AT = 78
MAX_LINE = 998

_CHARSET = re.compile(r"[A-Za-z0-9!#$%&'+^_`{}~.-]+")
_BCHAR = r"0-9A-Za-z'()+_,./:=?\-"
_BOUNDARY = re.compile(f"[{_BCHAR} ]{{0,69}}[{_BCHAR}]")


class ComposeError(ValueError):
    """Input SES would refuse when building the message; ``str()`` is the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Content:
    """SES's ``Content``: text and an optional charset name."""

    data: str
    charset: str | None = None


@dataclass(frozen=True, slots=True)
class _Part:
    content_type: str
    transfer_encoding: str
    body: bytes

    def header_lines(self) -> list[str]:
        return [
            f"Content-Type: {self.content_type}",
            f"Content-Transfer-Encoding: {self.transfer_encoding}",
        ]


def compose_simple(
    *,
    source: Mailbox,
    subject: Content,
    date: datetime,
    message_id: str,
    to: Sequence[Mailbox] = (),
    cc: Sequence[Mailbox] = (),
    reply_to: Sequence[Mailbox] = (),
    text: Content | None = None,
    html: Content | None = None,
    headers: Sequence[tuple[str, str]] = (),
    boundary: str | None = None,
) -> bytes:
    """The message bytes for a Simple send; raises ``ComposeError``.

    ``message_id`` is the whole header value (``<id@email.amazonses.com>``); ``date`` is the
    acceptance time (a naive value is taken as UTC); ``boundary`` overrides the derived one.
    """
    if not (message_id.isascii() and message_id.isprintable()):
        raise ComposeError("The Message-ID must be printable ASCII.")
    problem = custom_headers_problem(headers)
    if problem is not None:
        raise ComposeError(problem)
    when = date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)
    lines = [
        f"Date: {format_datetime(when)}",
        _address_field("From", [source]),
    ]
    for name, mailboxes in (("Reply-To", reply_to), ("To", to), ("Cc", cc)):
        if mailboxes:
            lines.append(_address_field(name, mailboxes))
    lines.append(f"Message-ID: {message_id}")
    lines.append(_subject_field(subject))
    lines.append("MIME-Version: 1.0")
    lines.extend(f"{name}: {value}" for name, value in headers)

    parts = [_part("plain", text)] if text is not None else []
    if html is not None:
        parts.append(_part("html", html))
    if not parts:
        parts.append(_part("plain", Content("")))
    if len(parts) == 1:
        lines.extend(parts[0].header_lines())
        return (CRLF.join(lines) + CRLF + CRLF).encode("ascii") + parts[0].body

    chosen = _boundary(parts, message_id) if boundary is None else _given_boundary(boundary, parts)
    lines.append(f'Content-Type: multipart/alternative;{CRLF} boundary="{chosen}"')
    out = [(CRLF.join(lines) + CRLF + CRLF).encode("ascii")]
    for part in parts:
        out.append(f"--{chosen}{CRLF}".encode("ascii"))
        out.append((CRLF.join(part.header_lines()) + CRLF + CRLF).encode("ascii"))
        out.append(part.body + CRLF.encode("ascii"))
    out.append(f"--{chosen}--{CRLF}".encode("ascii"))
    return b"".join(out)


# ------------------------------------------------------------------------------ headers


def _fold(name: str, chunks: Sequence[str]) -> str:
    """``name:`` followed by ``chunks`` (each starting with white space), folded before 78."""
    lines: list[str] = []
    current = f"{name}:"
    for chunk in chunks:
        if len(current) + len(chunk) > FOLD_AT and current.strip(" \t") not in ("", f"{name}:"):
            lines.append(current)
            current = chunk
        else:
            current += chunk
    lines.append(current)
    if any(len(line) > MAX_LINE for line in lines):
        raise ComposeError(f"The {name} header has a line longer than {MAX_LINE} characters.")
    return CRLF.join(lines)


def _address_field(name: str, mailboxes: Sequence[Mailbox]) -> str:
    chunks: list[str] = []
    for index, mailbox in enumerate(mailboxes):
        words = mailbox_words(mailbox)
        if index < len(mailboxes) - 1:
            words[-1] += ","
        chunks.extend(" " + word for word in words)
    return _fold(name, chunks)


def _subject_field(subject: Content) -> str:
    value = subject.data
    if not needs_encoding(value):
        chunks: list[str] = []
        for chunk in re.findall(r"[ \t]+[^ \t]*", " " + value):
            if chunks and not chunk.strip(" \t"):
                chunks[-1] += chunk  # never leave a line of white space only
            else:
                chunks.append(chunk)
        if all(len("Subject:") + len(chunk) <= MAX_LINE for chunk in chunks):
            return _fold("Subject", chunks)
    charset = subject.charset or DEFAULT_CHARSET
    _check_charset(charset)
    try:
        words = encode_words(value, charset)
    except UnicodeEncodeError:
        raise ComposeError(f"The subject cannot be encoded in charset '{charset}'.") from None
    return _fold("Subject", [" " + word for word in words])


# ------------------------------------------------------------------------------ bodies


def _check_charset(charset: str) -> codecs.CodecInfo:
    if not _CHARSET.fullmatch(charset):
        raise ComposeError(f"Invalid charset '{charset}'.")
    try:
        return codecs.lookup(charset)
    except LookupError:
        raise ComposeError(f"Unsupported charset '{charset}'.") from None


def _part(subtype: str, content: Content) -> _Part:
    charset = content.charset or DEFAULT_CHARSET
    codec = _check_charset(charset)
    content_type = f"text/{subtype}; charset={charset}"
    text = re.sub(r"\r\n|\r", "\n", content.data)
    try:
        if codec.encode("\nA")[0] != b"\nA":  # not ASCII-compatible: base64 of CRLF lines
            data = codec.encode(text.replace("\n", CRLF))[0]
            encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
            return _Part(content_type, "base64", encoded)
        data = codec.encode(text)[0]
    except UnicodeEncodeError:
        raise ComposeError(
            f"The {subtype} body cannot be encoded in charset '{charset}'."
        ) from None
    lines = data.split(b"\n")
    if data.isascii() and b"\0" not in data and all(len(line) <= MAX_LINE for line in lines):
        return _Part(content_type, "7bit", b"\r\n".join(lines))
    encoded = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    return _Part(content_type, "quoted-printable", encoded.replace(b"\n", b"\r\n"))


def _collides(boundary: str, parts: Sequence[_Part]) -> bool:
    marker = f"--{boundary}".encode("ascii")
    return any(marker in part.body for part in parts)


def _boundary(parts: Sequence[_Part], message_id: str) -> str:
    digest = hashlib.sha256(message_id.encode("ascii"))
    for part in parts:
        digest.update(part.content_type.encode("ascii") + b"\0" + part.body + b"\0")
    salt = 0
    while True:
        candidate = "=_" + hashlib.sha256(digest.digest() + str(salt).encode()).hexdigest()[:40]
        if not _collides(candidate, parts):
            return candidate
        salt += 1


def _given_boundary(boundary: str, parts: Sequence[_Part]) -> str:
    if not _BOUNDARY.fullmatch(boundary):
        raise ComposeError(f"Invalid MIME boundary '{boundary}'.")
    if _collides(boundary, parts):
        raise ComposeError(f"The MIME boundary '{boundary}' occurs in the message body.")
    return boundary
