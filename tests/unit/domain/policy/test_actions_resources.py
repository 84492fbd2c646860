"""Glob matching (§3), Action / NotAction (§3.1) and Resource / NotResource (§5)."""

from __future__ import annotations

from typing import Any

import pytest

from openses.domain.policy import (
    DecisionKind,
    PolicyError,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.domain.policy.wildcards import compile_glob, compile_glob_set

CALLER = parse_caller("arn:aws:iam::123456789012:user/alice")
ID = "arn:aws:ses:us-east-1:888888888888:identity/"
EXAMPLE = ID + "example.com"


def arn(
    part: str = "aws", svc: str = "ses", region: str = "us-east-1", acct: str = "888888888888",
    rest: str = "identity/example.com",
) -> str:  # fmt: skip
    return f"arn:{part}:{svc}:{region}:{acct}:{rest}"


def decide(statements: list[dict[str, Any]], action: str, resource: str) -> DecisionKind:
    full = [{"Principal": "*", **s} for s in statements]
    policy = compile_policy({"Version": "2012-10-17", "Statement": full}, name="p")
    return evaluate([policy], Request.build(CALLER, action, resource, {})).kind


def allows(statement: dict[str, Any], action: str, resource: str = EXAMPLE) -> bool:
    kind = decide([{"Effect": "Allow", **statement}], action, resource)
    return kind is DecisionKind.ALLOW


# -------------------------------------------------------------------------------- globs
# fmt: off
GLOBS = [
    ("*", "", True), ("*", "anything:at/all", True), ("a*", "a", True), ("*a", "ba", True),
    ("a*c", "abbbc", True), ("a*c", "abbbcd", False), ("a?c", "abc", True), ("a?c", "ac", False),
    ("??", "ab", True), ("??", "abc", False), ("a.c", "abc", False), ("a.c", "a.c", True),
    ("a+", "aa", False), ("a+", "a+", True), ("[ab]", "a", False), ("[ab]", "[ab]", True),
    ("(a)", "a", False), ("a\\*", "a\\zz", True), ("a\\*", "a*", False), ("a\\?", "a\\b", True),
    ("^a$", "a", False), ("a|b", "a", False), ("{1}", "{1}", True), ("A*", "abc", False),
    ("example.com", "x@example.com", False), ("*", "line\nbreak", True), ("a*b", "a\nb", True),
    ("", "", True), ("", "a", False),
]
# fmt: on


@pytest.mark.parametrize(("pattern", "value", "expected"), GLOBS)
def test_compile_glob(pattern: str, value: str, expected: bool):
    assert compile_glob(pattern)(value) is expected
    assert compile_glob_set([pattern])(value) is expected
    assert compile_glob_set(["zz-unrelated", pattern])(value) is expected


def test_compile_glob_set_ors_its_patterns():
    match = compile_glob_set(["a", "b*", "?c"])
    assert [match(v) for v in ("a", "bzz", "xc", "c", "ab", "xcc")] == [
        True, True, True, False, False, False]  # fmt: skip


# ------------------------------------------------------------------------------- actions
SEND_ACTIONS = [
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
    "ses:SendBulkEmail",
]
# (Action element, requested action, matches)
# fmt: off
ACTIONS = [
    *(("*", a, True) for a in [*SEND_ACTIONS, "iam:CreateUser", "s3:GetObject"]),
    *(("ses:Send*", a, True) for a in SEND_ACTIONS),
    ("ses:Send*", "ses:VerifyEmailIdentity", False),
    ("ses:Send*", "sesv2:SendEmail", False),
    ("ses:Send?awEmail", "ses:SendRawEmail", True),
    ("ses:Send?Email", "ses:SendRawEmail", False),
    ("ses:Send?Email", "ses:SendXEmail", True),
    ("SES:sendrawemail", "ses:SendRawEmail", True),
    ("ses:SENDRAWEMAIL", "ses:SendRawEmail", True),
    ("ses:SendRawEmail", "SES:SENDRAWEMAIL", True),
    ("ses:send*", "SES:SENDBULKEMAIL", True),
    ("ses:SendEmail", "ses:SendEmailX", False),
    ("ses:SendEmail", "ses:SendRawEmail", False),
    ("ses:Email", "ses:SendEmail", False),
    ("ses:*Email", "ses:SendRawEmail", True),
    ("ses:*", "ses:SendEmail", True),
    ("ses:*", "iam:SendEmail", False),
    ("ses:Send.Email", "ses:SendXEmail", False),
    (["iam:CreateUser", "ses:SendRawEmail"], "ses:SendRawEmail", True),
    (["iam:CreateUser", "ses:SendRawEmail"], "ses:SendEmail", False),
]
# fmt: on


@pytest.mark.parametrize(("element", "action", "expected"), ACTIONS)
def test_action(element: Any, action: str, expected: bool):
    assert allows({"Action": element, "Resource": "*"}, action) is expected


@pytest.mark.parametrize(
    ("element", "action", "expected"),
    [
        ("ses:SendRawEmail", "ses:SendEmail", True),
        ("ses:SendRawEmail", "ses:SendRawEmail", False),
        ("ses:SendRawEmail", "iam:CreateUser", True),  # any service
        ("SES:SENDRAWEMAIL", "ses:SendRawEmail", False),
        ("ses:Send*", "ses:SendBulkEmail", False),
        ("ses:Send*", "ses:DeleteIdentity", True),
        (["ses:SendEmail", "ses:SendRawEmail"], "ses:SendRawEmail", False),
        (["ses:SendEmail", "ses:SendRawEmail"], "ses:SendTemplatedEmail", True),
        ("*", "ses:SendEmail", False),
    ],
)
def test_not_action_allow(element: Any, action: str, expected: bool):
    assert allows({"NotAction": element, "Resource": "*"}, action) is expected


@pytest.mark.parametrize(
    ("action", "denied"),
    [("ses:SendEmail", False), ("ses:SendRawEmail", True), ("iam:CreateUser", True)],
)
def test_not_action_deny_denies_everything_not_listed(action: str, denied: bool):
    statements = [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "ses:SendEmail", "Resource": "*"},
    ]
    expected = DecisionKind.EXPLICIT_DENY if denied else DecisionKind.ALLOW
    assert decide(statements, action, EXAMPLE) is expected


@pytest.mark.parametrize("element", ["*:SendEmail", "se?:SendEmail", "s*:Send*", "ses*"])
def test_no_wildcard_in_service_prefix(element: str):
    try:
        matched = allows({"Action": element, "Resource": "*"}, "ses:SendEmail")
    except PolicyError as error:
        matched = not error.problems  # rejected with a reason: fine
    assert not matched


# ----------------------------------------------------------------------------- resources
# (Resource element, requested resource, matches)
# fmt: off
RESOURCES = [
    ("*", EXAMPLE, True),
    ("*", "not-an-arn", True),
    (EXAMPLE, EXAMPLE, True),
    (EXAMPLE, ID + "example.org", False),
    (ID + "Example.com", EXAMPLE, False),
    (EXAMPLE, ID + "Example.com", False),
    (EXAMPLE, ID + "mail.example.com", False),
    (EXAMPLE, ID + "user@example.com", False),
    (ID + "user@example.com", ID + "user@example.com", True),
    (ID + "example.com*", ID + "example.com.attacker.net", True),
    (ID + "example.com*", EXAMPLE, True),
    (ID + "*example.com", ID + "user@example.com", True),
    (ID + "*", ID + "a:b/c", True),
    ("arn:aws:ses:us-east-1:888888888888:ident*com", EXAMPLE, True),
    ("arn:aws:ses:us-east-1:888888888888:*", EXAMPLE, True),
    ("arn:aws:ses:us-east-1:888888888888:*", "arn:aws:ses:us-east-1:888888888888:", True),
    (ID + "example.co?", EXAMPLE, True),
    (ID + "example?com", ID + "example.com", True),
    (ID + "example?com", ID + "examplecom", False),
    (ID + "a.b", ID + "axb", False),
    (ID + "a+b@x.com", ID + "a+b@x.com", True),
    (arn(region="*"), arn(region="eu-west-1"), True),
    (arn(acct="*"), arn(acct="999999999999"), True),
    (arn(region="us-*-1"), EXAMPLE, True),
    (arn(region="us-east-?"), EXAMPLE, True),
    (arn(part="*"), EXAMPLE, True),
    (arn(part="aws-c?"), arn(part="aws-cn"), True),
    # a * in components 1-5 cannot swallow a colon
    (arn(region="*"), arn(region="us-east-1:x"), False),
    (arn(acct="8888*", rest="identity/x"), arn(acct="8888:9999", rest="identity/x"), False),
    (arn(region="*", acct="*"), arn(acct="888888888888:x"), False),
    # case-sensitive in every component
    (arn(svc="SES"), EXAMPLE, False),
    (arn(region="US-EAST-1"), EXAMPLE, False),
    (arn(part="AWS"), EXAMPLE, False),
    (EXAMPLE, arn(region="us-west-2"), False),
    (EXAMPLE, arn(acct="999999999999"), False),
    (EXAMPLE, arn(svc="sesv2"), False),
    ("arn:aws:ses:*:*:*", "example.com", False),
    ("arn:aws:ses:*:*:*", "arn:aws:ses:us-east-1:888888888888", False),
    ([ID + "a.com", EXAMPLE], EXAMPLE, True),
    ([ID + "a.com", ID + "b.com"], EXAMPLE, False),
]
# fmt: on


@pytest.mark.parametrize(("element", "resource", "expected"), RESOURCES)
def test_resource(element: Any, resource: str, expected: bool):
    assert allows({"Action": "ses:SendEmail", "Resource": element}, "ses:SendEmail", resource) is (
        expected
    )


@pytest.mark.parametrize(
    ("element", "resource", "expected"),
    [
        (ID + "a.com", ID + "b.com", True),
        (ID + "a.com", ID + "a.com", False),
        (ID + "a.com", ID + "A.com", True),  # case-sensitive: A.com is not excluded
        ([ID + "a.com", ID + "b.com"], ID + "b.com", False),
        ([ID + "a.com", ID + "b.com"], ID + "c.com", True),
        (ID + "*", EXAMPLE, False),
        (ID + "*", "arn:aws:ses:us-east-1:888888888888:configuration-set/x", True),
        ("*", EXAMPLE, False),
        ("*", "not-an-arn", False),
        (EXAMPLE, "not-an-arn", True),
    ],
)
def test_not_resource_allow(element: Any, resource: str, expected: bool):
    statement = {"Action": "ses:SendEmail", "NotResource": element}
    assert allows(statement, "ses:SendEmail", resource) is expected


@pytest.mark.parametrize(("resource", "denied"), [(EXAMPLE, False), (ID + "other.com", True)])
def test_not_resource_deny(resource: str, denied: bool):
    statements = [
        {"Effect": "Allow", "Action": "ses:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ses:*", "NotResource": EXAMPLE},
    ]
    expected = DecisionKind.EXPLICIT_DENY if denied else DecisionKind.ALLOW
    assert decide(statements, "ses:SendEmail", resource) is expected


@pytest.mark.parametrize(
    "element", ["identity/example.com", "arn:aws:ses", "arn:aws:ses:us-east-1:888888888888", ""]
)
def test_resource_that_is_not_an_arn_is_invalid(element: str):
    with pytest.raises(PolicyError) as caught:
        allows({"Action": "ses:SendEmail", "Resource": element}, "ses:SendEmail")
    assert caught.value.problems[0].path == "Statement[0].Resource"
