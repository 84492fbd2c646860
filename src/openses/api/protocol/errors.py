"""Errors at the HTTP edge: one exception type, and the protocol-level answers built from it.

Hierarchy::

    AwsError                    any error answered to a client: code, message, status, fault
    └── (instances built by)    invalid_action, missing_action, malformed_request,
                                unknown_route, not_supported, validation_failed,
                                modelled_error

Handlers raise :class:`AwsError` (usually via :func:`modelled_error`, which reads the code,
HTTP status and fault from the service model); codecs raise it for requests they cannot read.
:func:`resolve` fills what the raiser left open (status, fault) from the model, so a modelled
code answered without a status still gets the model's status.

The uniform answer for an operation the model knows but OpenSES does not implement
(:func:`not_supported`):

* Query APIs: ``InvalidAction``, HTTP 400, ``Sender`` — the code every Query API uses for an
  action it does not offer (an unknown action gets the same code with AWS's wording, "Could
  not find operation X for version Y"). Clients do not retry a 400.
* REST-JSON: ``NotImplementedException``, HTTP 501 — 501 is HTTP's own "not implemented",
  SDKs do not retry it, and the name clashes with no SESv2 error. (LocalStack answers 501
  too, with the less telling code ``InternalFailure``.) A path that matches no route at all
  gets ``UnknownOperationException`` with 404, as AWS's REST-JSON front ends answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openses.api.protocol.shapes import ServiceModel, StructureShape
from openses.api.protocol.validation import Problem, describe

QUERY = "query"
REST_JSON = "rest-json"


class AwsError(Exception):
    """An error for the client. ``status``/``sender_fault`` ``None`` = take from the model.

    ``fields`` carries extra members of a modelled error shape (e.g. SES v1
    ``TemplateDoesNotExist`` has ``TemplateName``); codecs include those the shape declares.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        sender_fault: bool | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.fields: Mapping[str, Any] = dict(fields or {})


@dataclass(frozen=True, slots=True)
class ResolvedError:
    """An :class:`AwsError` with every blank filled in, ready to serialize."""

    code: str
    message: str
    status: int
    sender_fault: bool
    fields: Mapping[str, Any]
    shape: StructureShape | None


def error_shape(service: ServiceModel, code: str) -> StructureShape | None:
    """The model's error shape for a wire code (Query codes may differ from shape names)."""
    if service.protocol == QUERY:
        return service.shape_for_error_code(code)
    for shape in service.error_shapes:
        if shape.name == code:
            return shape
    return None


def resolve(service: ServiceModel, error: AwsError) -> ResolvedError:
    shape = error_shape(service, error.code)
    traits: Mapping[str, Any] = (shape.metadata.get("error") or {}) if shape is not None else {}
    status = error.status
    if status is None:
        status = int(traits.get("httpStatusCode", 400))
    sender_fault = error.sender_fault
    if sender_fault is None:
        sender_fault = bool(traits.get("senderFault", status < 500))
    return ResolvedError(error.code, error.message, status, sender_fault, error.fields, shape)


def modelled_error(service: ServiceModel, shape_name: str, message: str, **fields: Any) -> AwsError:
    """An error of a modelled error shape, with its wire code, status and fault."""
    shape = service.shape_for(shape_name)
    traits: Mapping[str, Any] = shape.metadata.get("error") or {}
    code = str(traits.get("code", shape_name)) if service.protocol == QUERY else shape_name
    status = int(traits.get("httpStatusCode", 400))
    fault = bool(traits.get("senderFault", status < 500))
    return AwsError(code, message, status, fault, fields)


def invalid_action(service: ServiceModel, action: str) -> AwsError:
    """A Query request naming an action the API does not have."""
    return AwsError(
        "InvalidAction",
        f"Could not find operation {action} for version {service.api_version}",
        400,
        True,
    )


def missing_action() -> AwsError:
    return AwsError("MissingAction", "The request must contain the parameter Action.", 400, True)


def malformed_request(service: ServiceModel, detail: str) -> AwsError:
    """A body or query string that cannot be decoded at all."""
    if service.protocol == QUERY:
        return AwsError("MalformedQueryString", detail, 400, True)
    return AwsError("BadRequestException", detail, 400, True)


def unknown_route(method: str, path: str) -> AwsError:
    """A REST request whose method and path match no operation."""
    return AwsError(
        "UnknownOperationException", f"No operation answers {method} {path}.", 404, True
    )


def not_supported(service: ServiceModel, operation: str) -> AwsError:
    """The uniform answer for an operation in the model that OpenSES does not implement."""
    message = f"Operation {operation} is not supported by this server."
    if service.protocol == QUERY:
        return AwsError("InvalidAction", message, 400, True)
    return AwsError("NotImplementedException", message, 501, False)


def validation_failed(service: ServiceModel, problems: Sequence[Problem]) -> AwsError:
    """Rejected input, in the code and wording of the service's API (see ``validation``)."""
    code = "ValidationError" if service.protocol == QUERY else "BadRequestException"
    return AwsError(code, describe(problems), 400, True)
