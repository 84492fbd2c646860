"""Topic access policies: SNS's default policy, SES publishing to topics, policy checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from openses.domain.policy import DecisionKind, parse_caller
from openses.domain.topics.access import (
    check_policy,
    compile_topic_policy,
    default_policy,
    service_may_publish,
    topic_decision,
)
from openses.domain.topics.names import TopicParameterError

OWNER = "111122223333"
DELEGATE = "444455556666"
TOPIC = f"arn:aws:sns:us-east-1:{DELEGATE}:ses-feedback"
OWN_TOPIC = f"arn:aws:sns:us-east-1:{OWNER}:ses-feedback"
IDENTITY = f"arn:aws:ses:us-east-1:{OWNER}:identity/example.com"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


SES_STATEMENT = {
    "Effect": "Allow",
    "Principal": {"Service": "ses.amazonaws.com"},
    "Action": "SNS:Publish",
    "Resource": TOPIC,
    "Condition": {"StringEquals": {"aws:SourceAccount": OWNER, "aws:SourceArn": IDENTITY}},
}


def ses_publishes(text: str, topic: str, account: str, source_arn: str = IDENTITY) -> bool:
    return service_may_publish(
        compile_topic_policy(text),
        topic_arn=topic,
        service="ses.amazonaws.com",
        source_account=account,
        source_arn=source_arn,
        now=NOW,
    ).allowed


@pytest.mark.parametrize(
    ("text", "topic", "account", "source_arn", "allowed"),
    [
        (default_policy(OWN_TOPIC, OWNER), OWN_TOPIC, OWNER, IDENTITY, True),
        (default_policy(TOPIC, DELEGATE), TOPIC, OWNER, IDENTITY, False),
        (policy(SES_STATEMENT), TOPIC, OWNER, IDENTITY, True),
        (policy(SES_STATEMENT), TOPIC, DELEGATE, IDENTITY, False),
        (policy(SES_STATEMENT), TOPIC, OWNER, IDENTITY.replace("example", "other"), False),
        (
            policy(SES_STATEMENT, {**SES_STATEMENT, "Effect": "Deny", "Condition": {}}),
            TOPIC,
            OWNER,
            IDENTITY,
            False,
        ),
        (
            policy({**SES_STATEMENT, "Principal": {"Service": "cognito-idp.amazonaws.com"}}),
            TOPIC,
            OWNER,
            IDENTITY,
            False,
        ),
    ],
    ids=[
        "own-topic-default-policy",
        "delegate-topic-default-policy",
        "delegate-allows-ses",
        "wrong-source-account",
        "wrong-source-arn",
        "explicit-deny",
        "other-service",
    ],
)
def test_ses_may_publish(
    text: str, topic: str, account: str, source_arn: str, allowed: bool
) -> None:
    assert ses_publishes(text, topic, account, source_arn) is allowed


def test_default_policy_grants_direct_callers_nothing() -> None:
    """``AWS:SourceOwner`` is set only when a service acts for a resource."""
    decision = topic_decision(
        compile_topic_policy(default_policy(OWN_TOPIC, OWNER)),
        caller=parse_caller(f"arn:aws:iam::{OWNER}:user/alice"),
        action="sns:Publish",
        topic_arn=OWN_TOPIC,
        context={},
    )
    assert decision.kind is DecisionKind.IMPLICIT_DENY


def test_account_principal_with_lower_case_action() -> None:
    text = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": DELEGATE},
            "Action": "sns:publish",
            "Resource": "*",
        }
    )
    decision = topic_decision(
        check_policy(text),
        caller=parse_caller(f"arn:aws:iam::{DELEGATE}:root"),
        action="sns:Publish",
        topic_arn=OWN_TOPIC,
        context={},
    )
    assert decision.allowed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "Invalid parameter: Policy Error: "),
        (policy({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}), "Principal"),
        (
            policy(
                {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
            ),
            "Invalid parameter: Policy statement action out of service scope!",
        ),
        ("x" * (30 * 1024 + 1), "larger than"),
    ],
    ids=["json", "no-principal", "other-service-action", "size"],
)
def test_bad_policies_are_refused(text: str, message: str) -> None:
    with pytest.raises(TopicParameterError) as refused:
        check_policy(text)
    assert message in refused.value.message
