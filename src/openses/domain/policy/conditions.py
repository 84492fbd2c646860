"""Condition operators: the table, the missing-key rules, set operators and ``IfExists``.

A condition entry is ``operator -> key -> values``. It compiles into a :class:`ConditionTest`
whose ``holds(context)`` applies, in this order:

1. key absent: ``…IfExists`` and ``ForAllValues:`` hold, ``ForAnyValue:`` does not, ``Null``
   answers by its value, other negated operators hold and positive ones do not;
2. ``Null`` on a present key: holds for the value ``false``;
3. a multivalued (list) value: a bare operator never matches; ``ForAllValues:`` needs every
   element to match, ``ForAnyValue:`` at least one (an empty list: true and false);
4. a single value: the operator's comparison, ORed over the policy values for a positive
   operator and NORed for a negated one. A value that cannot be read as the operator's type
   (request or policy side) makes positive and negated operators alike false.
"""

from __future__ import annotations

import enum
import json
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from openses.domain.policy.context import Context
from openses.domain.policy.values import (
    parse_address,
    parse_bool,
    parse_instant,
    parse_network,
    parse_number,
)
from openses.domain.policy.variables import Template, parse_template
from openses.domain.policy.wildcards import (
    Matcher,
    compile_glob,
    compile_glob_set,
    compile_pieces,
    glob_regex,
)

#: Compares one request value against the entry's policy values; the context resolves variables.
SingleTest = Callable[[str, Context], bool]


class SetOperator(enum.Enum):
    NONE = ""
    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


@dataclass(frozen=True, slots=True)
class Family:
    """One base operator family: how its policy values compile into a single-value test."""

    substitutes: bool  # policy variables are expanded in its values
    build: Callable[[str, bool, Sequence[Template]], SingleTest] | None  # None: Null


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    base: str
    set_operator: SetOperator
    if_exists: bool

    @property
    def negated(self) -> bool:
        return self.base in NEGATED

    @property
    def is_null(self) -> bool:
        return self.base == "Null"


class UnknownOperator(ValueError):
    """An operator name that IAM does not define (operator names are case-sensitive)."""


@dataclass(frozen=True, slots=True)
class ConditionTest:
    operator: Operator
    key: str  # as written in the policy
    values: tuple[str, ...]
    holds: Callable[[Context], bool]

    def describe(self) -> str:
        """``StringLike ses:FromAddress "a*@example.com"`` (values as JSON text)."""
        values = self.values[0] if len(self.values) == 1 else list(self.values)
        return f"{self.operator.name} {self.key} {json.dumps(values, ensure_ascii=False)}"


def parse_operator(name: str) -> Operator:
    set_operator = SetOperator.NONE
    base = name
    prefix, colon, rest = name.partition(":")
    if colon:
        if prefix not in (SetOperator.FOR_ALL_VALUES.value, SetOperator.FOR_ANY_VALUE.value):
            raise UnknownOperator(f"unknown set operator {prefix!r} in {name!r}")
        set_operator = SetOperator(prefix)
        if not rest:
            raise UnknownOperator(f"{name!r} names no operator after the set operator")
        base = rest
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    if base not in FAMILIES:
        raise UnknownOperator(f"unknown condition operator {name!r}")
    if if_exists and base == "Null":
        raise UnknownOperator("the Null operator cannot take the IfExists suffix")
    return Operator(name, base, set_operator, if_exists)


def compile_test(
    op: Operator, key: str, values: Sequence[str], *, substitute: bool
) -> ConditionTest:
    """Compile one ``operator: {key: values}`` entry (values already as text)."""
    family = FAMILIES[op.base]
    templates = [parse_template(v, substitute=substitute and family.substitutes) for v in values]
    lookup = key.lower()
    if family.build is None:
        holds = _null_test(lookup, values)
    elif (plain := _plain_string_matcher(op.base, templates)) is not None:
        holds = _wrap_plain(op, lookup, plain)
    else:
        single = family.build(op.base, op.negated, templates)
        holds = _wrap(op, lookup, single)
    return ConditionTest(op, key, tuple(values), holds)


def _when_missing(op: Operator) -> bool:
    if op.if_exists or op.set_operator is SetOperator.FOR_ALL_VALUES:
        return True
    if op.set_operator is SetOperator.FOR_ANY_VALUE:
        return False
    return op.negated


def _wrap(op: Operator, key: str, single: SingleTest) -> Callable[[Context], bool]:
    when_missing = _when_missing(op)
    set_operator = op.set_operator

    def holds(context: Context) -> bool:
        value = context.get(key)
        if value is None:
            return when_missing
        if isinstance(value, str):
            return single(value, context)
        if set_operator is SetOperator.FOR_ALL_VALUES:
            return all(single(item, context) for item in value)
        if set_operator is SetOperator.FOR_ANY_VALUE:
            return any(single(item, context) for item in value)
        return False  # a bare operator never matches a multivalued value

    return holds


def _wrap_plain(op: Operator, key: str, positive: Matcher) -> Callable[[Context], bool]:
    """:func:`_wrap` for a test that needs no context: ``positive`` is the operator's match
    before any negation, and the negation is applied here (one call per value, not three)."""
    when_missing = _when_missing(op)
    set_operator = op.set_operator
    negated = op.negated
    for_all = set_operator is SetOperator.FOR_ALL_VALUES
    for_any = set_operator is SetOperator.FOR_ANY_VALUE

    def holds(context: Context) -> bool:
        value = context.get(key)
        if value is None:
            return when_missing
        if isinstance(value, str):
            return not positive(value) if negated else positive(value)
        if for_all:  # every element matches the negated operator: none matches the positive
            return not any(map(positive, value)) if negated else all(map(positive, value))
        if for_any:
            return not all(map(positive, value)) if negated else any(map(positive, value))
        return False  # a bare operator never matches a multivalued value

    return holds


def _null_test(key: str, values: Sequence[str]) -> Callable[[Context], bool]:
    wanted = {parse_bool(v) for v in values}
    when_missing = True in wanted
    when_present = False in wanted
    return lambda context: when_present if key in context else when_missing


# ------------------------------------------------------------------------------ strings


def _plain_string_matcher(base: str, templates: Sequence[Template]) -> Matcher | None:
    """The positive match of a string operator whose values need no context (no policy
    variable, no ``${*}``-style escape), as one call on the request value; else ``None``."""
    if base not in _STRING_OPERATORS or not all(
        t.pieces in (((t.source, True),), ()) for t in templates
    ):
        return None
    sources = [t.source for t in templates]
    if base in ("StringLike", "StringNotLike"):
        return compile_glob_set(sources)
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        folded = frozenset(source.casefold() for source in sources)
        return lambda value: value.casefold() in folded
    return frozenset(sources).__contains__


def _build_string(base: str, negated: bool, templates: Sequence[Template]) -> SingleTest:
    if base in ("StringLike", "StringNotLike"):
        match = _like_matcher(templates)
    else:
        fold = base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")
        match = _equals_matcher(templates, fold)
    if negated:
        return lambda value, context: not match(value, context)
    return match


def _equals_matcher(templates: Sequence[Template], fold: bool) -> SingleTest:
    def norm(text: str) -> str:
        return text.casefold() if fold else text

    static = frozenset(
        norm("".join(text for text, _ in t.static_pieces()))
        for t in templates
        if not t.has_variables
    )
    dynamic = [t for t in templates if t.has_variables]
    if not dynamic:
        if fold:
            return lambda value, _context: value.casefold() in static
        return lambda value, _context: value in static

    def match(value: str, context: Context) -> bool:
        value = norm(value)
        if value in static:
            return True
        for template in dynamic:
            resolved = template.resolve_text(context)
            if resolved is not None and norm(resolved) == value:
                return True
        return False

    return match


def _like_matcher(templates: Sequence[Template]) -> SingleTest:
    plain = [t.source for t in templates if t.pieces in (((t.source, True),), ())]
    escaped = [
        compile_pieces(t.static_pieces())
        for t in templates
        if not t.has_variables and t.pieces not in (((t.source, True),), ())
    ]
    dynamic = [t for t in templates if t.has_variables]
    plain_match = compile_glob_set(plain) if plain else None
    if not escaped and not dynamic and plain_match is not None:
        return lambda value, _context: plain_match(value)

    def match(value: str, context: Context) -> bool:
        if plain_match is not None and plain_match(value):
            return True
        if any(matcher(value) for matcher in escaped):
            return True
        for template in dynamic:
            pieces = template.resolve(context)
            if pieces is not None and re.fullmatch(glob_regex(pieces), value, re.DOTALL):
                return True
        return False

    return match


# ------------------------------------------------------------------- typed comparisons


_ORDERINGS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "Equals": operator.eq,
    "NotEquals": operator.eq,  # the negation is applied as NOR over the values
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}


def _typed(parse: Callable[[str], Any], prefix: str) -> Family:
    def build(base: str, negated: bool, templates: Sequence[Template]) -> SingleTest:
        compare = _ORDERINGS[base[len(prefix) :]]
        parsed = [parse(t.source) for t in templates]
        valid = [p for p in parsed if p is not None]
        any_invalid = len(valid) != len(parsed)

        def test(value: str, _context: Context) -> bool:
            request = parse(value)
            if request is None:
                return False
            hit = any(compare(request, p) for p in valid)
            if negated:
                return not hit and not any_invalid
            return hit

        return test

    return Family(substitutes=False, build=build)


def _build_bool(_base: str, _negated: bool, templates: Sequence[Template]) -> SingleTest:
    static = {parse_bool(t.source) for t in templates if not t.has_variables} - {None}
    dynamic = [t for t in templates if t.has_variables]

    def test(value: str, context: Context) -> bool:
        request = parse_bool(value)
        if request is None:
            return False
        if request in static:
            return True
        for template in dynamic:
            resolved = template.resolve_text(context)
            if resolved is not None and parse_bool(resolved) is request:
                return True
        return False

    return test


def _build_binary(_base: str, _negated: bool, templates: Sequence[Template]) -> SingleTest:
    static = frozenset(t.source for t in templates)
    return lambda value, _context: value in static


def _build_ip(_base: str, negated: bool, templates: Sequence[Template]) -> SingleTest:
    parsed = [parse_network(t.source) for t in templates]
    networks = [n for n in parsed if n is not None]
    any_invalid = len(networks) != len(parsed)

    def test(value: str, _context: Context) -> bool:
        address = parse_address(value)
        if address is None:
            return False
        hit = any(n.version == address.version and address in n for n in networks)
        if negated:
            return not hit and not any_invalid
        return hit

    return test


ArnPattern = tuple[Callable[[str], bool], ...]


def split_arn(text: str) -> list[str] | None:
    """Six components, split at the first five colons; ``None`` for fewer."""
    parts = text.split(":", 5)
    return parts if len(parts) == 6 else None


def compile_arn_pattern(text: str) -> ArnPattern | None:
    parts = split_arn(text)
    if parts is None:
        return None
    return tuple(compile_glob(part) for part in parts)


def arn_matches(pattern: ArnPattern, parts: Sequence[str]) -> bool:
    return all(match(part) for match, part in zip(pattern, parts, strict=True))


def _build_arn(_base: str, negated: bool, templates: Sequence[Template]) -> SingleTest:
    static: list[ArnPattern | None] = []
    dynamic: list[Template] = []
    for template in templates:
        if template.has_variables:
            dynamic.append(template)
        else:
            pieces = template.static_pieces()
            static.append(_arn_pattern_from_pieces(pieces))
    static_valid = [p for p in static if p is not None]
    static_invalid = len(static_valid) != len(static)

    def test(value: str, context: Context) -> bool:
        parts = split_arn(value)
        if parts is None:
            return False
        hit = any(arn_matches(p, parts) for p in static_valid)
        invalid = static_invalid
        for template in dynamic:
            if hit:
                break
            pieces = template.resolve(context)
            if pieces is None:
                continue  # unresolved: matches nothing
            pattern = _arn_pattern_from_pieces(pieces)
            if pattern is None:
                invalid = True
            elif arn_matches(pattern, parts):
                hit = True
        if negated:
            return not hit and not invalid
        return hit

    return test


def _arn_pattern_from_pieces(pieces: Sequence[tuple[str, bool]]) -> ArnPattern | None:
    """Split substituted text at its first five colons, then glob each component.

    Variables are substituted before splitting, so a colon a variable brings in separates
    components too; substituted text still never acts as a wildcard.
    """
    components: list[list[tuple[str, bool]]] = [[]]
    for text, active in pieces:
        chunks = text.split(":")
        for index, chunk in enumerate(chunks):
            if index > 0:
                if len(components) < 6:
                    components.append([])
                else:
                    components[-1].append((":", active))
            if chunk:
                components[-1].append((chunk, active))
    if len(components) != 6:
        return None
    return tuple(compile_pieces(component) for component in components)


_STRING_OPERATORS: Final[tuple[str, ...]] = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
)

FAMILIES: Final[dict[str, Family]] = {
    **dict.fromkeys(_STRING_OPERATORS, Family(substitutes=True, build=_build_string)),
    **dict.fromkeys(
        (
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ),
        _typed(parse_number, "Numeric"),
    ),
    **dict.fromkeys(
        (
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ),
        _typed(parse_instant, "Date"),
    ),
    "Bool": Family(substitutes=True, build=_build_bool),
    "BinaryEquals": Family(substitutes=False, build=_build_binary),
    "IpAddress": Family(substitutes=False, build=_build_ip),
    "NotIpAddress": Family(substitutes=False, build=_build_ip),
    **dict.fromkeys(
        ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"),
        Family(substitutes=True, build=_build_arn),
    ),
    "Null": Family(substitutes=False, build=None),
}

NEGATED: Final[frozenset[str]] = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }
)
