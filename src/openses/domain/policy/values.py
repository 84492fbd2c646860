"""Typed readings of condition values: numbers, instants, IP addresses, booleans.

Each parser returns ``None`` for text that is not of its type; the condition operators treat
that as "cannot be compared", which is false for positive and negated operators alike.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_EPOCH = re.compile(r"[0-9]+")
_DATE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]+))?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?)?"
)
_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def parse_number(text: str) -> Decimal | None:
    """A whole decimal literal (``-`` optional, digits, optional ``.digits``), compared exactly."""
    if _NUMBER.fullmatch(text) is None:
        return None
    return Decimal(text)


def parse_instant(text: str) -> Decimal | None:
    """Seconds since the Unix epoch for an ISO 8601 (W3C profile) date or epoch seconds.

    Accepted: all digits (always epoch seconds), ``YYYY-MM``, ``YYYY-MM-DD`` (midnight UTC),
    ``YYYY-MM-DDThh:mm``, ``…:ss`` and ``…:ss.fraction``, each with an optional zone designator
    ``Z`` or ``±hh:mm`` (no designator means UTC).
    """
    if _EPOCH.fullmatch(text):
        return Decimal(text)
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, month = int(match["y"]), int(match["mo"])
    day = int(match["d"]) if match["d"] else 1
    hour = int(match["h"] or 0)
    minute = int(match["mi"] or 0)
    second = int(match["s"] or 0)
    if not (1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset = 0
    zone = match["tz"]
    if zone and zone != "Z":
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
        if zone_hours > 23 or zone_minutes > 59:
            return None
        offset = (zone_hours * 60 + zone_minutes) * 60 * (1 if zone[0] == "+" else -1)
    days = _days_from_civil(year, month, day)
    seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
    fraction = match["f"]
    return Decimal(seconds) + (Decimal("0." + fraction) if fraction else Decimal(0))


def parse_network(text: str) -> IPNetwork | None:
    """A CIDR block; a bare address means ``/32`` (IPv4) or ``/128`` (IPv6)."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def parse_bool(text: str) -> bool | None:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (no datetime range limits)."""
    years_before = year - 1
    days = (
        years_before * 365
        + years_before // 4
        - years_before // 100
        + years_before // 400
        + _DAYS_BEFORE_MONTH[month - 1]
        + (1 if month > 2 and _is_leap(year) else 0)
        + day
        - 1
    )
    return days - 719162  # days from 0001-01-01 to 1970-01-01
