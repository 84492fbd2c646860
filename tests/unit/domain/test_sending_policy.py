"""SES's store-time rules for sending authorization policies (``InvalidPolicy``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openses.domain.sending_policy import (
    MAX_POLICIES_PER_IDENTITY,
    InvalidSendingPolicy,
    policy_count_problem,
    policy_name_problem,
    validate_sending_policy,
)

ARN = "arn:aws:ses:us-east-1:888888888888:identity/example.com"


def doc(**statement: Any) -> str:
    base: dict[str, Any] = {
        "Sid": "S",
        "Effect": "Allow",
        "Principal": {"AWS": "123456789012"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": ARN,
    }
    base.update(statement)
    base = {k: v for k, v in base.items() if v is not None}
    return json.dumps({"Version": "2012-10-17", "Statement": [base]}, ensure_ascii=False)


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(InvalidSendingPolicy) as raised:
        validate_sending_policy(text, ARN)
    assert str(raised.value) == raised.value.problems[0]
    return raised.value.problems


@pytest.mark.parametrize(
    "statement",
    [
        {},
        {"Action": "ses:Send*"},
        {"Action": "ses:*"},
        {"Action": "*"},
        {"Action": "SES:sendrawemail"},
        {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
        {"Principal": {"AWS": ["arn:aws:iam::123456789012:user/John", "123456789012"]}},
        {"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
        {"Principal": {"AWS": "arn:aws:iam::123456789012:role/Mailer"}},
        {"Principal": {"AWS": "arn:aws:sts::123456789012:assumed-role/Mailer/s1"}},
        {
            "Principal": {"Service": "cognito-idp.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "888888888888"},
                "ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:*:888888888888:userpool/*"},
            },
        },
        {"Condition": {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}},
        {"Condition": {"DateGreaterThan": {"aws:CurrentTime": "2021-08-31T12:00Z"}}},
        {"Condition": {"NumericLessThan": {"aws:EpochTime": 1700000000}}},
        {"Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}},
        {"Condition": {"Bool": {"aws:SecureTransport": True}}},
        {"Condition": {"Null": {"ses:FromDisplayName": "false"}}},
        {"Condition": {"StringEqualsIgnoreCase": {"ses:fromaddress": "a@example.com"}}},
    ],
)
def test_valid_policies(statement: dict[str, Any]) -> None:
    result = validate_sending_policy(doc(**statement), ARN)
    assert result.policy.statements


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        (
            {"Resource": "arn:aws:ses:us-east-1:888888888888:identity/*"},
            "must be the ARN of the identity",
        ),
        (
            {"Resource": "arn:aws:ses:us-east-1:888888888888:identity/other.com"},
            "must be the ARN of the identity",
        ),
        ({"Resource": "*"}, "must be the ARN of the identity"),
        ({"Action": "ses:VerifyEmailIdentity"}, "is not a sending action"),
        ({"Action": "iam:*"}, "is not a sending action"),
        ({"Action": None, "NotAction": "ses:SendEmail"}, "NotAction is not supported"),
        (
            {"Principal": None, "NotPrincipal": {"AWS": "123456789012"}},
            "NotPrincipal is not supported",
        ),
        ({"Resource": None, "NotResource": ARN}, "NotResource is not supported"),
        ({"Principal": {"AWS": "arn:aws:iam::123456789012:user/*"}}, "Invalid principal"),
        ({"Principal": {"AWS": "12345"}}, "Invalid principal"),
        ({"Principal": {"Service": "not a service"}}, "Invalid principal"),
        ({"Principal": {"Federated": "cognito-identity.amazonaws.com"}}, "cannot be granted"),
        (
            {"Condition": {"StringEquals": {"AWS:SourceAccount": "1"}}},
            "Unknown or unapplicable condition field 'AWS:SourceAccount'.",
        ),
        (
            {"Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}}},
            "Unknown or unapplicable condition field",
        ),
        (
            {"Condition": {"StringEquals": {"s3:prefix": "x"}}},
            "Unknown or unapplicable condition field",
        ),
        ({"Condition": {"NumericLessThan": {"aws:EpochTime": "soon"}}}, "is not a number"),
        ({"Condition": {"DateLessThan": {"aws:CurrentTime": "next week"}}}, "is not a date"),
        ({"Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1"}}}, "is not an IP address"),
        ({"Condition": {"Bool": {"aws:SecureTransport": "yes"}}}, 'is not "true" or "false"'),
        ({"Effect": "allow"}, "Invalid policy: Statement[0].Effect"),
        ({"Condition": {"StringEqualz": {"ses:FromAddress": "a"}}}, "unknown condition operator"),
    ],
)
def test_invalid_policies(statement: dict[str, Any], fragment: str) -> None:
    found = problems(doc(**statement))
    assert any(fragment in problem for problem in found), found


def test_every_problem_is_reported() -> None:
    found = problems(doc(Resource="*", Action="ses:VerifyEmailIdentity"))
    assert len(found) == 2


def test_size_limit_is_utf8_bytes() -> None:
    padding = "é" * 2000  # 2000 characters, 4000 bytes
    text = doc(Sid=padding)
    assert len(text) < 4096 < len(text.encode())
    assert "maximum is 4096 bytes" in problems(text)[0]


def test_not_json_and_bad_arn() -> None:
    assert "not valid JSON" in problems("{")[0]
    with pytest.raises(InvalidSendingPolicy, match=r"Invalid ARN example\.com\."):
        validate_sending_policy(doc(), "example.com")


def test_bare_operator_on_recipients_warns() -> None:
    result = validate_sending_policy(
        doc(Condition={"StringLike": {"ses:Recipients": "*@example.com"}}), ARN
    )
    assert any("ses:Recipients is multivalued" in w for w in result.warnings)


@pytest.mark.parametrize("name", ["a", "Policy_1-x", "x" * 64])
def test_good_policy_names(name: str) -> None:
    assert policy_name_problem(name) is None


@pytest.mark.parametrize("name", ["", "x" * 65, "has space", "dot.name", "ünïcode"])
def test_bad_policy_names(name: str) -> None:
    assert policy_name_problem(name) is not None


def test_policy_count_limit() -> None:
    assert policy_count_problem(MAX_POLICIES_PER_IDENTITY - 1) is None
    assert policy_count_problem(MAX_POLICIES_PER_IDENTITY) is not None
