"""botocore as the oracle: its client serializer makes our requests, its parsers read our output.

``wire_request`` produces exactly the HTTP request a boto3 client would send (method, raw
path, query string, headers, body bytes); ``ours`` feeds it to the matching OpenSES codec;
``botocore_reads`` parses one of our responses the way a client does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import botocore.session
from botocore.awsrequest import (
    AWSResponse,
    HeadersDict,
    create_request_object,
    prepare_request_dict,
)
from botocore.config import Config
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from openses.api.protocol import (
    SERVICE_NAMES,
    AwsError,
    HttpResponse,
    ParsedRequest,
    ServiceRegistry,
    query,
    restjson,
)
from openses.api.protocol.shapes import OperationModel, ServiceModel

ENDPOINT = "https://email.example.test"

#: Other services whose models use traits ours do not (yet): REST-JSON headers, payloads,
#: status codes and query-string maps; Query flattened lists (SimpleDB). The tests use them
#: to cover those paths of the codecs.
EXTRA_SERVICES = (
    "sdb",
    "lambda",
    "connect",
    "entityresolution",
    "amp",
    "amplifyuibuilder",
    "mediastore-data",
    "appconfig",
    "dataexchange",
    "datazone",
    "lex-runtime",
)


@functools.cache
def registry() -> ServiceRegistry:
    return ServiceRegistry(names=(*SERVICE_NAMES, *EXTRA_SERVICES))


def service(name: str) -> ServiceModel:
    return registry().service(name)


def operation(service_name: str, operation_name: str) -> OperationModel:
    return service(service_name).operation_model(operation_name)


@dataclass(frozen=True)
class WireRequest:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes


def wire_request(service_name: str, operation_name: str, params: Mapping[str, Any]) -> WireRequest:
    """The request botocore's own client serializer builds for ``params``."""
    model = service(service_name)
    serializer = create_serializer(model.protocol, include_validation=False)
    request_dict = serializer.serialize_to_request(
        dict(params), model.operation_model(operation_name)
    )
    prepare_request_dict(request_dict, ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return WireRequest(
        method=str(prepared.method),
        path=url.path,
        query_string=url.query,
        headers={str(k): str(v) for k, v in prepared.headers.items()},
        body=body,
    )


def ours(service_name: str, request: WireRequest) -> ParsedRequest:
    """Our codec's reading of a wire request."""
    model = service(service_name)
    if model.protocol == "query":
        return query.parse_request(model, body=request.body, query_string=request.query_string)
    return restjson.parse_request(
        registry().router(service_name),
        method=request.method,
        path=request.path,
        query_string=request.query_string,
        headers=request.headers,
        body=request.body,
    )


def round_trip_request(
    service_name: str, operation_name: str, params: Mapping[str, Any]
) -> ParsedRequest:
    return ours(service_name, wire_request(service_name, operation_name, params))


def serialize_result(
    service_name: str, operation_name: str, result: Mapping[str, Any]
) -> HttpResponse:
    model = operation(service_name, operation_name)
    if service(service_name).protocol == "query":
        return query.serialize_result(model, result, request_id="req-1")
    return restjson.serialize_result(model, result, request_id="req-1")


def botocore_reads(
    service_name: str, operation_name: str, response: HttpResponse
) -> dict[str, Any]:
    """What a botocore client parses from ``response`` (without ``ResponseMetadata``)."""
    model = service(service_name)
    parser = create_parser(model.protocol)
    parsed = parser.parse(
        {
            "status_code": response.status,
            "headers": HeadersDict(response.headers),
            "body": response.body,
        },
        model.operation_model(operation_name).output_shape,
    )
    result = cast(dict[str, Any], parsed)
    metadata = result.pop("ResponseMetadata", {})
    assert metadata.get("RequestId") == "req-1"
    return result


Handler = Callable[[str, dict[str, Any]], Mapping[str, Any]]


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def in_process_client(service_name: str, handler: Handler, *, validate: bool = True) -> Any:
    """A real botocore client whose HTTP layer is our codec in front of ``handler``.

    The client serializes and signs as usual; a ``before-send`` hook hands the prepared
    request to our parser, calls ``handler(operation, params)`` (which may raise
    :class:`AwsError`), serializes the outcome with our codec and returns it to the client,
    which parses it (or raises ``ClientError``) exactly as it would for AWS. With
    ``validate=False`` the client skips its own parameter validation, so that requests AWS
    would reject reach the server.
    """
    model = service(service_name)
    codec = query if model.protocol == "query" else restjson
    client = botocore.session.get_session().create_client(
        service_name,
        region_name="us-east-1",
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, parameter_validation=validate),
    )

    def answer(request: Any, **_: Any) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body or b""
        wire = WireRequest(
            method=str(request.method),
            path=url.path,
            query_string=url.query,
            headers={str(k): str(v) for k, v in request.headers.items()},
            body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
        )
        try:
            parsed = ours(service_name, wire)
            result = handler(parsed.name, parsed.params)
            response = codec.serialize_result(parsed.operation, result, request_id="req-1")
        except AwsError as error:
            response = codec.serialize_error(model, error, request_id="req-1")
        return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))

    client.meta.events.register("before-send", answer)
    return client
