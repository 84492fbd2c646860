"""The AWS REST-JSON protocol (SESv2): routed HTTP requests in, JSON out.

Requests: the :class:`~.routing.RestRouter` picks the operation from method and raw path;
then each input member is read from where its ``location`` trait puts it — ``uri`` labels
(already percent-decoded), ``querystring`` (one value, a repeated key for lists, or every
unclaimed parameter for a map), ``header`` (timestamps in any AWS format, lists
comma-separated with ``"``-quoting, ``jsonvalue`` headers as base64 JSON), ``headers``
(a prefix map; header names are matched case-insensitively, so its keys come back
lower-cased) — and the rest from the JSON object in the body, or the whole body for a
``payload`` member (raw bytes/text for blob/string payloads). JSON values must have the
member's JSON type (a number for an integer, base64 text for a blob, epoch seconds or ISO
text for a timestamp); ``null`` counts as absent. Unreadable values (or, when every value
reads, failed constraints) are all reported in one ``BadRequestException`` (see
:mod:`.validation`); a body that is not a JSON object is a ``BadRequestException`` too.

Responses: status ``http.responseCode`` (default 200) unless a ``statusCode`` member says
otherwise; ``header``/``headers`` members become headers; the rest is the JSON body (or the
payload member). Timestamps are epoch seconds, blobs base64. Errors are
``{"message": ...}`` (plus any modelled fields) with ``x-amzn-ErrorType: <Code>`` and the
status from the model's ``error.httpStatusCode`` unless the error carries its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from openses.api.protocol.errors import (
    AwsError,
    malformed_request,
    resolve,
    unknown_route,
    validation_failed,
)
from openses.api.protocol.headers import format_header, parse_header
from openses.api.protocol.routing import RestRouter
from openses.api.protocol.scalars import (
    SPECIAL_FLOATS,
    UNIX_TIMESTAMP,
    ScalarError,
    check_integer,
    decode_base64,
    encode_base64,
    format_float,
    format_timestamp,
    parse_text,
    parse_timestamp,
    timestamp_format,
)
from openses.api.protocol.shapes import (
    FLOAT_TYPES,
    INTEGER_TYPES,
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
    is_list,
    is_map,
    is_structure,
    wire_name,
)
from openses.api.protocol.validation import MapKey, Problem, Segment, type_problem, validate
from openses.api.protocol.wire import HttpResponse, ParsedRequest

CONTENT_TYPE = "application/json"
RAW_PAYLOADS = ("blob", "string")
_ABSENT: Any = object()


# ------------------------------------------------------------------------------ requests


def parse_request(
    router: RestRouter,
    *,
    method: str,
    path: str,
    query_string: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    validate_input: bool = True,
) -> ParsedRequest:
    """Read a REST-JSON request. ``path`` is the raw, still percent-encoded path."""
    service = router.service
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise malformed_request(service, "The query string is not valid UTF-8.") from error
    query: dict[str, list[str]] = {}
    for key, value in pairs:
        query.setdefault(key, []).append(value)
    match = router.match(method, path, query)
    if match is None:
        raise unknown_route(method, path)
    operation = service.operation_model(match.operation)
    shape = operation.input_shape
    params: dict[str, Any] = {}
    if shape is not None:
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        reader = _Reader(service)
        params = reader.request(shape, match.labels, query, lowered, body)
        problems = reader.problems or (validate(shape, params) if validate_input else [])
        if problems:
            raise validation_failed(service, problems)
    return ParsedRequest(operation, params)


class _Reader:
    def __init__(self, service: ServiceModel) -> None:
        self.service = service
        self.problems: list[Problem] = []

    def request(
        self,
        shape: StructureShape,
        labels: Mapping[str, str],
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        claimed = {
            wire_name(member, name)
            for name, member in shape.members.items()
            if member.serialization.get("location") == "querystring" and not is_map(member)
        }
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            key = wire_name(member, name)
            value: Any = _ABSENT
            if location == "uri" and key in labels:
                value = self.text(member, labels[key], (name,))
            elif location == "querystring":
                value = self.query_member(member, key, query, claimed, name)
            elif location == "header" and key.lower() in headers:
                value = self.header(member, headers[key.lower()], (name,))
            elif location == "headers":
                prefix = key.lower()
                found = {h[len(prefix) :]: v for h, v in headers.items() if h.startswith(prefix)}
                value = found or _ABSENT
            if value is not _ABSENT:
                params[name] = value
        payload = shape.serialization.get("payload")
        if isinstance(payload, str):
            member = shape.members[payload]
            if member.type_name == "blob":
                value = body if body else _ABSENT
            elif member.type_name == "string":
                value = body.decode("utf-8", errors="replace") if body else _ABSENT
            else:
                value = self.json(member, self.body(body), (payload,)) if body else _ABSENT
            if value is not _ABSENT:
                params[payload] = value
        else:
            document = self.body(body) if body.strip() else {}
            if not isinstance(document, dict):
                raise malformed_request(self.service, "The request body must be a JSON object.")
            params.update(self.json_members(shape, document, (), body_only=True))
        return params

    def body(self, body: bytes) -> Any:
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            raise malformed_request(self.service, "The request body is not valid JSON.") from error

    def query_member(
        self,
        member: Shape,
        key: str,
        query: Mapping[str, list[str]],
        claimed: set[str],
        name: str,
    ) -> Any:
        if is_map(member):
            found: dict[str, Any] = {}
            for query_key, given in query.items():
                if query_key in claimed:
                    continue
                if is_list(member.value):
                    found[query_key] = [self.text(member.value.member, v, (name,)) for v in given]
                else:
                    found[query_key] = self.text(member.value, given[0], (name,))
            return found or _ABSENT
        values = query.get(key)
        if values is None:
            return _ABSENT
        if is_list(member):
            return [self.text(member.member, v, (name, i)) for i, v in enumerate(values, 1)]
        return self.text(member, values[0], (name,))

    def header(self, member: Shape, text: str, path: tuple[Segment, ...]) -> Any:
        try:
            return parse_header(member, text)
        except ScalarError as error:
            self.problems.append(type_problem(path, error.expected, text))
            return _ABSENT

    def text(self, shape: Shape, text: str, path: tuple[Segment, ...]) -> Any:
        try:
            return parse_text(shape, text)
        except ScalarError as error:
            self.problems.append(type_problem(path, error.expected, text))
            return _ABSENT

    def json_members(
        self,
        shape: StructureShape,
        document: Mapping[str, Any],
        path: tuple[Segment, ...],
        body_only: bool = False,
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            if body_only and "location" in member.serialization:
                continue
            value = self.json(member, document.get(wire_name(member, name)), (*path, name))
            if value is not _ABSENT:
                result[name] = value
        return result

    def json(self, shape: Shape, value: Any, path: tuple[Segment, ...]) -> Any:
        if value is None:
            return _ABSENT
        if is_structure(shape):
            if shape.is_document_type:
                return value
            if isinstance(value, dict):
                return self.json_members(shape, value, path)
        elif is_list(shape):
            if isinstance(value, list):
                items = (self.json(shape.member, v, (*path, i)) for i, v in enumerate(value, 1))
                return [item for item in items if item is not _ABSENT]
        elif is_map(shape):
            if isinstance(value, dict):
                pairs = (
                    (k, self.json(shape.value, v, (*path, MapKey(k)))) for k, v in value.items()
                )
                return {k: v for k, v in pairs if v is not _ABSENT}
        else:
            try:
                return json_scalar(shape, value)
            except ScalarError:
                pass
        self.problems.append(type_problem(path, shape.type_name, value))
        return _ABSENT


def json_scalar(shape: Shape, value: Any) -> Any:
    """A scalar member's value from its JSON form; :class:`ScalarError` if of the wrong type."""
    kind = shape.type_name
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in INTEGER_TYPES and number and isinstance(value, int):
        return check_integer(kind, value)
    if kind in FLOAT_TYPES and number:
        return float(value)
    if kind in FLOAT_TYPES and isinstance(value, str) and value in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[value]
    if kind == "blob" and isinstance(value, str):
        return decode_base64(value)
    if kind == "timestamp" and (number or isinstance(value, str)):
        return parse_timestamp(value)
    raise ScalarError(kind)


# ----------------------------------------------------------------------------- responses


def serialize_result(
    operation: OperationModel, result: Mapping[str, Any], *, request_id: str
) -> HttpResponse:
    """``result`` (member name → value, per the output shape) as a REST-JSON response."""
    status = int(operation.http.get("responseCode", 200))
    headers = {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": request_id}
    shape = operation.output_shape
    if shape is None:
        return HttpResponse(status, headers, b"{}")
    payload = shape.serialization.get("payload")
    raw_payload = isinstance(payload, str) and shape.members[payload].type_name in RAW_PAYLOADS
    if raw_payload:
        headers["Content-Type"] = "application/octet-stream"
    for name, member in shape.members.items():
        value = result.get(name)
        location = member.serialization.get("location")
        if value is None or location is None:
            continue
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            headers[wire_name(member, name)] = format_header(member, value)
        elif location == "headers":
            prefix = wire_name(member, name)
            headers.update({prefix + key: str(item) for key, item in value.items()})
    if not isinstance(payload, str):
        return HttpResponse(status, headers, _dump(_json_members(shape, result, body_only=True)))
    value = result.get(payload)
    if raw_payload:
        raw = value if isinstance(value, bytes) else str(value or "").encode("utf-8")
        return HttpResponse(status, headers, raw)
    document = to_json(shape.members[payload], value) if value is not None else {}
    return HttpResponse(status, headers, _dump(document))


def serialize_error(service: ServiceModel, error: AwsError, *, request_id: str) -> HttpResponse:
    """``{"message": ...}`` with ``x-amzn-ErrorType`` and the error's (or model's) status."""
    resolved = resolve(service, error)
    document: dict[str, Any] = {"message": resolved.message}
    if resolved.shape is not None:
        fields = {k: v for k, v in resolved.fields.items() if k.lower() != "message"}
        document.update(_json_members(resolved.shape, fields, body_only=True))
    headers = {
        "Content-Type": CONTENT_TYPE,
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": resolved.code,
    }
    return HttpResponse(resolved.status, headers, _dump(document))


def _dump(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _json_members(
    shape: StructureShape, value: Mapping[str, Any], body_only: bool = False
) -> dict[str, Any]:
    return {
        wire_name(member, name): to_json(member, value[name])
        for name, member in shape.members.items()
        if value.get(name) is not None and not (body_only and "location" in member.serialization)
    }


def to_json(shape: Shape, value: Any) -> Any:
    """A result value as its JSON form per ``shape``."""
    kind = shape.type_name
    if is_structure(shape):
        return value if shape.is_document_type else _json_members(shape, value)
    if is_list(shape):
        return [to_json(shape.member, item) for item in value]
    if is_map(shape):
        return {str(key): to_json(shape.value, item) for key, item in value.items()}
    if kind == "blob":
        return encode_base64(value)
    if kind == "timestamp":
        return format_timestamp(value, timestamp_format(shape, UNIX_TIMESTAMP))
    if kind in FLOAT_TYPES:
        return format_float(float(value))
    if kind in INTEGER_TYPES:
        return int(value)
    if kind == "boolean":
        return bool(value)
    return str(value)
