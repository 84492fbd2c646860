"""JSON values as Handlebars.js sees them: truthiness, emptiness, property access and text.

Rendering data is parsed JSON (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``,
``None``); any ``Mapping`` counts as an object and any ``list`` or ``tuple`` as an array.
``UNDEFINED`` stands for JavaScript's ``undefined``: what a lookup of an absent key yields.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from enum import Enum
from typing import Final


class _Undefined(Enum):
    UNDEFINED = "undefined"

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = _Undefined.UNDEFINED

_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def is_array(value: object) -> bool:
    return isinstance(value, list | tuple)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def truthy(value: object) -> bool:
    """JavaScript truthiness: ``false``, ``0``, ``NaN``, ``""``, null and undefined are falsy."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, int | float):
        return not math.isnan(value) and value != 0
    if isinstance(value, str):
        return value != ""
    return True  # objects and arrays, even empty ones


def is_empty(value: object) -> bool:
    """Handlebars' ``isEmpty``: falsy but not the number zero, or an empty array."""
    if is_array(value):
        return len(value) == 0  # type: ignore[arg-type]
    if is_number(value) and value == 0:
        return False
    return not truthy(value)


def same_context(a: object, b: object) -> bool:
    """Whether entering ``a`` from ``b`` keeps the context (no new ``../`` level)."""
    if a is b:
        return True
    if isinstance(a, Mapping | list | tuple) or isinstance(b, Mapping | list | tuple):
        return False
    return type(a) is type(b) and a == b


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def get_property(value: object, key: str) -> object:
    """``value[key]`` for own properties only; ``UNDEFINED`` when there is none."""
    if isinstance(value, Mapping):
        return value.get(key, UNDEFINED)
    if isinstance(value, list | tuple):
        if key == "length":
            return len(value)
        if _ARRAY_INDEX.fullmatch(key) and int(key) < len(value):
            return value[int(key)]
        return UNDEFINED
    if isinstance(value, str) and key == "length":
        return utf16_length(value)
    return UNDEFINED


def js_number(value: float) -> str:
    """``Number.prototype.toString()`` for a double: ``1``, ``1.5``, ``1e+21``, ``1e-7``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    power = int(exponent or "0") - len(fraction)  # value = int(digits) * 10**power
    stripped = digits.rstrip("0")
    power += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = power + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        head = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{head}e{'+' if e > 0 else '-'}{abs(e)}"
    return sign + text


def _scalar_text(value: object) -> str:
    if value is None or value is UNDEFINED:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)  # integers print every digit (no double rounding)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)


def _array_text(array: list[object] | tuple[object, ...]) -> str:
    """``Array.prototype.join(",")`` applied recursively, without recursion (deep data is fine)."""
    stack: list[tuple[list[object] | tuple[object, ...], int, list[str]]] = [(array, 0, [])]
    active = {id(array)}
    while True:
        items, index, texts = stack[-1]
        if index < len(items):
            stack[-1] = (items, index + 1, texts)
            item = items[index]
            if isinstance(item, list | tuple):
                if id(item) in active:  # a cycle prints as empty, as in JavaScript
                    texts.append("")
                else:
                    active.add(id(item))
                    stack.append((item, 0, []))
            else:
                texts.append("" if item is None else _scalar_text(item))
            continue
        stack.pop()
        active.discard(id(items))
        joined = ",".join(texts)
        if not stack:
            return joined
        stack[-1][2].append(joined)


def to_text(value: object) -> str:
    """How ``{{value}}`` prints (SES never HTML-escapes): JavaScript's ``String(value)``."""
    if isinstance(value, list | tuple):
        return _array_text(value)
    return _scalar_text(value)


def js_type(value: object) -> str:
    """The JSON type name used in error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if is_array(value):
        return "an array"
    return "an object"
