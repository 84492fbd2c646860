"""Read plans: a Query operation's input shape compiled once into tables of its keys.

:func:`openses.api.protocol.query.parse_request` reads any form by building a tree of its key
parts and walking the input shape over it, then walking the parameters again to validate
them. A plan is the input shape compiled once per operation (on first use) into nested tables
from key part to member, so that the usual request is read by looking each key up: every key
the full path of a scalar member (``Source``, ``RawMessage.Data``, ``Destinations.member.1``,
``Tags.member.2.Name``). Members with constraints carry them, so that validating costs
nothing for the many members that have none.

A plan answers only what it can answer exactly as the general reader would; for anything else
:func:`read` returns ``None``, and the general reader takes the request from the start, so
every answer and every error stays as it was:

- a key that stops at a structure or a list (``RawMessage=``; ``Destinations=``, an
  explicitly empty list), goes on past a scalar (``Source.x``), names no member below the top
  level, or numbers a list item other than in plain decimal (``member.01``);
- members the plan does not take: maps, flattened lists, document types, and names that two
  members share on the wire;
- a value that does not read as its type, or any failed constraint (the general reader
  reports them all, in AWS's words).

Keys whose first part names no member of the input (``Action``, ``Version``, anything
unknown) are ignored, as the general reader ignores them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Final

from openses.api.protocol.scalars import ScalarError, decode_base64, parse_text
from openses.api.protocol.shapes import (
    ListShape,
    OperationModel,
    Shape,
    StructureShape,
    is_flattened,
    is_list,
    is_map,
    is_string,
    is_structure,
    wire_name,
)
from openses.api.protocol.validation import compile_pattern, validate_value

#: The longest list position a plan reads (longer ones go to the general reader).
_MAX_INDEX_DIGITS: Final = 9


class _Scalar:
    """``parse``: the value of a text (``None``: the text itself, for strings without
    constraints)."""

    __slots__ = ("checked", "parse", "shape")

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.checked = _has_constraints(shape)
        kind = shape.type_name
        self.parse: Callable[[str], Any] | None
        if kind == "string" and not self.checked:
            self.parse = None
        elif kind == "blob":
            self.parse = decode_base64  # what parse_text does for a blob, without the lookup
        else:
            self.parse = functools.partial(parse_text, shape)


class _List:
    __slots__ = ("checked", "item", "member", "shape")

    def __init__(self, shape: ListShape, member: _Plan) -> None:
        self.shape = shape
        self.item = wire_name(shape.member, "member")
        self.member = member
        self.checked = _has_constraints(shape)


class _Struct:
    """``members``: wire key → (member name, plan); :data:`_UNTAKEN` marks a key the plan
    leaves to the general reader. ``order``: the plans of the members in model order."""

    __slots__ = ("members", "order", "required")

    def __init__(self) -> None:
        self.members: dict[str, tuple[str, _Plan]] = {}
        self.order: tuple[tuple[str, _Plan], ...] = ()
        self.required: tuple[str, ...] = ()


class _Untaken:
    __slots__ = ()


_UNTAKEN: Final = _Untaken()

_Plan = _Scalar | _List | _Struct | _Untaken


class _Failed(Exception):
    """The plan cannot answer: the general reader must."""


@functools.lru_cache(maxsize=1024)
def plan_for(operation: OperationModel) -> _Struct | None:
    """The plan of ``operation``'s input (built once); ``None`` when the plan takes nothing."""
    shape = operation.input_shape
    if shape is None:
        return None
    plan = _Builder().plan(shape)
    return plan if isinstance(plan, _Struct) else None


class _Builder:
    """Compiles shapes; structures by name, so that recursive shapes end."""

    def __init__(self) -> None:
        self._structures: dict[str, _Struct] = {}

    def plan(self, shape: Shape) -> _Plan:
        if is_structure(shape):
            return self._structure(shape)
        if is_list(shape):
            if is_flattened(shape):
                return _UNTAKEN
            return _List(shape, self.plan(shape.member))
        if is_map(shape):
            return _UNTAKEN
        return _Scalar(shape)

    def _structure(self, shape: StructureShape) -> _Plan:
        if shape.is_document_type:
            return _UNTAKEN
        known = self._structures.get(shape.name)
        if known is not None:
            return known
        plan = _Struct()
        self._structures[shape.name] = plan
        order: list[tuple[str, _Plan]] = []
        for name, member in shape.members.items():
            member_plan = self.plan(member)
            order.append((name, member_plan))
            keys = [wire_name(member, name)]
            if is_list(member) and is_flattened(member):
                keys.append(wire_name(member.member, keys[0]))
            for key in keys:
                if key in plan.members:  # shared by two members: the general reader's business
                    plan.members[key] = (name, _UNTAKEN)
                else:
                    plan.members[key] = (name, member_plan)
        plan.order = tuple(order)
        plan.required = tuple(shape.required_members)
        return plan


def _has_constraints(shape: Shape) -> bool:
    """Whether validating a value of ``shape`` (of the right type) can find a problem."""
    meta = shape.metadata
    if "min" in meta or "max" in meta:
        return True
    if is_string(shape) and not shape.serialization.get("jsonvalue"):
        pattern = meta.get("pattern")
        if shape.enum or (isinstance(pattern, str) and compile_pattern(pattern) is not None):
            return True
    return False


def read(
    plan: _Struct, pairs: Iterable[tuple[str, str]], *, check: bool = True
) -> dict[str, Any] | None:
    """The parameters of the form ``pairs`` (decoded, in order: later keys win), validated
    unless ``check`` is false; ``None`` when the general reader must read them."""
    collected: dict[str, Any] = {}
    members = plan.members
    try:
        for key, value in pairs:
            if "." not in key:
                entry = members.get(key)
                if entry is not None:
                    name, node = entry
                    if isinstance(node, _Scalar):
                        collected[name] = value
                    else:
                        _place(collected, entry, "", "", value)
                continue  # (no entry: not a member, ignored)
            first, dot, rest = key.partition(".")
            entry = members.get(first)
            if entry is not None:
                _place(collected, entry, dot, rest, value)
        return _finish_structure(plan, collected, check)
    except _Failed:
        return None


def _place(
    container: dict[Any, Any], entry: tuple[str, _Plan], dot: str, rest: str, value: str
) -> None:
    """Put the text ``value`` of a key (past the part naming ``entry``) into the collection."""
    slot: str | int
    slot, node = entry
    while True:
        if isinstance(node, _Scalar):
            if dot:  # goes on past a scalar
                raise _Failed
            container[slot] = value
            return
        if not dot:  # stops at a structure or a list
            raise _Failed
        child = container.get(slot)
        if child is None:
            child = container[slot] = {}
        container = child
        if isinstance(node, _Struct):
            part, dot, rest = rest.partition(".")
            found = node.members.get(part)
            if found is None:
                raise _Failed
            slot, node = found
        elif isinstance(node, _List):
            item, dot, rest = rest.partition(".")
            if item != node.item or not dot:
                raise _Failed
            position, dot, rest = rest.partition(".")
            slot = _position(position)
            node = node.member
        else:
            raise _Failed


def _position(text: str) -> int:
    """A list position in plain decimal (no sign, no leading zero)."""
    if (
        not text.isdigit()
        or not text.isascii()
        or len(text) > _MAX_INDEX_DIGITS
        or (text[0] == "0" and len(text) > 1)
    ):
        raise _Failed
    return int(text)


def _finish(node: _Plan, collected: Any, check: bool) -> Any:
    if isinstance(node, _Scalar):
        parse = node.parse
        if parse is None:
            return collected
        try:
            value = parse(collected)
        except ScalarError:
            raise _Failed from None
        if check and node.checked and not validate_value(node.shape, value):
            raise _Failed
        return value
    if isinstance(node, _Struct):
        return _finish_structure(node, collected, check)
    if isinstance(node, _List):
        member = node.member
        if isinstance(member, _Scalar) and member.parse is None:
            items = [collected[position] for position in sorted(collected)]
        else:
            items = [_finish(member, collected[position], check) for position in sorted(collected)]
        if check and node.checked and not validate_value(node.shape, items):
            raise _Failed
        return items
    raise _Failed


def _finish_structure(node: _Struct, collected: dict[str, Any], check: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if collected:
        for name, member in node.order:
            if name in collected:
                value = collected[name]
                if not isinstance(member, _Scalar) or member.parse is not None:
                    value = _finish(member, value, check)
                result[name] = value
    if check:
        for name in node.required:
            if name not in result:
                raise _Failed
    return result
