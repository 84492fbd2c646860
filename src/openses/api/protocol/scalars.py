"""Scalars and their text on the wire: form fields, URI labels, query strings, headers, XML.

Reading is strict about what AWS itself would refuse (``"5x"`` for an integer, broken base64,
an integer outside 32 bits) and raises :class:`ScalarError` naming the expected type; the
codecs turn that into a validation problem at the member's path. Timestamps are read in any
of the three AWS formats (ISO 8601, epoch seconds, RFC 822) whatever the member's declared
format, and always come back as timezone-aware UTC datetimes; they are written in the
format the protocol and the member's ``timestampFormat`` trait call for.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from openses.api.protocol.shapes import Shape

ISO8601 = "iso8601"
UNIX_TIMESTAMP = "unixtimestamp"
RFC822 = "rfc822"

_INTEGER = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_INTEGER_BITS = {"integer": 32, "long": 64}


class ScalarError(ValueError):
    """Wire text that does not read as the expected type (``expected`` is e.g. ``integer``)."""

    def __init__(self, expected: str) -> None:
        super().__init__(f"expected {expected}")
        self.expected = expected


def timestamp_format(shape: Shape, default: str) -> str:
    fmt = shape.serialization.get("timestampFormat")
    return str(fmt).lower() if fmt else default


def parse_timestamp(value: str | float) -> datetime:
    """An aware UTC datetime from epoch seconds (number or text), ISO 8601 or RFC 822 text."""
    if isinstance(value, bool):
        raise ScalarError("timestamp")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = value.strip()
    if _FLOAT.fullmatch(text):
        return _from_epoch(float(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as error:
            raise ScalarError("timestamp") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise ScalarError("timestamp")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise ScalarError("timestamp") from error


def format_timestamp(value: datetime | float, fmt: str) -> str | int | float:
    """``value`` in ``fmt``; naive datetimes are taken as UTC; epoch numbers are accepted."""
    if not isinstance(value, datetime):
        value = _from_epoch(float(value))
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if fmt == UNIX_TIMESTAMP:
        whole = int(value.replace(microsecond=0).timestamp())
        if value.microsecond == 0:
            return whole
        return (whole * 10**6 + value.microsecond) / 10**6
    if fmt == RFC822:
        return format_datetime(value.replace(microsecond=0), usegmt=True)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond % 1000:
        return f"{text}.{value.microsecond:06d}Z"
    if value.microsecond:
        return f"{text}.{value.microsecond // 1000:03d}Z"
    return f"{text}Z"


def parse_text(shape: Shape, text: str) -> Any:
    """The value of a scalar member from its text form (blobs are base64 text)."""
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in _INTEGER_BITS:
        if not _INTEGER.fullmatch(text):
            raise ScalarError(kind)
        return check_integer(kind, int(text))
    if kind in ("float", "double"):
        if text in SPECIAL_FLOATS:
            return SPECIAL_FLOATS[text]
        if not _FLOAT.fullmatch(text):
            raise ScalarError(kind)
        return float(text)
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ScalarError(kind)
        return lowered == "true"
    if kind == "blob":
        return decode_base64(text)
    if kind == "timestamp":
        return parse_timestamp(text)
    raise ScalarError(kind)


def check_integer(kind: str, value: int) -> int:
    bits = _INTEGER_BITS[kind]
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise ScalarError(kind)
    return value


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ScalarError("blob") from error


def encode_base64(value: bytes | str) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def format_float(value: float) -> str | float:
    """Finite floats stay numbers; NaN and the infinities become AWS's names for them."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def format_text(shape: Shape, value: Any, timestamp_default: str) -> str:
    """The text form of a scalar member (XML text, header value, query value)."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind in _INTEGER_BITS:
        return str(int(value))
    if kind in ("float", "double"):
        return str(format_float(float(value)))
    if kind == "blob":
        return encode_base64(value)
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, timestamp_default)))
    return str(value)
