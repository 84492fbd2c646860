"""The request context: condition keys and their values, normalized once per request.

Key names are case-insensitive, so they are stored lower-cased. A string, boolean or number is
a single value (booleans become ``"true"``/``"false"``, numbers their decimal text); a list is a
multivalued value, even with one element or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]
RawScalar = str | bool | int | float | Decimal
RawValue = RawScalar | Iterable[RawScalar]


def scalar_text(value: object) -> str:
    """The text IAM compares for a JSON scalar: ``true``/``false``, decimal numbers, strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # JSON 1e3 is the number 1000, not the text "1E+3"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    raise TypeError(f"expected a string, boolean or number, got {type(value).__name__}")


def normalize_value(value: object) -> ContextValue:
    if isinstance(value, str):
        return value  # already normalized: the common case, decided first
    if isinstance(value, list | tuple):
        return tuple(item if isinstance(item, str) else scalar_text(item) for item in value)
    return scalar_text(value)


def make_context(values: Mapping[str, object]) -> dict[str, ContextValue]:
    """Normalize raw context values; ``None`` values are left out (the key is absent)."""
    context: dict[str, ContextValue] = {}
    for key, value in values.items():
        if isinstance(value, str):
            context[key.lower()] = value
        elif value is not None:
            context[key.lower()] = normalize_value(value)
    return context


def request_keys(
    *,
    now: datetime,
    source_ip: str | None = None,
    user_agent: str | None = None,
    secure_transport: bool = False,
) -> dict[str, object]:
    """The global keys every AWS request carries: time, source address, agent, transport."""
    instant = now.astimezone(UTC)
    return {
        "aws:CurrentTime": utc_seconds_text(instant),
        "aws:EpochTime": int(instant.timestamp()),
        "aws:SourceIp": source_ip,
        "aws:UserAgent": user_agent,
        "aws:SecureTransport": secure_transport,
    }


def utc_seconds_text(instant: datetime) -> str:
    """``instant`` (in UTC) as ``aws:CurrentTime`` shows it: ``2025-03-04T05:06:07Z``; what
    ``strftime("%Y-%m-%dT%H:%M:%SZ")`` gives, without its cost."""
    if instant.year < 1000:  # strftime writes such years unpadded
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "%d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 - the fastest formatting here
        instant.year,
        instant.month,
        instant.day,
        instant.hour,
        instant.minute,
        instant.second,
    )
