"""SES's rules for a sending authorization policy, checked when a policy is stored.

These come on top of the IAM grammar (:mod:`openses.domain.policy`): at most 20 policies per
identity, 4096 UTF-8 bytes per document, names of 1-64 ``[A-Za-z0-9_-]``, every Resource the
ARN of the identity the policy is attached to, only SES sending actions, principals that name
something real, no ``NotPrincipal`` / ``NotAction`` / ``NotResource``, condition keys from the
keys SES supplies (with the canonical lower-case ``aws:`` / ``ses:`` prefix), and typed
condition values that parse. Each problem is a sentence a user can act on; the first one is
the ``InvalidPolicy`` message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openses.domain.arn import IdentityArn, InvalidArn
from openses.domain.policy import Policy, PolicyError, PolicyKind, compile_policy, parse_policy
from openses.domain.policy.conditions import SetOperator, parse_operator
from openses.domain.policy.context import scalar_text
from openses.domain.policy.principals import is_well_formed_entry
from openses.domain.policy.values import parse_bool, parse_instant, parse_network, parse_number
from openses.domain.policy.wildcards import compile_glob

MAX_POLICIES_PER_IDENTITY = 20
MAX_POLICY_BYTES = 4096
_POLICY_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")

SEND_ACTIONS = (
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
    "ses:SendBulkEmail",
)

#: Condition keys SES supplies when it evaluates a send (canonical spelling).
CONDITION_KEYS = (
    "ses:FromAddress",
    "ses:FromDisplayName",
    "ses:FeedbackAddress",
    "ses:Recipients",
    "ses:ApiVersion",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:UserAgent",
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    "aws:SourceAccount",
    "aws:SourceArn",
)
_KNOWN_KEYS = {key.lower() for key in CONDITION_KEYS}
MULTIVALUED_KEYS = frozenset({"ses:recipients"})

ValueReader = tuple[Callable[[str], object | None], str]


def _value_reader(base_operator: str) -> ValueReader | None:
    """How a typed operator reads its policy values, and what to call that type."""
    if base_operator.startswith("Numeric"):
        return parse_number, "a number"
    if base_operator.startswith("Date"):
        return parse_instant, "a date (ISO 8601 or epoch seconds)"
    if base_operator in ("IpAddress", "NotIpAddress"):
        return parse_network, "an IP address or CIDR block"
    if base_operator in ("Bool", "Null"):
        return parse_bool, '"true" or "false"'
    return None


class InvalidSendingPolicy(ValueError):
    """A document SES would refuse with ``InvalidPolicy``; ``problems`` has every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems[0])


@dataclass(frozen=True, slots=True)
class ValidatedPolicy:
    policy: Policy
    warnings: tuple[str, ...]


def policy_name_problem(name: str) -> str | None:
    if _POLICY_NAME.fullmatch(name) is None:
        return (
            f"Policy name '{name}' is invalid: use 1 to 64 letters, digits, "
            "hyphens (-) and underscores (_)."
        )
    return None


def policy_count_problem(existing: int) -> str | None:
    """For a new policy on an identity that already has ``existing`` policies."""
    if existing >= MAX_POLICIES_PER_IDENTITY:
        return (
            f"An identity can have at most {MAX_POLICIES_PER_IDENTITY} policies; "
            "delete one before adding another."
        )
    return None


def validate_sending_policy(
    text: str, identity_arn: IdentityArn | str, name: str = "policy"
) -> ValidatedPolicy:
    """Check ``text`` against the IAM grammar and the SES rules; compile it on success."""
    try:
        arn = (
            identity_arn
            if isinstance(identity_arn, IdentityArn)
            else IdentityArn.parse(identity_arn)
        )
    except InvalidArn as error:
        raise InvalidSendingPolicy([str(error)]) from None
    size = len(text.encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        raise InvalidSendingPolicy(
            [f"Policy is {size} bytes; the maximum is {MAX_POLICY_BYTES} bytes (UTF-8)."]
        )
    try:
        document = parse_policy(text)
        policy = compile_policy(document, name, PolicyKind.RESOURCE)
    except PolicyError as error:
        raise InvalidSendingPolicy([f"Invalid policy: {p}" for p in error.problems]) from None
    checker = _SesRules(str(arn))
    for index, statement in enumerate(_statements(document)):
        checker.statement(f"Statement[{index}]", statement)
    if checker.problems:
        raise InvalidSendingPolicy(checker.problems)
    return ValidatedPolicy(policy, tuple(checker.warnings))


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = document["Statement"]
    return [raw] if isinstance(raw, dict) else list(raw)


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _SesRules:
    def __init__(self, identity_arn: str) -> None:
        self.identity_arn = identity_arn
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.send_actions = [a.lower() for a in SEND_ACTIONS]

    def statement(self, path: str, statement: Mapping[str, Any]) -> None:
        for negated in ("NotPrincipal", "NotAction", "NotResource"):
            if negated in statement:
                self.problems.append(
                    f"{path}: {negated} is not supported in sending authorization policies; "
                    f"use {negated[3:]}."
                )
        if "Principal" in statement:
            self.principal(path, statement["Principal"])
        for resource in _as_list(statement.get("Resource", [])):
            if resource != self.identity_arn:
                self.problems.append(
                    f"{path}: Resource '{resource}' must be the ARN of the identity the "
                    f"policy is attached to, {self.identity_arn}."
                )
        for action in _as_list(statement.get("Action", [])):
            matches = compile_glob(action.lower())
            if not any(matches(send) for send in self.send_actions):
                self.problems.append(
                    f"{path}: Action '{action}' is not a sending action; a sending "
                    f"authorization policy may grant only {', '.join(SEND_ACTIONS)}."
                )
        for operator_name, entries in statement.get("Condition", {}).items():
            self.condition(path, operator_name, entries)

    def principal(self, path: str, principal: object) -> None:
        if principal == "*":
            return
        assert isinstance(principal, dict)
        for principal_type, raw in principal.items():
            if principal_type not in ("AWS", "Service"):
                self.problems.append(
                    f"{path}: Principal type {principal_type} cannot be granted sending; "
                    "name AWS accounts, IAM users or roles, or an AWS service."
                )
                continue
            for entry in _as_list(raw):
                if not is_well_formed_entry(principal_type, entry):
                    self.problems.append(
                        f"{path}: Invalid principal {principal_type} '{entry}': name an "
                        "account ID, an account root, IAM user or role ARN, a role session "
                        'ARN, a service such as ses.amazonaws.com, or "*".'
                    )

    def condition(self, path: str, operator_name: str, entries: Mapping[str, Any]) -> None:
        operator = parse_operator(operator_name)
        typed = _value_reader(operator.base)
        for key, raw in entries.items():
            prefix, _, _ = key.partition(":")
            if prefix not in ("aws", "ses") or key.lower() not in _KNOWN_KEYS:
                self.problems.append(f"Unknown or unapplicable condition field '{key}'.")
                continue
            if (
                key.lower() in MULTIVALUED_KEYS
                and operator.set_operator is SetOperator.NONE
                and not operator.is_null
            ):
                self.warnings.append(
                    f"{path}: {key} is multivalued, so {operator_name} without "
                    "ForAllValues: or ForAnyValue: never matches it."
                )
            if typed is None:
                continue
            parse, kind = typed
            for value in _as_list(raw):
                if parse(scalar_text(value)) is None:
                    self.problems.append(
                        f"{path}: condition value '{value}' of {operator_name} {key} is not {kind}."
                    )
