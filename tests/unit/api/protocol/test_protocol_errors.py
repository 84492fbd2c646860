"""Error answers as botocore reads them: code, message, type and HTTP status."""

from __future__ import annotations

from typing import Any, cast

import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from openses.api.protocol import (
    AwsError,
    HttpResponse,
    modelled_error,
    not_supported,
    query,
    restjson,
)
from openses.api.protocol.errors import resolve
from tests.unit.api.protocol.protocol_oracle import registry, service, wire_request


def botocore_error(service_name: str, response: HttpResponse) -> dict[str, Any]:
    """What botocore's parser makes of an error response (status included)."""
    model = service(service_name)
    parsed = create_parser(model.protocol).parse(
        {
            "status_code": response.status,
            "headers": HeadersDict(response.headers),
            "body": response.body,
        },
        None,
    )
    return cast(dict[str, Any], parsed)


def query_error(service_name: str, error: AwsError) -> dict[str, Any]:
    response = query.serialize_error(service(service_name), error, request_id="req-9")
    parsed = botocore_error(service_name, response)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == response.status
    return parsed


def rest_error(error: AwsError) -> tuple[int, dict[str, Any]]:
    response = restjson.serialize_error(service("sesv2"), error, request_id="req-9")
    parsed = botocore_error("sesv2", response)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"
    return response.status, parsed["Error"]


# ------------------------------------------------------------------------------ Query


@pytest.mark.parametrize(
    ("service_name", "error", "code", "status", "fault"),
    [
        ("ses", AwsError("ValidationError", "1 validation error detected", 400), "ValidationError",
         400, "Sender"),
        ("ses", modelled_error(service("ses"), "MessageRejected", "Email address is not verified."),
         "MessageRejected", 400, "Sender"),
        ("ses", modelled_error(service("ses"), "AlreadyExistsException", "exists"),
         "AlreadyExists", 400, "Sender"),
        ("ses", AwsError("Throttling", "Maximum sending rate exceeded."), "Throttling", 400,
         "Sender"),
        ("ses", AwsError("InternalFailure", "boom", 500, sender_fault=False), "InternalFailure",
         500, "Receiver"),
        ("iam", modelled_error(service("iam"), "NoSuchEntityException", "The user bob cannot be "
         "found."), "NoSuchEntity", 404, "Sender"),
        ("iam", AwsError("EntityAlreadyExists", "User with name bob already exists."),
         "EntityAlreadyExists", 409, "Sender"),
        ("iam", AwsError("ServiceFailure", "x"), "ServiceFailure", 500, "Receiver"),
        ("sts", AwsError("AccessDenied", "not authorized & <denied>", 403), "AccessDenied", 403,
         "Sender"),
    ],
)  # fmt: skip
def test_query_error_reads_as_code_message_type_and_status(
    service_name: str, error: AwsError, code: str, status: int, fault: str
) -> None:
    parsed = query_error(service_name, error)
    assert parsed["Error"] == {"Type": fault, "Code": code, "Message": error.message}
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status


def test_query_error_envelope() -> None:
    response = query.serialize_error(
        service("ses"), AwsError("MessageRejected", "no"), request_id="r"
    )
    assert response.body == (
        b'<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error>'
        b"<Type>Sender</Type><Code>MessageRejected</Code><Message>no</Message></Error>"
        b"<RequestId>r</RequestId></ErrorResponse>"
    )


def test_query_modelled_fields_are_written_inside_error() -> None:
    error = modelled_error(
        service("ses"), "TemplateDoesNotExistException", "Template t does not exist.",
        TemplateName="t",
    )  # fmt: skip
    response = query.serialize_error(service("ses"), error, request_id="r")
    assert b"<TemplateName>t</TemplateName></Error>" in response.body


# -------------------------------------------------------------------------- REST-JSON


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (modelled_error(service("sesv2"), "NotFoundException", "Identity x does not exist."),
         "NotFoundException", 404),
        (AwsError("TooManyRequestsException", "slow down"), "TooManyRequestsException", 429),
        (AwsError("ConflictException", "conflict"), "ConflictException", 409),
        (AwsError("AccessDeniedException", "denied", 403), "AccessDeniedException", 403),
        (AwsError("MessageRejected", 'quote " and \\ backslash'), "MessageRejected", 400),
        (AwsError("InternalServiceErrorException", "x"), "InternalServiceErrorException", 500),
    ],
)  # fmt: skip
def test_rest_json_error_reads_as_code_message_and_status(
    error: AwsError, code: str, status: int
) -> None:
    got_status, parsed = rest_error(error)
    assert got_status == status
    assert parsed == {"Code": code, "Message": error.message}


def test_rest_json_error_shape() -> None:
    response = restjson.serialize_error(
        service("sesv2"), AwsError("NotFoundException", "gone"), request_id="r"
    )
    assert response.status == 404
    assert response.headers["x-amzn-ErrorType"] == "NotFoundException"
    assert response.body == b'{"message":"gone"}'


def test_explicit_status_wins_over_the_model() -> None:
    resolved = resolve(service("sesv2"), AwsError("NotFoundException", "m", status=410))
    assert resolved.status == 410


# ------------------------------------------------------------------ protocol-level answers


def test_not_supported_query_is_invalid_action() -> None:
    parsed = query_error("ses", not_supported(service("ses"), "CreateReceiptRule"))
    assert parsed["Error"]["Code"] == "InvalidAction"
    assert parsed["Error"]["Message"] == (
        "Operation CreateReceiptRule is not supported by this server."
    )
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_not_supported_rest_json_is_501() -> None:
    status, parsed = rest_error(not_supported(service("sesv2"), "CreateDedicatedIpPool"))
    assert status == 501
    assert parsed["Code"] == "NotImplementedException"


def test_unknown_query_action() -> None:
    with pytest.raises(AwsError) as caught:
        query.parse_request(service("ses"), body=b"Action=SendPigeon&Version=2010-12-01")
    assert caught.value.code == "InvalidAction"
    assert caught.value.message == "Could not find operation SendPigeon for version 2010-12-01"


def test_missing_query_action() -> None:
    with pytest.raises(AwsError) as caught:
        query.parse_request(service("ses"), body=b"Version=2010-12-01&Source=a")
    assert (caught.value.code, caught.value.status) == ("MissingAction", 400)


def test_action_in_the_query_string_with_parameters_in_the_body() -> None:
    parsed = query.parse_request(
        service("ses"), query_string="Action=ListIdentities", body=b"MaxItems=5"
    )
    assert (parsed.name, parsed.params) == ("ListIdentities", {"MaxItems": 5})


def test_query_body_must_be_utf8() -> None:
    with pytest.raises(AwsError) as caught:
        query.parse_request(service("ses"), body=b"Action=ListIdentities&NextToken=%ff%fe")
    assert caught.value.code == "MalformedQueryString"


def test_unrouted_rest_path_is_404_unknown_operation() -> None:
    with pytest.raises(AwsError) as caught:
        restjson.parse_request(registry().router("sesv2"), method="GET", path="/v2/email/nope")
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 404)
    with pytest.raises(AwsError):
        restjson.parse_request(registry().router("sesv2"), method="PATCH", path="/v2/email/account")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"[" * 100_000])
def test_rest_json_body_must_be_a_json_object(body: bytes) -> None:
    wire = wire_request("sesv2", "SendEmail", {"Content": {"Raw": {"Data": b"x"}}})
    with pytest.raises(AwsError) as caught:
        restjson.parse_request(
            registry().router("sesv2"), method=wire.method, path=wire.path, body=body
        )
    assert (caught.value.code, caught.value.status) == ("BadRequestException", 400)
