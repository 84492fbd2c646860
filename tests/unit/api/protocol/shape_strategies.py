"""Hypothesis strategies for valid values of a botocore shape (its constraints respected).

Sizes are kept small. Structures always carry at least one member, maps one entry and
flattened lists one item, because an empty one leaves no trace on the Query wire or in XML
and so cannot round-trip there.
``xml_safe`` keeps text to characters XML 1.0 can carry (for response round trips);
``uri`` marks members that travel as path labels (never empty).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from openses.api.protocol.shapes import (
    Shape,
    is_flattened,
    is_list,
    is_map,
    is_string,
    is_structure,
)
from openses.api.protocol.validation import compile_pattern

MAX_ITEMS = 3
MAX_TEXT = 12
INT32 = 2**31 - 1


def text(xml_safe: bool, min_size: int = 0, max_size: int = MAX_TEXT) -> st.SearchStrategy[str]:
    if xml_safe:
        alphabet = st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
        ) | st.sampled_from("\t\n\r")
    else:
        alphabet = st.characters(codec="utf-8")
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def for_shape(shape: Shape, *, xml_safe: bool = False, depth: int = 0) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    low = int(meta.get("min", 0))
    high = int(meta.get("max", MAX_TEXT))
    if is_structure(shape):
        return _structure(shape, xml_safe, depth)
    if is_list(shape):
        if is_flattened(shape):
            low = max(low, 1)  # an empty flattened list leaves no trace in XML
        return st.lists(
            for_shape(shape.member, xml_safe=xml_safe, depth=depth + 1),
            min_size=low,
            max_size=max(low, min(high, MAX_ITEMS)),
        )
    if is_map(shape):
        return st.dictionaries(
            for_shape(shape.key, xml_safe=xml_safe, depth=depth + 1),
            for_shape(shape.value, xml_safe=xml_safe, depth=depth + 1),
            min_size=max(low, 1),
            max_size=MAX_ITEMS,
        )
    if is_string(shape):
        return _string(shape, xml_safe, low, high)
    kind = shape.type_name
    if kind in ("integer", "long"):
        return st.integers(int(meta.get("min", -INT32)), int(meta.get("max", INT32)))
    if kind in ("float", "double"):
        return st.floats(meta.get("min"), meta.get("max"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(min_size=max(low, 0), max_size=max(low, min(high, 64)))
    if kind == "timestamp":
        return st.datetimes(
            min_value=datetime(1971, 1, 1),
            max_value=datetime(2099, 12, 31),
            timezones=st.just(UTC),
        )
    raise NotImplementedError(kind)


def _string(shape: Any, xml_safe: bool, low: int, high: int) -> st.SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    pattern = shape.metadata.get("pattern")
    if isinstance(pattern, str):
        compiled = compile_pattern(pattern)
        if compiled is None:
            return st.text("abcXYZ019_.", min_size=max(low, 1), max_size=MAX_TEXT)
        ceiling = min(high, 40)
        repeated = _REPEATED_CLASS.fullmatch(pattern)
        if repeated is not None:
            # "[class]*"-style patterns: draw characters of the class up to the length asked.
            alphabet = st.from_regex(re.compile(repeated.group(1), re.ASCII), fullmatch=True)
            lowest = max(low, 1 if repeated.group(2) == "+" else 0)
            return (
                st.lists(alphabet, min_size=lowest, max_size=max(lowest, min(high, MAX_TEXT)))
                .map("".join)
                .filter(lambda value: _carried(value, xml_safe))
            )
        return st.from_regex(compiled, fullmatch=True).filter(
            lambda value: low <= len(value) <= ceiling and _carried(value, xml_safe)
        )
    return text(xml_safe, low, max(low, min(high, MAX_TEXT)))


_REPEATED_CLASS = re.compile(r"\^?(\[(?:\\.|[^\]])+\]|\\[wd])([*+])\$?")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _carried(value: str, xml_safe: bool) -> bool:
    """Text that UTF-8 (and, for responses, XML 1.0) can carry unchanged."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not (xml_safe and _NOT_XML.search(value))


def _structure(shape: Any, xml_safe: bool, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, member in shape.members.items():
        strategy = for_shape(member, xml_safe=xml_safe, depth=depth + 1)
        if member.serialization.get("location") in ("uri", "querystring") and not is_map(member):
            # Empty labels do not route; empty query lists put nothing on the wire.
            strategy = strategy.filter(lambda value: value not in ("", []))
        if name in shape.required_members:
            required[name] = strategy
        elif depth < 4:
            optional[name] = strategy
    return st.fixed_dictionaries(required, optional=optional).filter(bool)
