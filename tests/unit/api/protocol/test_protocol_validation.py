"""Input validation: which constraint, at which path, in AWS's wording and each API's code."""

from __future__ import annotations

from typing import Any

import pytest

from openses.api.protocol import AwsError, describe, query, restjson, validate
from openses.api.protocol.validation import MapKey, Problem, compile_pattern, render_path
from tests.unit.api.protocol.protocol_oracle import (
    operation,
    registry,
    round_trip_request,
    service,
    wire_request,
)

NULL = "failed to satisfy constraint: Member must not be null"


def query_rejection(service_name: str, operation_name: str, params: dict[str, Any]) -> AwsError:
    with pytest.raises(AwsError) as caught:
        round_trip_request(service_name, operation_name, params)
    assert (caught.value.code, caught.value.status) == ("ValidationError", 400)
    return caught.value


def raw_query_rejection(service_name: str, body: str) -> AwsError:
    with pytest.raises(AwsError) as caught:
        query.parse_request(service(service_name), body=body.encode())
    assert (caught.value.code, caught.value.status) == ("ValidationError", 400)
    return caught.value


def rest_rejection(method: str, path: str, body: bytes = b"", query_string: str = "") -> AwsError:
    with pytest.raises(AwsError) as caught:
        restjson.parse_request(
            registry().router("sesv2"),
            method=method,
            path=path,
            query_string=query_string,
            body=body,
        )
    assert (caught.value.code, caught.value.status) == ("BadRequestException", 400)
    return caught.value


# ------------------------------------------------------------------------- Query APIs


def test_missing_required_members_are_reported_as_ses_does() -> None:
    error = query_rejection("ses", "SendEmail", {"Source": "s@example.com"})
    assert error.message == (
        f"2 validation errors detected: Value null at 'destination' {NULL}; "
        f"Value null at 'message' {NULL}"
    )


def test_missing_nested_and_list_item_members_have_aws_paths() -> None:
    params = {
        "Source": "s@example.com",
        "Destination": {},
        "Message": {"Subject": {"Charset": "UTF-8"}, "Body": {}},
        "Tags": [{"Name": "ok", "Value": "v"}, {"Value": "no name"}],
    }
    error = query_rejection("ses", "SendEmail", params)
    # An empty structure puts nothing on the Query wire, so it is as absent as AWS sees it.
    assert error.message == (
        f"4 validation errors detected: Value null at 'destination' {NULL}; "
        f"Value null at 'message.body' {NULL}; "
        f"Value null at 'message.subject.data' {NULL}; "
        f"Value null at 'tags.2.member.name' {NULL}"
    )


@pytest.mark.parametrize(
    ("service_name", "body", "expected"),
    [
        ("iam", "Action=ListAccessKeys&MaxItems=abc",
         "Value 'abc' at 'maxItems' failed to satisfy constraint: Member must be of type integer"),
        ("iam", "Action=ListAccessKeys&MaxItems=99999999999",
         "Value '99999999999' at 'maxItems' failed to satisfy constraint: "
         "Member must be of type integer"),
        ("ses", "Action=SetIdentityDkimEnabled&Identity=a.com&DkimEnabled=maybe",
         "Value 'maybe' at 'dkimEnabled' failed to satisfy constraint: "
         "Member must be of type boolean"),
        ("ses", "Action=SendRawEmail&RawMessage.Data=not*base64",
         "Value 'not*base64' at 'rawMessage.data' failed to satisfy constraint: "
         "Member must be of type blob"),
    ],
)  # fmt: skip
def test_unreadable_values_are_type_problems(service_name: str, body: str, expected: str) -> None:
    assert (
        raw_query_rejection(service_name, body).message
        == f"1 validation error detected: {expected}"
    )


@pytest.mark.parametrize(
    ("service_name", "operation_name", "params", "expected"),
    [
        ("iam", "CreateUser", {"UserName": "u" * 65},
         f"Value '{'u' * 65}' at 'userName' failed to satisfy constraint: "
         "Member must have length less than or equal to 64"),
        ("iam", "CreateUser", {"UserName": "bob", "PermissionsBoundary": "arn:short"},
         "Value 'arn:short' at 'permissionsBoundary' failed to satisfy constraint: "
         "Member must have length greater than or equal to 20"),
        ("iam", "ListAccessKeys", {"MaxItems": 0},
         "Value '0' at 'maxItems' failed to satisfy constraint: "
         "Member must have value greater than or equal to 1"),
        ("iam", "ListAccessKeys", {"MaxItems": 1001},
         "Value '1001' at 'maxItems' failed to satisfy constraint: "
         "Member must have value less than or equal to 1000"),
        ("ses", "SetIdentityNotificationTopic", {"Identity": "a.com", "NotificationType": "Spam"},
         "Value 'Spam' at 'notificationType' failed to satisfy constraint: "
         "Member must satisfy enum value set: [Bounce, Complaint, Delivery]"),
        ("iam", "CreateUser", {"UserName": "no spaces"},
         "Value 'no spaces' at 'userName' failed to satisfy constraint: "
         "Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        ("iam", "CreateUser", {"UserName": "ünï"},
         "Value 'ünï' at 'userName' failed to satisfy constraint: "
         "Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
    ],
)  # fmt: skip
def test_constraint_violations(
    service_name: str, operation_name: str, params: dict[str, Any], expected: str
) -> None:
    error = query_rejection(service_name, operation_name, params)
    assert error.message == f"1 validation error detected: {expected}"


def test_every_failed_constraint_of_a_value_is_reported() -> None:
    error = query_rejection("iam", "ListAccessKeys", {"Marker": ""})
    assert error.message == (
        "2 validation errors detected: "
        "Value '' at 'marker' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '' at 'marker' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+"
    )


def test_list_length_limit() -> None:
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    error = query_rejection("iam", "CreateUser", {"UserName": "bob", "Tags": tags})
    assert error.message.startswith("1 validation error detected: Value '[")
    assert error.message.endswith(
        "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
    )


def test_bare_startswith_does_not_confuse_members_sharing_a_prefix() -> None:
    # "Destinations" must not be read from keys of a member named "Destination" (or back).
    parsed = query.parse_request(
        service("ses"),
        body=b"Action=SendRawEmail&RawMessage.Data=eA%3D%3D&DestinationsX.member.1=a"
        b"&Destinations.member.1=b&RawMessageX.Data=zz",
    )
    assert parsed.params == {"RawMessage": {"Data": b"x"}, "Destinations": ["b"]}


def test_validation_can_be_left_to_the_caller_but_unreadable_values_never_pass() -> None:
    parsed = query.parse_request(
        service("ses"), body=b"Action=SendEmail&Source=a", validate_input=False
    )
    assert parsed.params == {"Source": "a"}
    with pytest.raises(AwsError):
        query.parse_request(
            service("iam"), body=b"Action=ListAccessKeys&MaxItems=x", validate_input=False
        )


# ------------------------------------------------------------------------- REST-JSON


def test_rest_json_missing_required_member() -> None:
    error = rest_rejection("POST", "/v2/email/outbound-emails", b'{"FromEmailAddress": "a@b.c"}')
    assert error.message == f"1 validation error detected: Value null at 'content' {NULL}"


def test_rest_json_wrong_json_types() -> None:
    body = b'{"PageSize": "5", "NextToken": 7, "Filter": {"EMAIL_IDENTITY_TYPE": 1}}'
    error = rest_rejection("POST", "/v2/email/list-identities", body)
    assert error.message == (
        "3 validation errors detected: "
        "Value '1' at 'filter.EMAIL_IDENTITY_TYPE' failed to satisfy constraint: "
        "Member must be of type string; "
        "Value '7' at 'nextToken' failed to satisfy constraint: Member must be of type string; "
        "Value '5' at 'pageSize' failed to satisfy constraint: Member must be of type integer"
    )


@pytest.mark.parametrize(
    ("query_string", "fragment"),
    [
        ("PageSize=x", "Value 'x' at 'pageSize' failed to satisfy constraint: "
                       "Member must be of type integer"),
        ("StartDate=yesterday", "Value 'yesterday' at 'startDate' failed to satisfy constraint: "
                                "Member must be of type timestamp"),
    ],
)  # fmt: skip
def test_rest_json_query_string_types(query_string: str, fragment: str) -> None:
    error = rest_rejection("GET", "/v2/email/suppression/addresses", query_string=query_string)
    assert error.message == f"1 validation error detected: {fragment}"


def test_rest_json_enum_pattern_and_sensitive_values() -> None:
    wire = wire_request(
        "sesv2",
        "PutEmailIdentityDkimSigningAttributes",
        {
            "EmailIdentity": "example.com",
            "SigningAttributesOrigin": "NOPE",
            "SigningAttributes": {
                "DomainSigningSelector": "-bad-",
                "DomainSigningPrivateKey": "not base64!",
            },
        },
    )
    error = rest_rejection(wire.method, wire.path, wire.body)
    assert error.message.startswith("3 validation errors detected: ")
    assert (
        "Value '-bad-' at 'signingAttributes.domainSigningSelector' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: " in error.message
    )
    assert (
        "Value '*** Sensitive Data Redacted ***' at 'signingAttributes.domainSigningPrivateKey'"
        in error.message
    )
    assert "not base64!" not in error.message
    assert (
        "Value 'NOPE' at 'signingAttributesOrigin' failed to satisfy constraint: "
        "Member must satisfy enum value set: [AWS_SES, EXTERNAL, " in error.message
    )


def test_rest_json_blob_must_be_base64() -> None:
    error = rest_rejection(
        "POST", "/v2/email/outbound-emails", b'{"Content": {"Raw": {"Data": "%%%"}}}'
    )
    assert error.message == (
        "1 validation error detected: Value '%%%' at 'content.raw.data' failed to satisfy "
        "constraint: Member must be of type blob"
    )


def test_json_null_counts_as_absent() -> None:
    error = rest_rejection("POST", "/v2/email/outbound-emails", b'{"Content": null}')
    assert error.message == f"1 validation error detected: Value null at 'content' {NULL}"


# ---------------------------------------------------------------------- the validator


def test_validate_checks_python_types_of_handler_supplied_params() -> None:
    shape = operation("iam", "ListAccessKeys").input_shape
    assert shape is not None
    assert validate(shape, {"UserName": "bob", "MaxItems": 5}) == []
    problems = validate(shape, {"UserName": 5, "MaxItems": True, "Marker": None})
    assert [str(problem) for problem in problems] == [
        "Value '5' at 'userName' failed to satisfy constraint: Member must be of type string",
        "Value 'True' at 'maxItems' failed to satisfy constraint: Member must be of type integer",
    ]


def test_describe_and_paths() -> None:
    one = Problem(("Tags", 2, "Key"), "Member must not be null")
    assert (
        describe([one]) == f"1 validation error detected: Value null at 'tags.2.member.key' {NULL}"
    )
    assert render_path(("Attributes", MapKey("Color"), "Name")) == "attributes.Color.name"
    assert describe([one, one]).startswith("2 validation errors detected: ")


def test_patterns_python_cannot_read_are_skipped() -> None:
    assert compile_pattern(r"[\p{L}\p{Z}]+") is None
    compiled = compile_pattern(r"[\w+=,.@-]+")
    assert compiled is not None
    assert compiled.fullmatch("ü") is None
