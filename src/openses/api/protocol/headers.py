"""HTTP header values of REST members: scalars, comma-separated lists, base64 JSON values.

A list travels as ``a,"b,c"``: items containing ``,`` or ``"`` are double-quoted with ``\\"``
inside, as botocore writes them. A string member with the ``jsonvalue`` trait carries any
JSON value, base64-encoded. Timestamps are written in RFC 822 (unless the member says
otherwise) and read in any AWS format.
"""

from __future__ import annotations

import json
from typing import Any

from openses.api.protocol.scalars import (
    RFC822,
    ScalarError,
    decode_base64,
    encode_base64,
    format_text,
    parse_text,
)
from openses.api.protocol.shapes import Shape, is_list


def is_json_value(shape: Shape) -> bool:
    return shape.type_name == "string" and bool(shape.serialization.get("jsonvalue"))


def parse_header(shape: Shape, text: str) -> Any:
    """The member's value from its header text; :class:`ScalarError` if unreadable."""
    if is_list(shape):
        return [parse_text(shape.member, item) for item in split_header_list(text)]
    if is_json_value(shape):
        try:
            return json.loads(decode_base64(text))
        except ValueError as error:
            raise ScalarError("json") from error
    return parse_text(shape, text.strip())


def format_header(shape: Shape, value: Any) -> str:
    if is_list(shape):
        return ",".join(_quote(format_header(shape.member, item)) for item in value)
    if is_json_value(shape):
        return encode_base64(json.dumps(value, separators=(",", ":")))
    return format_text(shape, value, RFC822)


def split_header_list(text: str) -> list[str]:
    """Comma-separated header items; ``"…"`` quotes an item (``\\"`` inside it)."""
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def _quote(text: str) -> str:
    if '"' in text or "," in text:
        return '"' + text.replace('"', '\\"') + '"'
    return text
