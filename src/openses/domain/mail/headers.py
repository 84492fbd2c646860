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
from dataclasses import dataclass, field

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
_NAME_TEXT = re.compile(r"[!-9;-~]+")  # the same, over text (no other character matches)
_UNFOLD = re.compile(rb"\r?\n(?=[ \t])")
# The fast reading of a header section (what the line-by-line reading accepts, read by two
# regular expressions): a run of fields, each a name, optional blanks, a colon and the rest of
# its line, then its continuation lines (lines that start with a blank), followed by the blank
# line. A section that is anything else is read line by line, which finds the fault. The
# quantifiers are possessive: no shorter reading could succeed where the longest failed, so
# a failure costs one pass, never a backtracking search. A name longer than a line may be
# (998 characters, RFC 5322 section 2.1.1) or a line longer than 8 KiB is also left to the
# line-by-line reading, so that text that is no header at all is never scanned at length twice.
_FIELD_TEXT = rb"([!-9;-~]{1,998}+)[ \t]*+:[^\n]{0,8192}+\n(?:[ \t][^\n]{0,8192}+\n)*+"
_FIELDS = re.compile(rb"(?:" + _FIELD_TEXT + rb")++(?=\r?\n)")
_FIELD = re.compile(rb"(" + _FIELD_TEXT + rb")")
_CONTROL_KEYS = tuple(name.lower() for name in CONTROL_HEADERS)


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


def _field_value(raw: bytes) -> str:
    """The unfolded value of a field's exact bytes, without surrounding white space."""
    body = raw.split(b":", 1)[1]
    newline = body.find(b"\n")
    if 0 <= newline < len(body) - 1:  # a line break inside: maybe continuation lines
        body = _UNFOLD.sub(b"", body)
    return _text(body).strip(" \t\r\n")


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
        return _field_value(self.raw)


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A message split into its header fields (kept as their exact bytes) and its body.

    The fields are ``raws`` (each field's bytes, in order, one after the other from offset 0)
    and ``keys`` (their names lower-cased, for lookups); :attr:`fields` gives them as
    :class:`HeaderField` values.
    """

    data: bytes
    raws: tuple[bytes, ...]
    keys: tuple[str, ...]
    body_offset: int  # where the body starts, just after the blank line
    newline: bytes  # the line ending of the first header line
    _fields: tuple[HeaderField, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def parse(cls, data: bytes) -> RawMessage:
        """Split ``data`` into header fields; raises ``MalformedMessage``."""
        block = _FIELDS.match(data)  # stops at the first line that is not part of a field
        if block is None:
            return cls._parse_lines(data)
        end = block.end()  # the blank line starts here
        raws, names = zip(*_FIELD.findall(data, 0, end), strict=True)
        keys = b"\n".join(names).lower().decode("ascii").split("\n")
        newline = b"\r\n" if data[data.find(b"\n") - 1] == 13 else b"\n"
        return cls(data, raws, tuple(keys), end + (2 if data[end] == 13 else 1), newline)

    @classmethod
    def _parse_lines(cls, data: bytes) -> RawMessage:
        """The reading line by line: every message, well formed or not (the reference)."""
        raws: list[bytes] = []
        keys: list[str] = []
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
                if not raws:
                    raise MalformedMessage(NO_HEADER)
                return cls(data, tuple(raws), tuple(keys), end, newline)
            if content[:1] in (b" ", b"\t"):
                if not raws:
                    raise MalformedMessage(_illegal(content))
                raws[-1] += line
            else:
                keys.append(_field_name(content).lower())
                raws.append(line)
            pos = end
        raise MalformedMessage(NO_HEADER if not raws else NO_SEPARATOR)

    @property
    def fields(self) -> tuple[HeaderField, ...]:
        """The header fields in order, with their names as written and their offsets."""
        fields = self._fields
        if fields is None:
            made: list[HeaderField] = []
            start = 0
            for raw in self.raws:
                name = raw[: raw.index(b":")].rstrip(b" \t").decode("ascii")
                made.append(HeaderField(name, raw, start))
                start += len(raw)
            fields = tuple(made)
            object.__setattr__(self, "_fields", fields)
        return fields

    @property
    def header_end(self) -> int:
        """Where the last field ends: the blank line follows."""
        blank = 2 if self.data[self.body_offset - 2] == 13 else 1
        return self.body_offset - blank

    @property
    def header(self) -> bytes:
        """The header section, blank line included."""
        return self.data[: self.body_offset]

    @property
    def body(self) -> bytes:
        return self.data[self.body_offset :]

    def all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [
            _field_value(raw)
            for raw, key in zip(self.raws, self.keys, strict=True)
            if key == wanted
        ]

    def first(self, name: str) -> str | None:
        keys = self.keys
        wanted = name.lower()
        if wanted not in keys:
            return None
        return _field_value(self.raws[keys.index(wanted)])

    def has(self, name: str) -> bool:
        return name.lower() in self.keys

    def without(self, names: Iterable[str]) -> bytes:
        """The message bytes with every occurrence of the named fields cut out."""
        unwanted = {name.lower() for name in names}
        kept = [raw for raw, key in zip(self.raws, self.keys, strict=True) if key not in unwanted]
        return b"".join(kept) + self.data[self.header_end :]

    def dropping(self, names: Iterable[str]) -> RawMessage:
        """:meth:`without`, kept parsed: the same message minus the named fields, without
        reading it again (a message left with no header field is read again, and refused)."""
        unwanted = {name.lower() for name in names}
        if unwanted.isdisjoint(self.keys):
            return self
        raws: list[bytes] = []
        keys: list[str] = []
        for raw, key in zip(self.raws, self.keys, strict=True):
            if key not in unwanted:
                raws.append(raw)
                keys.append(key)
        header = b"".join(raws)
        end = self.header_end
        data = header + self.data[end:]
        if not raws:
            return RawMessage.parse(data)
        offset = len(header) + self.body_offset - end
        return RawMessage(data, tuple(raws), tuple(keys), offset, self.newline)

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
            if not _NAME_TEXT.fullmatch(name) or not (value.isascii() and value.isprintable()):
                raise ValueError(f"not a one-line ASCII header field: {name!r}: {value!r}")
            lines[name.lower()] = f"{name}: {value}".encode("ascii") + self.newline
        keys = self.keys
        out = [line for wanted, line in lines.items() if wanted not in keys]
        if len(out) == len(lines):  # nothing to replace: the new fields go on top
            out.append(self.data)
            return b"".join(out)
        placed: set[str] = set()
        for raw, key in zip(self.raws, keys, strict=True):
            if key not in lines:
                out.append(raw)
            elif key not in placed:
                out.append(lines[key])
                placed.add(key)
        out.append(self.data[self.header_end :])
        return b"".join(out)

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


_NO_CONTROL_HEADERS = ControlHeaders()


def control_arns(message: RawMessage) -> ControlHeaders:
    if not any(key.startswith("x-ses-") for key in message.keys):
        return _NO_CONTROL_HEADERS
    source, from_, return_path, configuration_set, tags = (
        message.first(name) for name in _CONTROL_KEYS
    )
    return ControlHeaders(source, from_, return_path, configuration_set, tags)


def raw_recipients(message: RawMessage) -> list[Mailbox]:
    """The To, Cc and Bcc mailboxes (for a raw send without explicit destinations)."""
    return [mailbox for name in RECIPIENT_HEADERS for mailbox in message.mailboxes(name)]
