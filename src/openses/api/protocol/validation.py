"""Checking parameters against an operation's input shape, in AWS's words.

:func:`validate` walks parsed parameters along the shape and returns every :class:`Problem`
(required members, types, string/blob/list/map lengths, numeric ranges, enums, and regular
expression patterns where the model's Java pattern also compiles in Python). The parsers
report values they could not read as problems of the same kind. :func:`describe` renders
them the way AWS's request validation does::

    2 validation errors detected: Value null at 'message' failed to satisfy constraint:
    Member must not be null; Value 'x' at 'maxItems' failed to satisfy constraint: ...

Paths use lower-camel member names, and ``N.member`` (1-based) inside lists, as AWS does
(``destination.toAddresses.2.member``, ``tags.1.member.value``).

How each API answers (decided here, applied by the codecs):

* Query APIs (SES v1, IAM, STS, SNS): code ``ValidationError``, HTTP 400, type ``Sender``.
  SES v1 answers a missing required member this way, not with ``MissingParameter`` (public
  SDK reports quote ``ValidationError -- 2 validation errors detected: Value null at
  'message' failed to satisfy constraint: Member must not be null; Value null at
  'destination' ...`` and ``1 validation error detected: Value null at 'source' ...``); IAM
  and STS use the same code and wording.
* REST-JSON SESv2: ``BadRequestException``, HTTP 400, body ``{"message": ...}`` with the same
  text; it is the only client-input error the SESv2 model declares.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openses.api.protocol.shapes import (
    FLOAT_TYPES,
    INTEGER_TYPES,
    Shape,
    StringShape,
    StructureShape,
    is_list,
    is_map,
    is_string,
    is_structure,
)


@dataclass(frozen=True, slots=True)
class MapKey:
    """A path segment naming a map entry by its key."""

    key: str


#: A path segment: a member name, a 1-based list position, or a map key.
Segment = str | int | MapKey

_REDACTED = "*** Sensitive Data Redacted ***"


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed constraint. ``value`` is the offending value, ``None`` when absent."""

    path: tuple[Segment, ...]
    constraint: str
    value: object = None
    sensitive: bool = False

    def __str__(self) -> str:
        return (
            f"Value {self._value_text()} at '{render_path(self.path)}' "
            f"failed to satisfy constraint: {self.constraint}"
        )

    def _value_text(self) -> str:
        if self.value is None:
            return "null"
        if self.sensitive:
            return f"'{_REDACTED}'"
        if isinstance(self.value, list):
            return "'[" + ", ".join(str(item) for item in self.value) + "]'"
        if isinstance(self.value, bytes):
            return f"'java.nio.HeapByteBuffer[pos=0 lim={len(self.value)}]'"
        return f"'{self.value}'"


def render_path(path: Sequence[Segment]) -> str:
    parts: list[str] = []
    for segment in path:
        if isinstance(segment, int):
            parts.append(f"{segment}.member")
        elif isinstance(segment, MapKey):
            parts.append(segment.key)
        else:
            parts.append(segment[:1].lower() + segment[1:])
    return ".".join(parts)


def describe(problems: Sequence[Problem]) -> str:
    """AWS's one-line summary of ``problems`` (which must not be empty)."""
    count = len(problems)
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(str(problem) for problem in problems)


def validate(shape: Shape, params: Mapping[str, Any]) -> list[Problem]:
    """Every problem with ``params`` as the input of ``shape`` (empty list: valid)."""
    problems: list[Problem] = []
    _check(shape, params, (), problems)
    return problems


def validate_value(shape: Shape, value: Any) -> bool:
    """Whether ``value`` has no problem as a value of ``shape`` (of any kind)."""
    problems: list[Problem] = []
    _check(shape, value, (), problems)
    return not problems


def type_problem(path: tuple[Segment, ...], kind: str, value: object) -> Problem:
    return Problem(path, f"Member must be of type {kind}", _shown(value))


def _shown(value: object) -> object:
    """Values are quoted in messages; ``null`` is reserved for absent members."""
    return "null" if value is None else value


def _check(shape: Shape, value: Any, path: tuple[Segment, ...], out: list[Problem]) -> None:
    if is_structure(shape):
        _check_structure(shape, value, path, out)
    elif is_list(shape):
        if not isinstance(value, list):
            out.append(type_problem(path, "list", value))
            return
        _check_size(shape, value, len(value), path, out)
        for index, item in enumerate(value, 1):
            if item is not None:
                _check(shape.member, item, (*path, index), out)
    elif is_map(shape):
        if not isinstance(value, Mapping):
            out.append(type_problem(path, "map", value))
            return
        _check_size(shape, value, len(value), path, out)
        for key, item in value.items():
            _check(shape.key, key, (*path, MapKey(str(key))), out)
            if item is not None:
                _check(shape.value, item, (*path, MapKey(str(key))), out)
    elif is_string(shape):
        _check_string(shape, value, path, out)
    else:
        _check_scalar(shape, value, path, out)


def _check_structure(
    shape: StructureShape, value: Any, path: tuple[Segment, ...], out: list[Problem]
) -> None:
    if not isinstance(value, Mapping):
        out.append(type_problem(path, "structure", value))
        return
    if shape.is_document_type:
        return
    out.extend(
        Problem((*path, name), "Member must not be null")
        for name in shape.required_members
        if value.get(name) is None
    )
    members = shape.members
    for name, member_value in value.items():
        member = members.get(name)
        if member is not None and member_value is not None:
            _check(member, member_value, (*path, name), out)


def _check_string(
    shape: StringShape, value: Any, path: tuple[Segment, ...], out: list[Problem]
) -> None:
    if shape.serialization.get("jsonvalue"):
        return  # a JSON document carried in a header: any JSON value
    if not isinstance(value, str):
        out.append(type_problem(path, "string", value))
        return
    _check_size(shape, value, len(value), path, out)
    if shape.enum and value not in shape.enum:
        constraint = "Member must satisfy enum value set: [" + ", ".join(shape.enum) + "]"
        out.append(_problem(shape, path, constraint, value))
    pattern = shape.metadata.get("pattern")
    if isinstance(pattern, str):
        compiled = compile_pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            constraint = f"Member must satisfy regular expression pattern: {pattern}"
            out.append(_problem(shape, path, constraint, value))


def _check_scalar(shape: Shape, value: Any, path: tuple[Segment, ...], out: list[Problem]) -> None:
    kind = shape.type_name
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind in INTEGER_TYPES:
        if not (number and isinstance(value, int)):
            out.append(type_problem(path, kind, value))
        else:
            _check_range(shape, value, path, out)
    elif kind in FLOAT_TYPES:
        if not number:
            out.append(type_problem(path, kind, value))
        else:
            _check_range(shape, value, path, out)
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(type_problem(path, kind, value))
    elif kind == "blob":
        if not isinstance(value, bytes | bytearray):
            out.append(type_problem(path, kind, value))
        else:
            _check_size(shape, value, len(value), path, out)
    elif kind == "timestamp" and not isinstance(value, datetime):
        out.append(type_problem(path, kind, value))


def _problem(shape: Shape, path: tuple[Segment, ...], constraint: str, value: object) -> Problem:
    return Problem(path, constraint, value, sensitive=bool(shape.metadata.get("sensitive")))


def _check_size(
    shape: Shape, value: object, size: int, path: tuple[Segment, ...], out: list[Problem]
) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if isinstance(low, int | float) and size < low:
        out.append(
            _problem(shape, path, f"Member must have length greater than or equal to {low}", value)
        )
    if isinstance(high, int | float) and size > high:
        out.append(
            _problem(shape, path, f"Member must have length less than or equal to {high}", value)
        )


def _check_range(shape: Shape, value: float, path: tuple[Segment, ...], out: list[Problem]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if isinstance(low, int | float) and value < low:
        out.append(
            _problem(shape, path, f"Member must have value greater than or equal to {low}", value)
        )
    if isinstance(high, int | float) and value > high:
        out.append(
            _problem(shape, path, f"Member must have value less than or equal to {high}", value)
        )


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's (Java) pattern as a Python regex, or ``None`` if Python cannot read it.

    Java's classes ``\\w``, ``\\d``, ``\\s`` are ASCII-only, hence ``re.ASCII``; a full match is
    required, as Java's ``matches()`` does. Patterns Python cannot read (``\\p{L}`` in a few IAM
    and STS tag shapes) are skipped, which errs on the side of accepting input.
    """
    try:
        return re.compile(pattern, re.ASCII)
    except re.error:
        return None
