"""Requests serialized by botocore's own client serializer read back to the exact parameters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.unit.api.protocol.protocol_oracle import round_trip_request, wire_request

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": "arn:aws:ses:us-east-1:111122223333:identity/example.com",
                "Condition": {"StringLike": {"ses:FromAddress": "marketing+*@example.com"}},
            }
        ],
    },
    indent=2,
)
RAW_MIME = (
    b"From: sender@example.com\r\nTo: r@example.net\r\nSubject: bytes\r\n\r\n"
    b"\x00\x01\xff\xfe binary \x80 body\r\n"
)

CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "ses",
        "SendEmail",
        {
            "Source": "Sender Name <sender@example.com>",
            "Destination": {
                "ToAddresses": ["to1@example.net", "to2@example.net"],
                "CcAddresses": [],
                "BccAddresses": ["bcc@example.org"],
            },
            "Message": {
                "Subject": {"Data": "Grüße & <tags> = 100% + more", "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": "line one\r\nline two\n\ttabbed"},
                    "Html": {"Data": "<p>Hello&nbsp;<b>world</b></p>", "Charset": "UTF-8"},
                },
            },
            "ReplyToAddresses": [],
            "ReturnPath": "bounces@example.com",
            "Tags": [{"Name": "campaign", "Value": "spring"}, {"Name": "a.b", "Value": "x=y"}],
            "ConfigurationSetName": "default-set",
        },
    ),
    (
        "ses",
        "SendRawEmail",
        {
            "Source": "sender@example.com",
            "Destinations": ["r@example.net"],
            "RawMessage": {"Data": RAW_MIME},
            "FromArn": "arn:aws:ses:us-east-1:111122223333:identity/example.com",
            "Tags": [{"Name": "k", "Value": "v"}],
        },
    ),
    (
        "ses",
        "SendBulkTemplatedEmail",
        {
            "Source": "sender@example.com",
            "Template": "welcome",
            "DefaultTemplateData": '{"name": "friend"}',
            "DefaultTags": [{"Name": "kind", "Value": "bulk"}],
            "Destinations": [
                {
                    "Destination": {"ToAddresses": ["a@example.net"]},
                    "ReplacementTemplateData": '{"name": "A"}',
                    "ReplacementTags": [{"Name": "who", "Value": "a"}],
                },
                {
                    "Destination": {"ToAddresses": ["b@example.net"], "CcAddresses": []},
                    "ReplacementTemplateData": '{"name": "B"}',
                },
            ],
        },
    ),
    (
        "ses",
        "SetIdentityNotificationTopic",
        {
            "Identity": "example.com",
            "NotificationType": "Bounce",
            "SnsTopic": "arn:aws:sns:us-east-1:111122223333:bounces",
        },
    ),
    (
        "ses",
        "PutIdentityPolicy",
        {"Identity": "user+tag@example.com", "PolicyName": "delegate-1", "Policy": POLICY},
    ),
    (
        "ses",
        "GetIdentityVerificationAttributes",
        {"Identities": ["example.com", "user@example.com", "ünïcode.example"]},
    ),
    ("ses", "GetSendQuota", {}),
    (
        "iam",
        "CreateUser",
        {
            "Path": "/division/team/",
            "UserName": "mail-sender.1",
            "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
            "Tags": [{"Key": "team", "Value": "mail"}, {"Key": "cost:center", "Value": ""}],
        },
    ),
    ("iam", "PutUserPolicy", {"UserName": "bob", "PolicyName": "send", "PolicyDocument": POLICY}),
    ("iam", "ListAccessKeys", {"UserName": "bob", "MaxItems": 100, "Marker": "page 2/3"}),
    ("sts", "GetCallerIdentity", {}),
    (
        "sesv2",
        "SendEmail",
        {
            "FromEmailAddress": "sender@example.com",
            "Destination": {"ToAddresses": ["r@example.net"], "BccAddresses": []},
            "ReplyToAddresses": ["reply@example.com"],
            "Content": {
                "Simple": {
                    "Subject": {"Data": "Héllo", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": "a\r\nb"}, "Html": {"Data": "<i>a</i>"}},
                    "Headers": [{"Name": "X-Campaign", "Value": "spring 2025"}],
                    "Attachments": [
                        {
                            "RawContent": b"\x00\xffPDF",
                            "FileName": "a.pdf",
                            "ContentDisposition": "ATTACHMENT",
                        }
                    ],
                }
            },
            "EmailTags": [{"Name": "k", "Value": "v"}],
            "ConfigurationSetName": "set",
        },
    ),
    (
        "sesv2",
        "SendEmail",
        {
            "FromEmailAddressIdentityArn": "arn:aws:ses:us-east-1:111122223333:identity/a.com",
            "Content": {"Raw": {"Data": RAW_MIME}},
        },
    ),
    (
        "sesv2",
        "CreateEmailIdentity",
        {
            "EmailIdentity": "example.com",
            "Tags": [{"Key": "env", "Value": "prod"}],
            "DkimSigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"},
            "ConfigurationSetName": "set",
        },
    ),
    (
        "sesv2",
        "CreateEmailIdentityPolicy",
        {"EmailIdentity": "user+tag@example.com", "PolicyName": "p@1+x", "Policy": POLICY},
    ),
    (
        "sesv2",
        "CreateEmailIdentityPolicy",
        {"EmailIdentity": "a/b %2F c?d#e", "PolicyName": "ünï", "Policy": "{}"},
    ),
    ("sesv2", "GetEmailIdentity", {"EmailIdentity": "user+tag@example.com"}),
    ("sesv2", "ListEmailIdentities", {"PageSize": 50, "NextToken": "a b/c+d=ü"}),
    ("sesv2", "ListEmailIdentities", {}),
    (
        "sesv2",
        "PutEmailIdentityDkimSigningAttributes",
        {
            "EmailIdentity": "example.com",
            "SigningAttributesOrigin": "EXTERNAL",
            "SigningAttributes": {
                "DomainSigningSelector": "sel-1",
                "DomainSigningPrivateKey": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC+/==",
            },
        },
    ),
    ("sesv2", "DeleteEmailIdentityPolicy", {"EmailIdentity": "a@b.example", "PolicyName": "p"}),
    (
        "sesv2",
        "ListSuppressedDestinations",
        {
            "Reasons": ["BOUNCE", "COMPLAINT"],
            "StartDate": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
            "EndDate": datetime(2024, 2, 3, 4, 5, 6, 789000, tzinfo=UTC),
            "PageSize": 10,
            "NextToken": "tok",
        },
    ),
    ("sesv2", "GetAccount", {}),
]


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    CASES,
    ids=[f"{service}-{operation}-{i}" for i, (service, operation, _) in enumerate(CASES)],
)
def test_botocore_request_reads_back_exactly(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    parsed = round_trip_request(service, operation, params)
    assert parsed.name == operation
    assert parsed.params == params


def test_explicit_empty_list_is_on_the_wire_and_reads_as_empty() -> None:
    params = {"Source": "s@example.com", "Destinations": [], "RawMessage": {"Data": b"x"}}
    wire = wire_request("ses", "SendRawEmail", params)
    assert b"Destinations=&" in wire.body or wire.body.endswith(b"Destinations=")
    assert round_trip_request("ses", "SendRawEmail", params).params["Destinations"] == []


def test_uri_labels_travel_percent_encoded_and_come_back_decoded() -> None:
    wire = wire_request(
        "sesv2",
        "CreateEmailIdentityPolicy",
        {"EmailIdentity": "user+tag@example.com", "PolicyName": "a/b", "Policy": "{}"},
    )
    assert wire.path == "/v2/email/identities/user%2Btag%40example.com/policies/a%2Fb"
