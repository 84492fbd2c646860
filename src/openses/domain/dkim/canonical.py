"""DKIM's "relaxed" canonicalisation of header fields and of the body (RFC 6376 §3.4.2, §3.4.4).

A message is read as bytes with CRLF line endings (:func:`crlf` turns bare LFs into CRLFs first,
which is what an SMTP client sends on the wire anyway). :func:`split_message` cuts it into its
header fields, kept byte for byte with their folding, and its body. Nothing here decodes text:
canonical forms are bytes, as the signature covers bytes.

Relaxed header canonicalisation lower-cases the field name, unfolds the value, turns every run of
spaces and tabs into one space and removes white space around the colon and at the ends of the
value. Relaxed body canonicalisation turns every run of spaces and tabs into one space, removes
white space at the ends of lines and empty lines at the end of the body, and ends a non-empty
body with one CRLF; an empty body canonicalises to nothing (RFC 6376 errata 3192).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WSP_RUN = re.compile(rb"[ \t]+")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_UNFOLD = re.compile(rb"\r\n(?=[ \t])")
_FIELD_END = re.compile(rb"\r\n(?![ \t])")  # a line break that does not start a continuation
_HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True, slots=True)
class HeaderField:
    """One header field as it appears in the message: ``name`` (as written, without the colon)
    and ``value`` (everything after the colon, folding included, without the final CRLF)."""

    name: bytes
    value: bytes

    @property
    def key(self) -> bytes:
        """The name as compared: lower case, without white space before the colon."""
        return self.name.rstrip(b" \t").lower()


def crlf(raw: bytes) -> bytes:
    """``raw`` with every bare LF turned into CRLF (unchanged when it has none)."""
    if raw.count(b"\n") == raw.count(b"\r\n"):
        return raw
    return _BARE_LF.sub(b"\r\n", raw)


def split_message(message: bytes) -> tuple[list[HeaderField], bytes]:
    """The header fields and the body of a CRLF message.

    The header section ends at the first empty line; a message without one is all header and
    has no body. A line that is not a field and not a continuation (it has no colon) is skipped:
    it can never be one of the fields a signature names.
    """
    if message.startswith(b"\r\n"):
        return [], message[2:]
    end = message.find(_HEADER_END)
    if end < 0:
        head, body = message, b""
        if head.endswith(b"\r\n"):
            head = head[:-2]
    else:
        head, body = message[:end], message[end + 4 :]
    fields: list[HeaderField] = []
    for line in _FIELD_END.split(head):
        name, colon, value = line.partition(b":")
        if colon and name:
            fields.append(HeaderField(name, value))
    return fields, body


def relaxed_header(field: HeaderField) -> bytes:
    """``name:value`` CRLF in relaxed form."""
    value = _WSP_RUN.sub(b" ", _UNFOLD.sub(b"", field.value)).strip(b" ")
    return field.key + b":" + value + b"\r\n"


def relaxed_body(body: bytes) -> bytes:
    """The body in relaxed form (``b""`` for an empty body or one of empty lines only)."""
    if not body:
        return b""
    # Plain byte replacements (a regular expression is several times slower on a large body).
    canonical = body.replace(b"\t", b" ") if b"\t" in body else body
    while b"  " in canonical:
        canonical = canonical.replace(b"  ", b" ")
    canonical = canonical.replace(b" \r\n", b"\r\n").rstrip(b" ")
    end = len(canonical)
    while canonical.endswith(b"\r\n", 0, end):
        end -= 2
    return canonical[:end] + b"\r\n" if end else b""
