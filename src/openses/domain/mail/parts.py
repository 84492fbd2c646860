"""What a stored message shows a reader: its header fields, its text and HTML bodies, its
attachments, and what was wrong with it — read from the raw bytes without ever failing.

The capture outbox's web inbox (``api/inbox*.py``) shows messages that application code, or
anyone who can send, wrote: the bytes are untrusted and may be malformed. Reading uses the
standard library's ``email`` package with ``policy.default``, and every step that can fail on
bad input (a header the parser chokes on, an unknown charset, a part nested beyond reason) is
caught and reported in ``problems``, so a reader always gets whatever could be read.

Decisions: a body is the part ``EmailMessage.get_body`` picks (``plain`` for the text, ``html``
for the HTML); every other leaf part is listed as an attachment, numbered by its position among
the message's leaf parts in document order (``message/*`` parts are leaves: a forwarded message
is one attachment). Text declared in no charset is read as UTF-8 when valid, else Latin-1; a
declared charset Python does not know is read as UTF-8 with replacement characters. A message
declared multipart whose body could not be split into parts shows its body as text. Every string
returned is valid Unicode (bytes that are not are replaced), ready to be escaped and encoded.

:func:`html_with_inline_images` is the HTML body as a reader sees it: images the message carries
as parts and references by ``cid:`` (RFC 2392) are put in as ``data:`` URLs, so the body needs
nothing from outside itself to show them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import TypeVar
from urllib.parse import unquote

from openses.domain.mail.rfc2047 import decode_words

T = TypeVar("T")
MAX_DEPTH = 50  # multipart nesting beyond this is not descended into (and is reported)
MAX_INLINE_IMAGE_BYTES = 10 * 1024 * 1024  # images put into one HTML body, in all
_CID_URL = re.compile(r"cid:([^\s\"'<>()]+)", re.IGNORECASE)
_IMAGE_TYPE = re.compile(r"image/[a-z0-9.+-]+")


@dataclass(frozen=True, slots=True)
class Attachment:
    index: int  # position among the message's leaf parts: the same bytes give the same index
    filename: str | None
    content_type: str
    size: int  # decoded bytes


@dataclass(frozen=True, slots=True)
class MessageParts:
    headers: tuple[tuple[str, str], ...]  # (name, decoded value), in message order
    text: str | None
    html: str | None
    attachments: tuple[Attachment, ...]
    problems: tuple[str, ...]  # what could not be read, and the parser's defects


def _clean(text: str) -> str:
    """``text`` as valid Unicode: the parser keeps undecodable bytes as lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # a surrogate no byte stands for (a decoder produced it)
            return text.encode("utf-8", "replace").decode("utf-8")
    return text


class _Reader:
    """One reading of one message, collecting what went wrong along the way."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attempt(self, what: str, step: Callable[..., T], default: T, *args: object) -> T:
        try:
            return step(*args)
        except Exception as error:  # malformed input must never stop the reading
            self.problems.append(f"{what}: {type(error).__name__}")
            return default

    def parse(self, raw: bytes) -> EmailMessage | None:
        parser = BytesParser(_class=EmailMessage, policy=policy.default)
        parsed = self.attempt(
            "the message could not be parsed", lambda: parser.parsebytes(raw), None
        )
        return parsed if isinstance(parsed, EmailMessage) else None

    def header_fields(self, part: Message) -> tuple[tuple[str, str], ...]:
        fields: list[tuple[str, str]] = []
        for name, value in part.raw_items():
            shown: str | None = self.attempt(
                f"header {_clean(name)!r} could not be decoded",
                _header_text,
                None,
                part,
                name,
                value,
            )
            if shown is None:
                unfolded = " ".join(str(value).split())
                shown = self.attempt("", decode_words, unfolded, unfolded)
            fields.append((_clean(name), _clean(shown)))
        return tuple(fields)

    def leaves(self, part: Message, depth: int = 0) -> Iterator[Message]:
        """The leaf parts in document order; ``message/*`` parts are leaves."""
        children = part.get_payload() if part.is_multipart() else None
        if not isinstance(children, list) or part.get_content_maintype() == "message":
            yield part
            return
        if depth >= MAX_DEPTH:
            self.problems.append(f"parts nested deeper than {MAX_DEPTH} levels are not shown")
            return
        for child in children:
            if isinstance(child, Message):
                yield from self.leaves(child, depth + 1)

    def body(self, message: EmailMessage, kind: str) -> Message | None:
        return self.attempt(
            f"the {kind} body could not be found",
            lambda: message.get_body(preferencelist=(kind,)),
            None,
        )

    def content_type(self, part: Message) -> str:
        return self.attempt("a Content-Type could not be read", part.get_content_type, "")

    def payload(self, part: Message) -> bytes:
        """The decoded bytes of a leaf part (a ``message/*`` part: the message it holds)."""
        inner = part.get_payload() if part.is_multipart() else None
        if isinstance(inner, list):
            return b"".join(
                self.attempt("an attached message could not be read", m.as_bytes, b"")
                for m in inner
                if isinstance(m, Message)
            )
        data = self.attempt("a part's content could not be decoded", _decoded, b"", part)
        return data

    def text(self, part: Message) -> str:
        data = self.payload(part)
        charset = self.attempt("a charset could not be read", part.get_content_charset, None)
        if charset is None:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data.decode("latin-1")
        try:
            return _clean(data.decode(charset, "replace"))
        except (LookupError, UnicodeError, ValueError):  # unknown, or not a text encoding
            self.problems.append(f"unknown charset {_clean(charset)!r}: read as UTF-8")
            return data.decode("utf-8", "replace")

    def filename(self, part: Message) -> str | None:
        name = self.attempt("a file name could not be read", part.get_filename, None)
        return None if name is None else _clean(str(name))

    def defects(self, parts: list[Message]) -> None:
        for part in parts:
            for defect in getattr(part, "defects", ()):
                detail = str(defect)
                name = type(defect).__name__
                self.problems.append(_clean(f"{name}: {detail}" if detail else name))


def _header_text(part: Message, name: str, value: str) -> str:
    return str(part.policy.header_fetch_parse(name, value))


def _decoded(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _all_parts(part: Message, depth: int = 0) -> list[Message]:
    found = [part]
    children = part.get_payload() if part.is_multipart() else None
    if isinstance(children, list) and depth < MAX_DEPTH:
        for child in children:
            if isinstance(child, Message):
                found.extend(_all_parts(child, depth + 1))
    return found


def _reading(raw: bytes) -> tuple[MessageParts, list[Message]]:
    """The parts of ``raw`` and its leaf parts (``MessageParts.attachments`` index these)."""
    reader = _Reader()
    message = reader.parse(raw)
    if message is None:
        fallback = _clean(raw.decode("utf-8", "replace"))
        return MessageParts((), fallback, None, (), tuple(reader.problems)), []
    leaves: list[Message] = reader.attempt(
        "the parts could not be listed", lambda: list(reader.leaves(message)), []
    )
    headers = reader.header_fields(message)
    text_part = reader.body(message, "plain")
    html_part = reader.body(message, "html")
    text = None if text_part is None else reader.text(text_part)
    html = None if html_part is None else reader.text(html_part)
    broken = reader.content_type(message).startswith("multipart/") and not message.is_multipart()
    if text is None and html is None and broken:
        text = reader.text(message)  # a multipart without parts: show what is there
    attachments = tuple(
        Attachment(
            index, reader.filename(part), reader.content_type(part), len(reader.payload(part))
        )
        for index, part in enumerate(leaves)
        if part is not text_part and part is not html_part and not (broken and part is message)
    )
    reader.attempt(
        "the parser's defects could not be listed",
        lambda: reader.defects(_all_parts(message)),
        None,
    )
    problems = tuple(dict.fromkeys(reader.problems))
    return MessageParts(headers, text, html, attachments, problems), leaves


def read_parts(raw: bytes) -> MessageParts:
    """The readable parts of ``raw``; never raises."""
    return _reading(raw)[0]


def attachment_content(raw: bytes, index: int) -> tuple[Attachment, bytes] | None:
    """Attachment ``index`` of ``raw`` (as ``read_parts`` numbers them) and its decoded bytes;
    ``None`` when there is no such attachment. Never raises."""
    parts, leaves = _reading(raw)
    for attachment in parts.attachments:
        if attachment.index == index:
            return attachment, _Reader().payload(leaves[index])
    return None


def header_value(raw: bytes, name: str) -> str | None:
    """The first ``name`` field of ``raw``'s header section, decoded; never raises."""
    reader = _Reader()
    parser = BytesParser(_class=EmailMessage, policy=policy.default)
    message = reader.attempt("", lambda: parser.parsebytes(raw, headersonly=True), None)
    if not isinstance(message, EmailMessage):
        return None
    for field_name, value in reader.header_fields(message):
        if field_name.lower() == name.lower():
            return value
    return None


def html_with_inline_images(raw: bytes, limit: int = MAX_INLINE_IMAGE_BYTES) -> str | None:
    """The HTML body of ``raw`` (None: it has none) with every ``cid:`` URL that names an image
    part of the message replaced by that image as a ``data:`` URL, up to ``limit`` bytes of
    images in all (those beyond, and ``cid:`` URLs naming nothing, are left as written).
    Never raises."""
    parts, leaves = _reading(raw)
    if parts.html is None:
        return None
    reader = _Reader()
    images: dict[str, str] = {}
    used = 0
    for part in leaves:
        content_id = reader.attempt("", _content_id, None, part)
        kind = reader.content_type(part)
        if content_id is None or content_id in images or not _IMAGE_TYPE.fullmatch(kind):
            continue
        data = reader.payload(part)
        used += len(data)
        if used > limit:
            break
        images[content_id] = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
    if not images:
        return parts.html

    def inline(match: re.Match[str]) -> str:
        return images.get(unquote(match.group(1)), match.group(0))

    return _CID_URL.sub(inline, parts.html)


def _content_id(part: Message) -> str | None:
    """A part's Content-ID without its angle brackets (``<logo@x>`` → ``logo@x``)."""
    value = part.get("Content-ID")
    if value is None:
        return None
    found = str(value).strip().removeprefix("<").removesuffix(">").strip()
    return found or None
