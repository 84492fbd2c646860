"""The slice of botocore's service model the codecs read, written down as typed protocols.

botocore ships no type information, so the codecs would otherwise see ``Any`` everywhere.
These :class:`~typing.Protocol` classes name exactly the attributes of ``botocore.model``
objects that this package relies on, and the ``is_*`` guards narrow a :class:`Shape` to the
kind its ``type_name`` says. Only :mod:`openses.api.protocol.models` touches botocore itself.

Shape type names: ``structure``, ``list``, ``map``, ``string``, ``integer``, ``long``,
``float``, ``double``, ``boolean``, ``blob``, ``timestamp``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeGuard

NUMBER_TYPES = frozenset({"integer", "long", "float", "double"})
INTEGER_TYPES = frozenset({"integer", "long"})
FLOAT_TYPES = frozenset({"float", "double"})


class Shape(Protocol):
    """Any shape. ``serialization`` holds wire traits (``name``, ``location``, ``flattened``,
    ``timestampFormat``, ``payload``, ``resultWrapper``); ``metadata`` holds constraints
    (``min``, ``max``, ``pattern``, ``enum``, ``required``, ``error``, ``exception``)."""

    @property
    def name(self) -> str: ...

    @property
    def type_name(self) -> str: ...

    @property
    def serialization(self) -> Mapping[str, Any]: ...

    @property
    def metadata(self) -> Mapping[str, Any]: ...


class StructureShape(Shape, Protocol):
    @property
    def members(self) -> Mapping[str, Shape]: ...

    @property
    def required_members(self) -> Sequence[str]: ...

    @property
    def is_document_type(self) -> bool: ...


class ListShape(Shape, Protocol):
    @property
    def member(self) -> Shape: ...


class MapShape(Shape, Protocol):
    @property
    def key(self) -> Shape: ...

    @property
    def value(self) -> Shape: ...


class StringShape(Shape, Protocol):
    @property
    def enum(self) -> Sequence[str]: ...


class ServiceModel(Protocol):
    @property
    def service_name(self) -> str: ...

    @property
    def protocol(self) -> str: ...

    @property
    def api_version(self) -> str: ...

    @property
    def metadata(self) -> Mapping[str, Any]: ...

    @property
    def operation_names(self) -> Sequence[str]: ...

    @property
    def error_shapes(self) -> Iterable[StructureShape]: ...

    def operation_model(self, operation_name: str) -> OperationModel: ...

    def shape_for(self, shape_name: str) -> Shape: ...

    def shape_for_error_code(self, error_code: str) -> StructureShape | None: ...


class OperationModel(Protocol):
    def __hash__(self) -> int: ...  # by identity: the codecs cache what they derive from one

    @property
    def name(self) -> str: ...

    @property
    def http(self) -> Mapping[str, Any]: ...

    @property
    def input_shape(self) -> StructureShape | None: ...

    @property
    def output_shape(self) -> StructureShape | None: ...

    @property
    def service_model(self) -> ServiceModel: ...


def is_structure(shape: Shape) -> TypeGuard[StructureShape]:
    return shape.type_name == "structure"


def is_list(shape: Shape) -> TypeGuard[ListShape]:
    return shape.type_name == "list"


def is_map(shape: Shape) -> TypeGuard[MapShape]:
    return shape.type_name == "map"


def is_string(shape: Shape) -> TypeGuard[StringShape]:
    return shape.type_name == "string"


def wire_name(shape: Shape, default: str) -> str:
    """The name a member travels under: its ``locationName`` if the model gives one."""
    name = shape.serialization.get("name")
    return name if isinstance(name, str) and name else default


def is_flattened(shape: Shape) -> bool:
    return bool(shape.serialization.get("flattened"))
