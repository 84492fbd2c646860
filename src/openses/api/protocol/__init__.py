"""AWS wire-protocol codecs driven by botocore service models.

An HTTP app uses it like this (handlers never see XML or JSON)::

    registry = ServiceRegistry()

    # Query (SES v1, IAM, STS, SNS): POST / with a form body
    ses = registry.service("ses")
    try:
        request = query.parse_request(ses, body=raw_body, query_string=raw_query)
        result = handler(request.name, request.params)  # or raise AwsError / not_supported
        response = query.serialize_result(request.operation, result, request_id=rid)
    except AwsError as error:
        response = query.serialize_error(ses, error, request_id=rid)

    # REST-JSON (SESv2): route on method + raw (percent-encoded) path
    router = registry.router("sesv2")
    request = restjson.parse_request(router, method=m, path=raw_path,
                                     query_string=raw_query, headers=hdrs, body=raw_body)
    response = restjson.serialize_result(request.operation, result, request_id=rid)
    response = restjson.serialize_error(router.service, error, request_id=rid)

Modules: :mod:`.models` (registry), :mod:`.routing` (REST router), :mod:`.query` and
:mod:`.restjson` (the codecs; :mod:`.query_plans` is the Query codec's fast path),
:mod:`.validation` (input constraints and AWS's wording), :mod:`.errors` (:class:`AwsError`
and the protocol-level answers), :mod:`.scalars` (text forms of scalars and timestamps),
:mod:`.headers` (header values of REST members), :mod:`.shapes` (typed view of botocore's
model), :mod:`.wire` (the request/response values).
"""

from __future__ import annotations

from openses.api.protocol import query, restjson
from openses.api.protocol.errors import (
    AwsError,
    modelled_error,
    not_supported,
    unknown_route,
    validation_failed,
)
from openses.api.protocol.models import SERVICE_NAMES, ServiceRegistry, UnknownService
from openses.api.protocol.routing import RestRouter, RouteMatch
from openses.api.protocol.validation import Problem, describe, validate
from openses.api.protocol.wire import HttpResponse, ParsedRequest

__all__ = [
    "SERVICE_NAMES",
    "AwsError",
    "HttpResponse",
    "ParsedRequest",
    "Problem",
    "RestRouter",
    "RouteMatch",
    "ServiceRegistry",
    "UnknownService",
    "describe",
    "modelled_error",
    "not_supported",
    "query",
    "restjson",
    "unknown_route",
    "validate",
    "validation_failed",
]
