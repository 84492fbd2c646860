"""The header section of a raw message, read and edited without re-serializing anything else.

SES takes a raw message (``SendRawEmail``, v2 ``Content.Raw``, SMTP ``DATA``) as a header and a
body separated by a blank line. It reads the control headers ``X-SES-SOURCE-ARN``,
``X-SES-FROM-ARN``, ``X-SES-RETURN-PATH-ARN``, ``X-SES-CONFIGURATION-SET`` and
``X-SES-MESSAGE-TAGS`` (the first occurrence of each counts) and removes every occurrence before
delivery, and nothing else (spec 2.3, A15); it overwrites ``Message-ID`` and ``Date`` (spec 6.1).
Its observed rejections are ``InvalidParameterValue`` with ``Illegal header '<name>'.`` (the text
before the first colon of a line that is not a header field, for instance a body line when the
blank line is missing; we show at most 200 characters), ``Empty header names are illegal.`` and
``Missing required header 'From'.`` (what an empty header section produces);
``MalformedMessage.reason`` carries these.
Decisions where SES is silent: lines end in CRLF or a bare LF (a lone CR is data); a line of
white space only continues the previous field; a message with no blank line at all is refused
with ``Message must contain a header and a body, separated by a blank line.`` (the API
documentation's own requirement); header values are decoded as UTF-8 when valid and as Latin-1
otherwise, so reading never fails; a replacement field uses the line ending of the message's
first line. We also remove ``Bcc:`` before delivery (``STRIPPED_BEFORE_DELIVERY``): SES
documents nothing, but clients built for it leave the header in because SES strips it (the
nodemailer SES transport says so), and RFC 5322 section 3.6.3 allows the server to do it; its
addresses remain recipients when no explicit destinations are given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openses.domain.mail.addresses import Mailbox, parse_addresses
from openses.domain.mail.rfc2047 import decode_words

CONTROL_HEADERS = (
    "X-SES-SOURCE-ARN",
    "X-SES-FROM-ARN",
    "X-SES-RETURN-PATH-ARN",
    "X-SES-CONFIGURATION-SET",
    "X-SES-MESSAGE-TAGS",
)
STRIPPED_BEFORE_DELIVERY = (*CONTROL_HEADERS, "Bcc")
RECIPIENT_HEADERS = ("To", "Cc", "Bcc")

NO_SEPARATOR = "Message must contain a header and a body, separated by a blank line."
EMPTY_HEADER_NAME = "Empty header names are illegal."
NO_HEADER = "Missing required header 'From'."
_SHOWN = 200  # at most this many characters of an offending line go into a reason

_NAME = re.compile(rb"[!-9;-~]+")
_UNFOLD = re.compile(rb"\r?\n(?=[ \t])")


class MalformedMessage(ValueError):
    """A raw message SES would refuse; ``str()`` is the reason (``InvalidParameterValue``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@dataclass(frozen=True, slots=True)
class HeaderField:
    name: str  # as written, without trailing white space
    raw: bytes  # the exact bytes: name, colon, value, continuation lines and line endings
    start: int  # offset of ``raw`` in the message

    @property
    def end(self) -> int:
        return self.start + len(self.raw)

    @property
    def value(self) -> str:
        """The unfolded value without surrounding white space."""
        body = self.raw.split(b":", 1)[1]
        return _text(_UNFOLD.sub(b"", body)).strip(" \t\r\n")


@dataclass(frozen=True, slots=True)
class RawMessage:
    data: bytes
    fields: tuple[HeaderField, ...]
    body_offset: int  # where the body starts, just after the blank line
    newline: bytes  # the line ending of the first header line

    @classmethod
    def parse(cls, data: bytes) -> RawMessage:
        """Split ``data`` into header fields; raises ``MalformedMessage``."""
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
                return cls(data, tuple(fields), end, newline)
            if content[:1] in (b" ", b"\t"):
                if not fields:
                    raise MalformedMessage(_illegal(content))
                last = fields[-1]
                fields[-1] = HeaderField(last.name, last.raw + line, last.start)
            else:
                fields.append(HeaderField(_field_name(content), line, pos))
            pos = end
        raise MalformedMessage(NO_HEADER if not fields else NO_SEPARATOR)

    @property
    def header(self) -> bytes:
        """The header section, blank line included."""
        return self.data[: self.body_offset]

    @property
    def body(self) -> bytes:
        return self.data[self.body_offset :]

    def all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [field.value for field in self.fields if field.name.lower() == wanted]

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def has(self, name: str) -> bool:
        return self.first(name) is not None

    def without(self, names: Iterable[str]) -> bytes:
        """The message bytes with every occurrence of the named fields cut out."""
        unwanted = {name.lower() for name in names}
        kept = [field.raw for field in self.fields if field.name.lower() not in unwanted]
        return b"".join(kept) + self.data[self.fields[-1].end :]

    def dropping(self, names: Iterable[str]) -> RawMessage:
        """:meth:`without`, kept parsed: the same message minus the named fields, without
        reading it again (a message left with no header field is read again, and refused)."""
        unwanted = {name.lower() for name in names}
        if not any(field.name.lower() in unwanted for field in self.fields):
            return self
        kept: list[HeaderField] = []
        offset = 0
        for field in self.fields:
            if field.name.lower() not in unwanted:
                kept.append(HeaderField(field.name, field.raw, offset))
                offset += len(field.raw)
        data = self.without(unwanted)
        if not kept:
            return RawMessage.parse(data)
        return RawMessage(
            data, tuple(kept), offset + self.body_offset - self.fields[-1].end, self.newline
        )

    def with_replaced(self, name: str, value: str) -> bytes:
        """The message with ``name: value`` where the first ``name`` was, other ones removed.

        The field is put at the top when the message has none. ``value`` must be one line of
        printable ASCII.
        """
        return self.with_fields({name: value})

    def with_fields(self, fields: Mapping[str, str]) -> bytes:
        """:meth:`with_replaced` for several fields in one pass; fields the message lacks are
        put at the top, in the order given."""
        lines: dict[str, bytes] = {}
        for name, value in fields.items():
            if not (name.isascii() and _NAME.fullmatch(name.encode("ascii"))) or not (
                value.isascii() and value.isprintable()
            ):
                raise ValueError(f"not a one-line ASCII header field: {name!r}: {value!r}")
            lines[name.lower()] = f"{name}: {value}".encode("ascii") + self.newline
        out: list[bytes] = []
        placed: set[str] = set()
        for field in self.fields:
            wanted = field.name.lower()
            if wanted not in lines:
                out.append(field.raw)
            elif wanted not in placed:
                out.append(lines[wanted])
                placed.add(wanted)
        missing = [line for wanted, line in lines.items() if wanted not in placed]
        return b"".join(missing + out) + self.data[self.fields[-1].end :]

    def subject(self) -> str | None:
        """The first ``Subject:``, RFC 2047-decoded, for display."""
        subject = self.first("Subject")
        return None if subject is None else decode_words(subject)

    def mailboxes(self, name: str) -> list[Mailbox]:
        """The mailboxes of every ``name`` field, in order; raises ``InvalidAddress``."""
        return parse_addresses(self.all(name))


def _illegal(content: bytes) -> str:
    return f"Illegal header '{content[:_SHOWN].decode('latin-1')}'."


def _field_name(content: bytes) -> str:
    colon = content.find(b":")
    if colon == 0:
        raise MalformedMessage(EMPTY_HEADER_NAME)
    if colon < 0:
        raise MalformedMessage(_illegal(content))
    name = content[:colon].rstrip(b" \t")
    if not _NAME.fullmatch(name):
        raise MalformedMessage(_illegal(content[:colon]))
    return name.decode("ascii")


def raw_message_problem(data: bytes) -> str | None:
    """Why SES would refuse ``data`` as a raw message's header section, or ``None``."""
    try:
        RawMessage.parse(data)
    except MalformedMessage as error:
        return error.reason
    return None


@dataclass(frozen=True, slots=True)
class ControlHeaders:
    """The first occurrence of each SES control header (``None`` when absent, text as given)."""

    source_arn: str | None = None
    from_arn: str | None = None
    return_path_arn: str | None = None
    configuration_set: str | None = None
    message_tags: str | None = None


def control_arns(message: RawMessage) -> ControlHeaders:
    source, from_, return_path, configuration_set, tags = (
        message.first(name) for name in CONTROL_HEADERS
    )
    return ControlHeaders(source, from_, return_path, configuration_set, tags)


def raw_recipients(message: RawMessage) -> list[Mailbox]:
    """The To, Cc and Bcc mailboxes (for a raw send without explicit destinations)."""
    return [mailbox for name in RECIPIENT_HEADERS for mailbox in message.mailboxes(name)]
