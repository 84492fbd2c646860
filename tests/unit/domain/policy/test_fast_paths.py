"""The policy engine's fast paths pinned to the general ones they stand in for.

Globs compiled to string methods must answer as the regular expression would; string
conditions compiled without context must answer as the general single-value tests do; a
literal Resource must match as its six components would; the per-policy action memo must
give the statements in order; and the benchmark's sending policy decides as documented.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.policy import (
    DecisionKind,
    PolicySet,
    Request,
    StatementRef,
    compile_policy,
    evaluate,
    make_context,
    parse_caller,
)
from openses.domain.policy.conditions import (
    FAMILIES,
    _wrap,
    compile_test,
    parse_operator,
    split_arn,
)
from openses.domain.policy.context import Context, ContextValue
from openses.domain.policy.variables import parse_template
from openses.domain.policy.wildcards import compile_glob, compile_glob_set, glob_regex

# ------------------------------------------------------------------------------ globs


def regex_matches(pattern: str, value: str) -> bool:
    return re.fullmatch(glob_regex([(pattern, True)]), value, re.DOTALL) is not None


PATTERNS = [
    "",
    "*",
    "**",
    "***",
    "?",
    "a",
    "abc",
    "a*",
    "*a",
    "*a*",
    "*@example.com",
    "news*",
    "*bench*",
    "a*b",
    "a?c",
    "*?",
    "?*",
    "a**",
    "**a",
    "*a*b*",
    "a.b",
    "a\nb*",
    "*\n",
    "[a]*",
    "*(x)",
    "é*",
]
VALUES = [
    "",
    "a",
    "ab",
    "abc",
    "cab",
    "aXb",
    "news@example.com",
    "x@example.com",
    "x@example.com.evil",
    "bench",
    "my-bench-app",
    "a.b",
    "aXb",
    "a\nb",
    "a\nbc",
    "\n",
    "x\n",
    "[a]z",
    "z(x)",
    "éa",
    "*",
    "?",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_compile_glob_answers_as_the_regex(pattern: str) -> None:
    match = compile_glob(pattern)
    for value in VALUES:
        assert match(value) == regex_matches(pattern, value), (pattern, value)


@pytest.mark.parametrize(
    "patterns",
    [
        ["*@example.com"],
        ["a", "b"],
        ["a", "*b"],
        ["a*", "*b"],
        ["x@example.com", "*bench*"],
        ["a", "*", "b"],
        ["?", "abc"],
    ],
)
def test_compile_glob_set_answers_as_any_regex(patterns: list[str]) -> None:
    match = compile_glob_set(patterns)
    for value in VALUES:
        assert match(value) == any(regex_matches(p, value) for p in patterns), (patterns, value)


GLOB_TEXT = st.text(alphabet="ab*?@.\n", max_size=8)


@settings(max_examples=400)
@given(GLOB_TEXT, st.lists(st.text(alphabet="ab@.\n*?", max_size=8), max_size=6))
def test_generated_globs_answer_as_the_regex(pattern: str, values: list[str]) -> None:
    match = compile_glob(pattern)
    grouped = compile_glob_set([pattern, "ab"])
    for value in values:
        assert match(value) == regex_matches(pattern, value)
        assert grouped(value) == (regex_matches(pattern, value) or value == "ab")


# ------------------------------------------------------------------ string conditions

STRING_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
]
OPERATOR_NAMES = [
    f"{prefix}{base}{suffix}"
    for prefix, base, suffix in itertools.product(
        ["", "ForAllValues:", "ForAnyValue:"], STRING_OPERATORS, ["", "IfExists"]
    )
]
POLICY_VALUES = [
    ["*@example.com"],
    ["1", "2"],
    ["A@Example.com"],
    ["a@example.com", "*@other.example"],
    [""],
    ["*"],
    ["a?c"],
    ["ß"],
]
REQUEST_VALUES: list[ContextValue | None] = [
    None,
    "a@example.com",
    "A@EXAMPLE.COM",
    "1",
    "3",
    "",
    "abc",
    "SS",
    ("a@example.com",),
    ("a@example.com", "b@other.example"),
    ("a@example.com", "z@nowhere.example"),
    (),
]


def reference_holds(operator_name: str, values: list[str], context: Context) -> bool:
    """The general path: the family's single-value test, wrapped."""
    op = parse_operator(operator_name)
    family = FAMILIES[op.base]
    assert family.build is not None
    templates = [parse_template(v, substitute=True) for v in values]
    return _wrap(op, "ses:fromaddress", family.build(op.base, op.negated, templates))(context)


@pytest.mark.parametrize("operator_name", OPERATOR_NAMES)
def test_plain_string_conditions_answer_as_the_general_path(operator_name: str) -> None:
    op = parse_operator(operator_name)
    for values, request_value in itertools.product(POLICY_VALUES, REQUEST_VALUES):
        context: dict[str, ContextValue] = {"ses:apiversion": "1"}
        if request_value is not None:
            context["ses:fromaddress"] = request_value
        test = compile_test(op, "ses:FromAddress", values, substitute=True)
        expected = reference_holds(operator_name, values, context)
        assert test.holds(context) == expected, (operator_name, values, request_value)


@pytest.mark.parametrize(
    "values",
    [["${ses:apiversion}"], ["${*}@example.com"], ["x${?}"], ["a", "${aws:username, 'b'}"]],
)
@pytest.mark.parametrize("operator_name", ["StringLike", "StringNotEquals", "StringEquals"])
def test_conditions_with_variables_or_escapes_keep_the_general_path(
    operator_name: str, values: list[str]
) -> None:
    op = parse_operator(operator_name)
    test = compile_test(op, "ses:FromAddress", values, substitute=True)
    for request_value in ["1", "*@example.com", "x?", "a", "b", "x@example.com"]:
        context: dict[str, ContextValue] = {"ses:fromaddress": request_value, "ses:apiversion": "1"}
        assert test.holds(context) == reference_holds(operator_name, values, context)


# ------------------------------------------------------------------------- resources

IDENTITY = "arn:aws:ses:us-east-1:111122223333:identity/bench.example"


def resource_policy(resource: str, version: str = "2012-10-17") -> str:
    return json.dumps(
        {
            "Version": version,
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "ses:*", "Resource": resource}
            ],
        }
    )


RESOURCES = [
    IDENTITY,
    IDENTITY.upper(),
    IDENTITY + "x",
    IDENTITY[:-1],
    "arn:aws:ses:us-east-1:111122223333:identity/other.example",
    "arn:aws:ses:us-east-1:111122223333",
    "arn:aws:ses:us-east-1:111122223333:identity/bench.example:extra",
    "",
    "*",
]


@pytest.mark.parametrize(
    ("pattern", "version"),
    [
        (IDENTITY, "2012-10-17"),
        (IDENTITY, "2008-10-17"),
        ("arn:aws:ses:us-east-1:111122223333:identity/a:b", "2012-10-17"),
        ("arn:aws:ses:us-east-1:111122223333:identity/${x}", "2008-10-17"),
    ],
)
def test_a_literal_resource_matches_as_its_components(pattern: str, version: str) -> None:
    statement = compile_policy(resource_policy(pattern, version)).statements[0]
    for resource in [*RESOURCES, pattern]:
        parts = split_arn(resource)
        expected = parts is not None and parts == split_arn(pattern)
        assert statement.resource(resource, parts, {}) == expected, resource


@pytest.mark.parametrize(
    ("pattern", "matching", "other"),
    [
        ("arn:aws:ses:us-east-1:111122223333:identity/${*}", "…identity/*", "…identity/x"),
        ("arn:aws:ses:*:111122223333:identity/bench.example", IDENTITY, "…"),
        ("arn:aws:ses:us-east-1:111122223333:identity/${aws:username}", "…identity/u", "…"),
    ],
)
def test_other_resources_keep_their_matching(pattern: str, matching: str, other: str) -> None:
    statement = compile_policy(resource_policy(pattern)).statements[0]
    prefix = "arn:aws:ses:us-east-1:111122223333:identity/"
    matching = matching.replace("…identity/", prefix)
    other = other.replace("…identity/", prefix).replace("…", "arn:aws:ses:us-east-1:1:x/y")
    context: dict[str, ContextValue] = {"aws:username": "u"}
    assert statement.resource(matching, split_arn(matching), context)
    assert not statement.resource(other, split_arn(other), context)


# -------------------------------------------------------------------- action memo, refs


def test_statements_by_action_are_remembered_in_order() -> None:
    first = compile_policy(first_document(), "first")
    second = compile_policy(resource_policy("*"), "second")
    assert [s.sid for s in first.for_action("ses:sendemail")] == ["A", "C"]
    assert [s.sid for s in first.for_action("ses:sendrawemail")] == ["A", "B", "C"]
    assert first.for_action("ses:sendemail") is first.for_action("ses:sendemail")
    pool = PolicySet([first, second])
    expected = [
        s
        for s in (*first.statements, *second.statements)
        if s.action("ses:sendrawemail") != s.not_action
    ]
    assert list(pool.for_action("ses:sendrawemail")) == expected
    assert [s.ref for s in first.statements] == [
        StatementRef("first", "A", first.statements[0].effect, 0),
        StatementRef("first", "B", first.statements[1].effect, 1),
        StatementRef("first", "C", first.statements[2].effect, 2),
    ]
    memo = {f.name: f for f in dataclasses.fields(first)}["_by_action"]
    assert not memo.compare  # the memo takes no part in equality or hashing
    assert hash(first) == hash(first)


def first_document() -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "ses:Send*",
             "Resource": "*"},
            {"Sid": "B", "Effect": "Deny", "Principal": "*", "NotAction": "ses:SendEmail",
             "Resource": "*"},
            {"Sid": "C", "Effect": "Allow", "Principal": "*", "Action": "ses:*",
             "Resource": "*"},
        ],
    }  # fmt: skip


# ------------------------------------------------------------ the benchmark's policy

DELEGATE = "222233334444"
SENDING_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOtherSenders",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ses:*",
            "Resource": IDENTITY,
            "Condition": {"StringNotLike": {"ses:FromAddress": "*@bench.example"}},
        },
        {
            "Sid": "AllowDelegate",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{DELEGATE}:root"},
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": IDENTITY,
            "Condition": {
                "StringLike": {"ses:FromAddress": "*@bench.example"},
                "StringEquals": {"ses:ApiVersion": ["1", "2"]},
                "ForAllValues:StringLike": {"ses:Recipients": ["*@example.net"]},
            },
        },
    ],
}


@pytest.mark.parametrize(
    ("caller", "action", "context", "kind", "sids"),
    [
        (DELEGATE, "ses:SendRawEmail", {}, DecisionKind.ALLOW, ["AllowDelegate"]),
        (DELEGATE, "SES:sendemail", {}, DecisionKind.ALLOW, ["AllowDelegate"]),
        (DELEGATE, "ses:SendTemplatedEmail", {}, DecisionKind.IMPLICIT_DENY, []),
        ("999999999999", "ses:SendRawEmail", {}, DecisionKind.IMPLICIT_DENY, []),
        (
            DELEGATE,
            "ses:SendRawEmail",
            {"ses:FromAddress": "app@elsewhere.example"},
            DecisionKind.EXPLICIT_DENY,
            ["DenyOtherSenders"],
        ),
        (
            DELEGATE,
            "ses:SendRawEmail",
            {"ses:FromAddress": "app@BENCH.example"},
            DecisionKind.EXPLICIT_DENY,
            ["DenyOtherSenders"],
        ),
        (DELEGATE, "ses:SendRawEmail", {"ses:ApiVersion": "3"}, DecisionKind.IMPLICIT_DENY, []),
        (
            DELEGATE,
            "ses:SendRawEmail",
            {"ses:Recipients": ["someone@example.net", "x@example.org"]},
            DecisionKind.IMPLICIT_DENY,
            [],
        ),
        (DELEGATE, "ses:SendRawEmail", {"ses:Recipients": []}, DecisionKind.ALLOW, None),
        (DELEGATE, "ses:SendRawEmail", {"ses:Recipients": None}, DecisionKind.ALLOW, None),
        (
            DELEGATE,
            "ses:SendRawEmail",
            {"ses:FromAddress": None},
            DecisionKind.EXPLICIT_DENY,
            ["DenyOtherSenders"],
        ),
        (
            DELEGATE,
            "ses:SendRawEmail",
            {"ses:FromAddress": ["app@bench.example"]},  # bare operators: never a list
            DecisionKind.IMPLICIT_DENY,
            [],
        ),
    ],
)
def test_the_benchmark_policy_decides_as_documented(
    caller: str,
    action: str,
    context: dict[str, object],
    kind: DecisionKind,
    sids: list[str] | None,
) -> None:
    values: dict[str, object] = {
        "ses:FromAddress": "app@bench.example",
        "ses:Recipients": ["someone@example.net"],
        "ses:ApiVersion": "1",
        **context,
    }
    policies = PolicySet([compile_policy(SENDING_POLICY, "delegate")])
    request = Request(
        parse_caller(f"arn:aws:iam::{caller}:root"), action, IDENTITY, make_context(values)
    )
    decision = evaluate(policies, request)
    assert decision.kind is kind
    if sids is not None:
        assert [ref.sid for ref in decision.statements] == sids
