"""Who may act on a topic: its access policy, SNS's default policy, and the decisions.

A new topic gets SNS's default policy: every principal may use the topic's actions when
``AWS:SourceOwner`` is the owner's account. That key is set when a service publishes on behalf
of a resource (for SES: the identity's account), never for a direct API call; so by default
AWS services may publish for the owner's own resources, and other accounts or services need a
statement of their own, e.g. SES publishing for a delegate's identity::

    {"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "SNS:Publish",
     "Resource": "<topic ARN>", "Condition": {"StringEquals": {
        "aws:SourceAccount": "<identity owner>", "aws:SourceArn": "<identity ARN>"}}}

Policies are evaluated by :mod:`openses.domain.policy` (explicit deny > allow > implicit deny).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from openses.domain.policy import (
    Decision,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.domain.policy.context import request_keys
from openses.domain.policy.principals import Caller
from openses.domain.topics.names import TopicParameterError

MAX_POLICY_BYTES: Final = 30 * 1024
POLICY_NAME: Final = "TopicPolicy"
DEFAULT_ACTIONS: Final = (
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
)


def default_policy(topic_arn: str, owner: str) -> str:
    """SNS's default access policy of a new topic."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": list(DEFAULT_ACTIONS),
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
                }
            ],
        },
        separators=(",", ":"),
    )


def _policy_error(reason: str) -> TopicParameterError:
    return TopicParameterError(f"Invalid parameter: Policy Error: {reason}")


def _texts(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_policy(text: str) -> Policy:
    """Compile a topic policy, refusing what SNS refuses (grammar, size, non-SNS actions)."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise _policy_error(f"the policy is larger than {MAX_POLICY_BYTES} bytes")
    try:
        policy = compile_policy(text, POLICY_NAME, PolicyKind.RESOURCE)
    except PolicyError as error:
        raise _policy_error(str(error.problems[0])) from None
    document = json.loads(text)  # compiled above, so it is a JSON object
    for statement in _texts(document.get("Statement")):
        for key in ("Action", "NotAction"):
            for action in _texts(statement.get(key, [])):
                if not isinstance(action, str) or not (
                    action == "*" or action.lower().startswith("sns:")
                ):
                    raise TopicParameterError(
                        "Invalid parameter: Policy statement action out of service scope!"
                    )
    return policy


def compile_topic_policy(text: str) -> Policy:
    """A stored policy (already checked when it was set), compiled for evaluation."""
    return compile_policy(text, POLICY_NAME, PolicyKind.RESOURCE)


def topic_decision(
    policy: Policy,
    *,
    caller: Caller,
    action: str,
    topic_arn: str,
    context: Mapping[str, object],
) -> Decision:
    """What the topic's policy says about ``caller`` doing ``action`` (``sns:Publish``…)."""
    return evaluate(PolicySet([policy]), Request.build(caller, action, topic_arn, context))


def service_context(
    *, source_account: str, source_arn: str | None, now: datetime
) -> dict[str, object]:
    """The keys a service sets when it acts for a resource of ``source_account``."""
    keys = request_keys(now=now)
    keys["aws:SourceAccount"] = source_account
    keys["aws:SourceOwner"] = source_account
    keys["aws:SourceArn"] = source_arn
    return keys


def service_may_publish(
    policy: Policy,
    *,
    topic_arn: str,
    service: str,
    source_account: str,
    source_arn: str,
    now: datetime,
) -> Decision:
    """Whether ``service`` (``ses.amazonaws.com``) may publish for ``source_arn``."""
    return topic_decision(
        policy,
        caller=parse_caller(service, "Service"),
        action="sns:Publish",
        topic_arn=topic_arn,
        context=service_context(source_account=source_account, source_arn=source_arn, now=now),
    )
