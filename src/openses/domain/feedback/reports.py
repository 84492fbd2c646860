"""The parts of a report message (RFC 6522 multipart/report), read without ever raising.

Delivery status notifications (RFC 3464) and feedback reports (RFC 5965) share a shape: a
human-readable part, a machine-readable part made of ``Name: value`` fields in blocks separated
by blank lines, and the original message or its headers (``message/rfc822``,
``text/rfc822-headers``). Real reports bend every rule, so reading here is lenient: the MIME
structure comes from the standard library's ``email`` parser in its compat32 mode (which
records defects instead of raising); parts are found by content type wherever they sit in the
multipart tree, without looking inside an enclosed message (a bounced bounce must not be read
as the bounce); field names are case-insensitive; folded values are unfolded (RFC 5322 2.2.3:
the line break goes, the white space stays); lines that are not fields are skipped; header
bytes that are not ASCII are read as UTF-8 when valid (RFC 6532) and replaced otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from openses.domain.feedback.return_path import (
    message_id_from_header,
    message_id_from_return_path,
)

Field = tuple[str, str]
Block = tuple[Field, ...]

ORIGINAL_TYPES = (
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/rfc822-headers",
    "text/global-headers",
    "message/global-headers",
)
_FIELD = re.compile(r"([!-9;-~]+)[ \t]*:(.*)", re.DOTALL)
_UNFOLD = re.compile(r"\r?\n(?=[ \t])")


def parse_message(data: bytes) -> Message | None:
    """The MIME tree of ``data``, or ``None`` if even the lenient parser gives up."""
    try:
        return BytesParser(policy=policy.compat32).parsebytes(data)
    except (ValueError, TypeError, LookupError, AttributeError, IndexError, RecursionError):
        return None


def clean(value: str) -> str:
    """A raw header value as text: undecodable bytes replaced, unfolded, trimmed."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _UNFOLD.sub("", value).strip(" \t\r\n")


def header_fields(message: Message) -> Block:
    """A message's header fields as (name, value), in order, values cleaned."""
    return tuple((name.strip(), clean(value)) for name, value in message.raw_items())


def parse_blocks(text: str) -> list[Block]:
    """``Name: value`` blocks separated by blank lines (white space only counts as blank)."""
    blocks: list[Block] = []
    current: list[tuple[str, list[str]]] = []

    def close() -> None:
        if current:
            blocks.append(tuple((name, clean("".join(raw))) for name, raw in current))
            current.clear()

    for line in re.split(r"\r\n|\n|\r", text):
        if not line.strip():
            close()
        elif line[:1] in (" ", "\t"):
            if current:
                current[-1][1].append(line)
        else:
            match = _FIELD.fullmatch(line)
            if match is not None:
                current.append((match.group(1), [match.group(2)]))
    close()
    return blocks


def parts(message: Message) -> Iterator[Message]:
    """Every part of the multipart tree, depth first; enclosed messages are not entered."""
    stack = [message]
    while stack:
        part = stack.pop()
        yield part
        if part.get_content_maintype() == "multipart":
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(p for p in reversed(payload) if isinstance(p, Message))


def find_part(message: Message, content_types: Sequence[str]) -> Message | None:
    for part in parts(message):
        if part.get_content_type() in content_types:
            return part
    return None


def part_text(part: Message) -> str:
    """A leaf part's text, its transfer encoding undone."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def field_blocks(part: Message) -> list[Block]:
    """The field blocks of a machine-readable part, however the parser stored it."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return parse_blocks(part_text(part))
    blocks: list[Block] = []
    for block in payload:
        if not isinstance(block, Message):
            continue
        fields = header_fields(block)
        if fields:
            blocks.append(fields)
        rest = block.get_payload(decode=True)  # bytes as received: 8-bit text survives
        if isinstance(rest, bytes) and rest.strip():
            blocks.extend(parse_blocks(rest.decode("utf-8", "replace")))
    return blocks


def first(fields: Sequence[Field], name: str) -> str | None:
    wanted = name.lower()
    for key, value in fields:
        if key.lower() == wanted:
            return value
    return None


def every(fields: Sequence[Field], name: str) -> tuple[str, ...]:
    wanted = name.lower()
    return tuple(value for key, value in fields if key.lower() == wanted)


def typed_value(value: str | None) -> tuple[str | None, str | None]:
    """``rfc822; a@b`` -> (``rfc822``, ``a@b``): the type (lower-cased) and the value."""
    if value is None:
        return None, None
    kind, separator, rest = value.partition(";")
    if separator and re.fullmatch(r"\s*[A-Za-z][\w.+-]*\s*", kind):
        return kind.strip().lower(), rest.strip() or None
    return None, value.strip() or None


def bare_address(value: str | None) -> str | None:
    """An address from ``<a@b>``, ``a@b (comment)``, ``rfc822; a@b``; ``None`` if empty."""
    _, text = typed_value(value)
    if not text:
        return None
    inside = re.search(r"<([^<>]*)>", text)
    candidate = (inside.group(1) if inside else re.sub(r"\([^()]*\)", " ", text)).strip()
    if re.fullmatch(r'"[^"]*"@\S+', candidate):
        return candidate  # a quoted local part keeps its spaces
    words = candidate.split()
    return next((word for word in words if "@" in word), words[0] if words else None)


def parse_date(value: str | None) -> datetime | None:
    """An RFC 5322 date (UTC when it names no zone), or ``None``."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


@dataclass(frozen=True, slots=True)
class OriginalHeaders:
    """The header fields of the message a report is about, as the report returned them."""

    fields: Block

    def get(self, name: str) -> str | None:
        return first(self.fields, name)

    @property
    def message_id(self) -> str | None:
        return self.get("Message-ID")

    @property
    def ses_message_id(self) -> str | None:
        """The SES MessageId in its ``Message-ID:`` (``<id@email.amazonses.com>``), if any."""
        value = self.message_id
        return message_id_from_header(value) if value else None

    @property
    def return_path(self) -> str | None:
        return bare_address(self.get("Return-Path"))

    @property
    def from_(self) -> str | None:
        return self.get("From")

    @property
    def to(self) -> tuple[str, ...]:
        return tuple(
            address for _, address in getaddresses(list(every(self.fields, "To"))) if address
        )

    @property
    def subject(self) -> str | None:
        return self.get("Subject")

    @property
    def date(self) -> str | None:
        return self.get("Date")


def reported_message_id(
    return_path_message_id: str | None, original: OriginalHeaders | None
) -> str | None:
    """The message of ours a report is about: the return path's id, else the returned
    original's ``Message-ID``."""
    if return_path_message_id is not None:
        return return_path_message_id
    return original.ses_message_id if original is not None else None


def original_headers(message: Message) -> OriginalHeaders | None:
    """The returned original message's headers, from whichever part carries them."""
    part = find_part(message, ORIGINAL_TYPES)
    if part is None:
        return None
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = next((item for item in payload if isinstance(item, Message)), None)
        fields = header_fields(inner) if inner is not None else ()
    else:
        blocks = parse_blocks(part_text(part))
        fields = blocks[0] if blocks else ()
    return OriginalHeaders(fields) if fields else None


@dataclass(frozen=True, slots=True)
class ReportProblem:
    """A report that could not be read as one, with whatever still ties it to a message."""

    reason: str
    return_path_message_id: str | None = None
    original: OriginalHeaders | None = None
    message_id: str | None = None  # the report's own Message-ID

    @property
    def ses_message_id(self) -> str | None:
        if self.return_path_message_id is not None:
            return self.return_path_message_id
        return self.original.ses_message_id if self.original is not None else None


def return_path_id(envelope_recipient: str | None, bounce_domain: str | None) -> str | None:
    """The message id a report's envelope recipient names, when both are known."""
    if envelope_recipient is None or bounce_domain is None:
        return None
    return message_id_from_return_path(envelope_recipient, bounce_domain)
