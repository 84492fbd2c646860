"""The AWS Query protocol (SES v1, IAM, STS, SNS): form parameters in, XML out.

Requests: the form body and the query string (body wins on a repeated key) are split on
``.`` into a tree of key parts, then read along the operation's input shape, so member
``Tags`` only ever sees keys under ``Tags.`` (never ``TagsExtra``). Structures are
``A.B.C``; lists ``X.member.N`` (or the member's ``locationName``; flattened lists ``X.N``);
maps ``X.entry.N.key``/``.value`` (or their ``locationName``\\s); an explicit ``X=`` with
nothing under it is an empty list or map. Scalars are read by :mod:`.scalars` (blobs are
base64, booleans ``true``/``false``, timestamps ISO 8601). Keys the shape does not name are
ignored, as AWS does. Unreadable values (or, when every value reads, failed constraints) are
all reported in one ``ValidationError`` (see :mod:`.validation`). The usual request is read
by the operation's read plan instead (:mod:`.query_plans`: the same answer, built once per
operation, for a fraction of the cost); the key tree is built for what the plan leaves.

Responses: ``<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata><RequestId>…``
(the result element only when the output shape names a ``resultWrapper``); lists as
``member`` elements (flattened lists as repeated elements, so an empty one is absent), maps
as ``entry``/``key``/``value``, timestamps ISO 8601 in UTC, blobs base64, booleans
``true``/``false``. Errors are
``<ErrorResponse xmlns=…><Error><Type>Sender|Receiver</Type><Code/><Message/>…</Error>
<RequestId/></ErrorResponse>`` with the error's HTTP status.

Text is XML-escaped (``&``, ``<``, ``>``, and ``\\r`` as ``&#13;`` so that CRLF survives);
characters XML 1.0 cannot carry at all (most C0 controls) are replaced by U+FFFD.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from openses.api.protocol.errors import (
    AwsError,
    invalid_action,
    malformed_request,
    missing_action,
    resolve,
    validation_failed,
)
from openses.api.protocol.models import find_operation
from openses.api.protocol.query_plans import plan_for
from openses.api.protocol.query_plans import read as read_plan
from openses.api.protocol.scalars import ISO8601, ScalarError, format_text, parse_text
from openses.api.protocol.shapes import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
    is_flattened,
    is_list,
    is_map,
    is_structure,
    wire_name,
)
from openses.api.protocol.validation import MapKey, Problem, Segment, type_problem, validate
from openses.api.protocol.wire import HttpResponse, ParsedRequest

CONTENT_TYPE = "text/xml"
_ABSENT: Any = object()


# ------------------------------------------------------------------------------ requests


@dataclass(slots=True)
class _Node:
    """One key part of the form: the value given for exactly this key, and deeper keys."""

    value: str | None = None
    children: dict[str, _Node] = field(default_factory=dict)

    def indexed(self) -> Iterator[_Node]:
        """Children named ``1``, ``2``, … in numeric order (other names are ignored)."""
        numbered = (
            (int(name), child)
            for name, child in self.children.items()
            if name.isascii() and name.isdigit()
        )
        for _, child in sorted(numbered, key=lambda pair: pair[0]):
            yield child

    @property
    def explicitly_empty(self) -> bool:
        return self.value == "" and not self.children


def parse_request(
    service: ServiceModel,
    *,
    body: bytes = b"",
    query_string: str = "",
    validate_input: bool = True,
) -> ParsedRequest:
    """Read a Query request; raises :class:`AwsError` for anything a client must hear about.

    The operation's read plan (:mod:`.query_plans`) answers the usual request; whatever it
    leaves is read by :func:`read_general`.
    """
    pairs = _decode_form(service, query_string)
    pairs += _decode_form(service, body)
    action = None
    for key, value in reversed(pairs):  # a later key wins
        if key == "Action":
            action = value
            break
    if not action:
        raise missing_action()
    operation = find_operation(service, action)
    if operation is None:
        raise invalid_action(service, action)
    plan = plan_for(operation)
    if plan is not None:
        params = read_plan(plan, pairs, check=validate_input)
        if params is not None:
            return ParsedRequest(operation, params)
    return ParsedRequest(operation, read_general(service, operation, pairs, validate_input))


def read_general(
    service: ServiceModel,
    operation: OperationModel,
    pairs: Iterable[tuple[str, str]],
    validate_input: bool = True,
) -> dict[str, Any]:
    """The parameters of ``operation`` in the decoded form ``pairs``, read along the shape
    (any request); raises the ``ValidationError`` of everything wrong with them."""
    root = _Node()
    for key, value in pairs:
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    params: dict[str, Any] = {}
    shape = operation.input_shape
    if shape is not None:
        reader = _Reader()
        params = reader.structure(shape, root, ())
        problems = reader.problems or (validate(shape, params) if validate_input else [])
        if problems:
            raise validation_failed(service, problems)
    return params


def _decode_form(service: ServiceModel, data: bytes | str) -> list[tuple[str, str]]:
    """The pairs of a form, as ``parse_qsl(text, keep_blank_values=True, errors="strict")``
    reads them (empty pieces skipped, a piece without ``=`` has an empty value)."""
    if not data:
        return []
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        pairs = []
        for piece in text.split("&"):
            if piece:
                name, _, value = piece.partition("=")
                if "%" in name or "+" in name:
                    name = _form_text(name)
                if "%" in value or "+" in value:
                    value = _form_text(value)
                pairs.append((name, value))
        return pairs
    except (UnicodeDecodeError, ValueError) as error:
        raise malformed_request(service, "The request is not valid UTF-8 form data.") from error


def _form_text(raw: str) -> str:
    """``raw`` form-decoded, as ``unquote(raw.replace("+", " "), errors="strict")`` reads it.

    Each escape of :data:`_PLAIN_ESCAPES` is replaced wherever it occurs, one escape after the
    other: every ``%`` followed by two hex digits starts an escape, and as no replacement is a
    ``%`` or a hex digit, none can make or unmake another. Anything else (UTF-8 sequences,
    ``%25``, a stray ``%``) is left to ``unquote``, from the start.
    """
    text = raw.replace("+", " ") if "+" in raw else raw
    at = text.find("%")
    if at < 0:
        return text
    original = text
    while at >= 0:
        escape = text[at : at + 3]
        char = _PLAIN_ESCAPES.get(escape)
        if char is None:
            return unquote(original, encoding="utf-8", errors="strict")
        text = text.replace(escape, char)
        at = text.find("%", at)
    return text


#: ``%xx`` (either case) of the ASCII characters that are neither ``%`` nor a hex digit.
_PLAIN_ESCAPES: dict[str, str] = {
    f"%{code:02{case}}": chr(code)
    for code in range(128)
    for case in "xX"
    if chr(code) not in "%0123456789abcdefABCDEF"
}


class _Reader:
    """Reads a key tree along a shape, collecting unreadable values as problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def structure(
        self, shape: StructureShape, node: _Node, path: tuple[Segment, ...]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            key = wire_name(member, name)
            child = node.children.get(key)
            if is_list(member) and is_flattened(member):
                # Items are named for the list member (``Attribute.1``); an explicitly
                # empty list still arrives under the list's own name (``Attributes=``).
                child = node.children.get(wire_name(member.member, key)) or child
            if child is None:
                continue
            value = self.read(member, child, (*path, name))
            if value is not _ABSENT:
                result[name] = value
        return result

    def read(self, shape: Shape, node: _Node, path: tuple[Segment, ...]) -> Any:
        if is_structure(shape):
            return self.structure(shape, node, path)
        if is_list(shape):
            return self.list(shape, node, path)
        if is_map(shape):
            return self.map(shape, node, path)
        if node.value is None:
            return _ABSENT
        try:
            return parse_text(shape, node.value)
        except ScalarError as error:
            self.problems.append(type_problem(path, error.expected, node.value))
            return _ABSENT

    def list(self, shape: ListShape, node: _Node, path: tuple[Segment, ...]) -> Any:
        if node.explicitly_empty:
            return []
        items = (
            node if is_flattened(shape) else node.children.get(wire_name(shape.member, "member"))
        )
        if items is None:
            return _ABSENT
        result = []
        for index, item in enumerate(items.indexed(), 1):
            value = self.read(shape.member, item, (*path, index))
            if value is not _ABSENT:
                result.append(value)
        return result

    def map(self, shape: MapShape, node: _Node, path: tuple[Segment, ...]) -> Any:
        if node.explicitly_empty:
            return {}
        entries = node if is_flattened(shape) else node.children.get("entry")
        if entries is None:
            return _ABSENT
        key_name, value_name = wire_name(shape.key, "key"), wire_name(shape.value, "value")
        result: dict[str, Any] = {}
        for entry in entries.indexed():
            key_node = entry.children.get(key_name)
            value_node = entry.children.get(value_name)
            if key_node is None or key_node.value is None or value_node is None:
                continue
            value = self.read(shape.value, value_node, (*path, MapKey(key_node.value)))
            if value is not _ABSENT:
                result[key_node.value] = value
        return result


# ----------------------------------------------------------------------------- responses


def serialize_result(
    operation: OperationModel, result: Mapping[str, Any], *, request_id: str
) -> HttpResponse:
    """``result`` (member name → value, per the output shape) as a Query XML response."""
    head, middle, tail = _envelope(operation)
    out: list[str] = [head]
    shape = operation.output_shape
    if shape is not None:
        _write_members(shape, result, out)
    out += (middle, _escape(request_id), tail)
    return _response(200, request_id, out)


@functools.lru_cache(maxsize=1024)
def _envelope(operation: OperationModel) -> tuple[str, str, str]:
    """The fixed text of ``operation``'s responses: before the result's members, between them
    and the request id, after it."""
    name = operation.name
    head = f"<{name}Response{_xmlns(operation.service_model)}>"
    middle = tail = ""
    shape = operation.output_shape
    wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
    if wrapper:
        head += f"<{wrapper}>"
        middle = f"</{wrapper}>"
    middle += "<ResponseMetadata><RequestId>"
    tail = f"</RequestId></ResponseMetadata></{name}Response>"
    return head, middle, tail


def serialize_error(service: ServiceModel, error: AwsError, *, request_id: str) -> HttpResponse:
    """An ``<ErrorResponse>`` with the error's status; modelled extra fields included."""
    resolved = resolve(service, error)
    out = [
        f"<ErrorResponse{_xmlns(service)}><Error>",
        f"<Type>{'Sender' if resolved.sender_fault else 'Receiver'}</Type>",
        f"<Code>{_escape(resolved.code)}</Code>",
        f"<Message>{_escape(resolved.message)}</Message>",
    ]
    if resolved.shape is not None:
        extra = {
            name: value
            for name, value in resolved.fields.items()
            if name.lower() not in ("message", "code", "type")
        }
        _write_members(resolved.shape, extra, out)
    out.append(f"</Error><RequestId>{_escape(request_id)}</RequestId></ErrorResponse>")
    return _response(resolved.status, request_id, out)


def _response(status: int, request_id: str, parts: Iterable[str]) -> HttpResponse:
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
    return HttpResponse(status, headers, "".join(parts).encode("utf-8"))


def _xmlns(service: ServiceModel) -> str:
    namespace = service.metadata.get("xmlNamespace")
    return f' xmlns="{_escape(str(namespace))}"' if namespace else ""


def _write_members(shape: StructureShape, value: Mapping[str, Any], out: list[str]) -> None:
    for name, member in shape.members.items():
        member_value = value.get(name)
        if member_value is not None:
            _write(member, member_value, wire_name(member, name), out)


def _write(shape: Shape, value: Any, tag: str, out: list[str]) -> None:
    if is_structure(shape):
        out.append(f"<{tag}>")
        _write_members(shape, value, out)
        out.append(f"</{tag}>")
    elif is_list(shape):
        if is_flattened(shape):
            item_tag = wire_name(shape.member, tag)
            for item in value:
                _write(shape.member, item, item_tag, out)
            return
        out.append(f"<{tag}>")
        item_tag = wire_name(shape.member, "member")
        for item in value:
            _write(shape.member, item, item_tag, out)
        out.append(f"</{tag}>")
    elif is_map(shape):
        key_tag, value_tag = wire_name(shape.key, "key"), wire_name(shape.value, "value")
        flattened = is_flattened(shape)
        if not flattened:
            out.append(f"<{tag}>")
        for key, item in value.items():
            out.append(f"<{tag}>" if flattened else "<entry>")
            _write(shape.key, key, key_tag, out)
            _write(shape.value, item, value_tag, out)
            out.append(f"</{tag}>" if flattened else "</entry>")
        if not flattened:
            out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_escape(format_text(shape, value, ISO8601))}</{tag}>")


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _escape(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:  # most text: nothing to replace
        return text
    return _NOT_XML.sub("\ufffd", text).translate(_XML_ESCAPES)
