"""Our serialized results, parsed by botocore's response parsers, give back the same dicts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openses.api.protocol import query, restjson
from tests.unit.api.protocol.protocol_oracle import botocore_reads, operation, serialize_result

T1 = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
T2 = datetime(2024, 5, 6, 7, 23, 9, 250000, tzinfo=UTC)
T3 = datetime(2024, 5, 6, 7, 38, 9, 123456, tzinfo=UTC)

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("ses", "GetSendQuota", {"Max24HourSend": 200.0, "MaxSendRate": 1.5, "SentLast24Hours": 3.0}),
    ("ses", "ListIdentities", {"Identities": ["example.com", "a@example.com"], "NextToken": "n"}),
    ("ses", "ListIdentities", {"Identities": []}),
    (
        "ses",
        "GetIdentityVerificationAttributes",
        {
            "VerificationAttributes": {
                "example.com": {"VerificationStatus": "Success", "VerificationToken": "tok+/="},
                "a@example.com": {"VerificationStatus": "Pending"},
            }
        },
    ),
    (
        "ses",
        "GetIdentityPolicies",
        {"Policies": {"p1": '{"Version": "2012-10-17", "Statement": []}', "p&<2>": "x\r\ny"}},
    ),
    ("ses", "GetIdentityPolicies", {"Policies": {}}),
    ("ses", "SendEmail", {"MessageId": "0100018f-abc-000000"}),
    (
        "ses",
        "GetSendStatistics",
        {
            "SendDataPoints": [
                {"Timestamp": T1, "DeliveryAttempts": 10, "Bounces": 1, "Complaints": 0},
                {"Timestamp": T2, "DeliveryAttempts": 0, "Rejects": 2},
                {"Timestamp": T3, "DeliveryAttempts": 5},
            ]
        },
    ),
    (
        "ses",
        "SendBulkTemplatedEmail",
        {
            "Status": [
                {"Status": "Success", "MessageId": "m1"},
                {"Status": "MessageRejected", "Error": "Email address is not verified."},
            ]
        },
    ),
    ("ses", "DeleteIdentity", {}),
    (
        "sesv2",
        "GetAccount",
        {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": True,
            "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 0.0},
            "SendingEnabled": True,
            "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            "Details": {
                "MailType": "TRANSACTIONAL",
                "WebsiteURL": "https://example.com",
                "ContactLanguage": "EN",
                "AdditionalContactEmailAddresses": ["ops@example.com"],
                "ReviewDetails": {"Status": "GRANTED", "CaseId": "c-1"},
            },
        },
    ),
    (
        "sesv2",
        "GetEmailIdentity",
        {
            "IdentityType": "DOMAIN",
            "FeedbackForwardingStatus": True,
            "VerifiedForSendingStatus": True,
            "DkimAttributes": {
                "SigningEnabled": True,
                "Status": "SUCCESS",
                "Tokens": ["t1", "t2", "t3"],
                "SigningAttributesOrigin": "AWS_SES",
                "NextSigningKeyLength": "RSA_2048_BIT",
                "CurrentSigningKeyLength": "RSA_2048_BIT",
                "LastKeyGenerationTimestamp": T3,
            },
            "MailFromAttributes": {
                "MailFromDomain": "bounce.example.com",
                "MailFromDomainStatus": "PENDING",
                "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
            },
            "Policies": {"p1": '{"Version": "2012-10-17"}', "p2": "{}"},
            "Tags": [{"Key": "env", "Value": "prod"}],
            "ConfigurationSetName": "set",
            "VerificationStatus": "SUCCESS",
        },
    ),
    ("sesv2", "SendEmail", {"MessageId": "0100018f-abc-000000"}),
    (
        "sesv2",
        "CreateEmailIdentity",
        {
            "IdentityType": "EMAIL_ADDRESS",
            "VerifiedForSendingStatus": False,
            "DkimAttributes": {"SigningEnabled": False, "Status": "NOT_STARTED", "Tokens": []},
        },
    ),
    ("sesv2", "CreateEmailIdentityPolicy", {}),
    (
        "iam",
        "CreateAccessKey",
        {
            "AccessKey": {
                "UserName": "bob",
                "AccessKeyId": "AKIAEXAMPLE",
                "Status": "Active",
                "SecretAccessKey": "wJalr/K7MDENG+bPxRfiCY",
                "CreateDate": T1,
            }
        },
    ),
    (
        "iam",
        "ListUsers",
        {
            "Users": [
                {
                    "Path": "/",
                    "UserName": "bob",
                    "UserId": "AIDAEXAMPLE",
                    "Arn": "arn:aws:iam::123456789012:user/bob",
                    "CreateDate": T2,
                    "Tags": [{"Key": "k", "Value": "v"}],
                }
            ],
            "IsTruncated": True,
            "Marker": "m",
        },
    ),
    ("iam", "DeleteUser", {}),
    (
        "sts",
        "GetCallerIdentity",
        {
            "UserId": "AIDAEXAMPLE",
            "Account": "123456789012",
            "Arn": "arn:aws:iam::123456789012:user/bob",
        },
    ),
]


@pytest.mark.parametrize(
    ("service", "operation_name", "result"),
    CASES,
    ids=[f"{service}-{op}-{i}" for i, (service, op, _) in enumerate(CASES)],
)
def test_botocore_reads_our_response_exactly(
    service: str, operation_name: str, result: dict[str, Any]
) -> None:
    response = serialize_result(service, operation_name, result)
    assert response.status == 200
    assert response.headers["x-amzn-RequestId"] == "req-1"
    assert botocore_reads(service, operation_name, response) == result


def test_query_envelope_shape() -> None:
    response = serialize_result("ses", "SendEmail", {"MessageId": "m<1>"})
    assert response.headers["Content-Type"] == "text/xml"
    assert response.body == (
        b'<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
        b"<SendEmailResult><MessageId>m&lt;1&gt;</MessageId></SendEmailResult>"
        b"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
        b"</SendEmailResponse>"
    )


def test_query_operation_without_output_has_no_result_element() -> None:
    response = serialize_result("iam", "DeleteUser", {})
    assert b"DeleteUserResult" not in response.body
    assert b"<RequestId>req-1</RequestId>" in response.body


def test_query_text_keeps_carriage_returns_and_replaces_characters_xml_cannot_carry() -> None:
    result = {"Policies": {"p": "a\r\nb\x00c\x1bd"}}
    response = serialize_result("ses", "GetIdentityPolicies", result)
    assert b"&#13;" in response.body
    parsed = botocore_reads("ses", "GetIdentityPolicies", response)
    assert parsed == {"Policies": {"p": "a\r\nb\ufffdc\ufffdd"}}


def test_query_timestamps_are_iso8601_utc() -> None:
    naive = datetime(2024, 1, 2, 3, 4, 5)
    response = query.serialize_result(
        operation("iam", "CreateAccessKey"),
        {
            "AccessKey": {
                "UserName": "u",
                "AccessKeyId": "A",
                "Status": "Active",
                "SecretAccessKey": "s",
                "CreateDate": naive,
            }
        },
        request_id="r",
    )
    assert b"<CreateDate>2024-01-02T03:04:05Z</CreateDate>" in response.body


def test_restjson_timestamps_are_epoch_seconds_and_none_members_are_omitted() -> None:
    response = restjson.serialize_result(
        operation("sesv2", "GetEmailIdentity"),
        {
            "IdentityType": "DOMAIN",
            "ConfigurationSetName": None,
            "DkimAttributes": {"LastKeyGenerationTimestamp": T2},
        },
        request_id="r",
    )
    assert response.headers["Content-Type"] == "application/json"
    assert response.body == (
        b'{"IdentityType":"DOMAIN","DkimAttributes":{"LastKeyGenerationTimestamp":1714980189.25}}'
    )
