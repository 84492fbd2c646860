"""Policy variables, spec §7 (and §2.1 for the 2008-10-17 / missing Version literal text)."""

from __future__ import annotations

from typing import Any

import pytest

from openses.domain.policy import (
    Caller,
    DecisionKind,
    PolicyError,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.domain.policy.variables import Variable, parse_template

USER = parse_caller("arn:aws:iam::123456789012:user/alice")
SESSION = parse_caller("arn:aws:sts::123456789012:assumed-role/Mailer/s1")  # no aws:username
IDENTITY = "arn:aws:ses:us-east-1:888888888888:identity/"
V2012, V2008, NO_VERSION = "2012-10-17", "2008-10-17", None
F = "ses:FromAddress"


def decide(
    statement: dict[str, Any],
    context: dict[str, Any] | None = None,
    *,
    caller: Caller = USER,
    resource: str = IDENTITY + "example.com",
    version: str | None = V2012,
) -> DecisionKind:
    body: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail"}
    body.update(statement)
    if "NotResource" not in body:
        body.setdefault("Resource", "*")
    doc: dict[str, Any] = {"Statement": [body]}
    if version is not None:
        doc["Version"] = version
    policy = compile_policy(doc, name="vars")
    return evaluate([policy], Request.build(caller, "ses:SendEmail", resource, context or {})).kind


def holds(condition: dict[str, Any], context: dict[str, Any], **kw: Any) -> bool:
    """Whether ``condition`` holds, checked both as an Allow and as a Deny statement."""
    allow = decide({"Condition": condition}, context, **kw) is DecisionKind.ALLOW
    deny = decide({"Effect": "Deny", "Condition": condition}, context, **kw)
    assert (deny is DecisionKind.EXPLICIT_DENY) == allow
    return allow


# ------------------------------------------------------------------------ substitution
SE, SNE, SL, SNL = "StringEquals", "StringNotEquals", "StringLike", "StringNotLike"
ST, TAG = "aws:SecureTransport", "aws:principaltag/team"


def cases(rows: list[tuple[Any, ...]]) -> list[Any]:
    """``(id, *values)`` tuples as ``pytest.param`` objects."""
    return [pytest.param(*values, id=id_) for id_, *values in rows]


# (id, operator, key, policy value, context, expected)
# fmt: off
SUBSTITUTION = cases([
    ("equals", SE, F, "${aws:username}@x.com", {F: "alice@x.com"}, True),
    ("equals-other", SE, F, "${aws:username}@x.com", {F: "bob@x.com"}, False),
    ("key-case", SE, F, "${AWS:UserName}@x.com", {F: "alice@x.com"}, True),
    ("key-upper", SE, F, "${aws:USERNAME}@x.com", {F: "alice@x.com"}, True),
    ("ignorecase", "StringEqualsIgnoreCase", F, "${aws:username}@X.COM", {F: "ALICE@x.com"}, True),
    ("notequals", SNE, F, "${aws:username}@x.com", {F: "alice@x.com"}, False),
    ("like-wildcard-kept", SL, F, "${aws:username}+*@x.com", {F: "alice+news@x.com"}, True),
    ("like-other", SL, F, "${aws:username}+*@x.com", {F: "bob+news@x.com"}, False),
    ("notlike", SNL, F, "${aws:username}*", {F: "alice.b@x.com"}, False),
    ("two-variables", SE, F, "${aws:username}@${t:d}", {F: "alice@y.org", "t:d": "y.org"}, True),
    ("principal-account", SE, F, "${aws:PrincipalAccount}", {F: "123456789012"}, True),
    ("tag", SE, F, "${aws:PrincipalTag/Team}", {F: "ops", TAG: "ops"}, True),
    ("tag-key-case", SE, F, "${aws:PRINCIPALTAG/team}", {F: "ops", "AWS:PrincipalTag/TEAM": "ops"},
     True),
    ("source-ip", SE, F, "${aws:SourceIp}", {F: "1.2.3.4", "aws:SourceIp": "1.2.3.4"}, True),
    ("bool-context-as-text", SE, F, "${t:flag}", {F: "true", "t:flag": True}, True),
    ("bool-substitutes", "Bool", ST, "${t:flag}", {ST: True, "t:flag": "true"}, True),
    ("bool-substitutes-false", "Bool", ST, "${t:flag}", {ST: True, "t:flag": "false"}, False),
])
# fmt: on


@pytest.mark.parametrize(("operator", "key", "value", "context", "expected"), SUBSTITUTION)
def test_substitution(operator, key, value, context, expected):
    assert holds({operator: {key: value}}, context) is expected


# (id, policy value, context, expected) under StringEquals on ses:FromAddress
# fmt: off
DEFAULTS = cases([
    ("missing-uses-default", "${t:team, 'none'}", {F: "none"}, True),
    ("present-beats-default", "${t:team, 'none'}", {F: "ops", "t:team": "ops"}, True),
    ("default-unused-when-present", "${t:team, 'none'}", {F: "none", "t:team": "ops"}, False),
    ("multivalued-uses-default", "${t:list, 'none'}", {F: "none", "t:list": ["a"]}, True),
    ("empty-default", "pre${t:team, ''}", {F: "pre"}, True),
    ("key-case-with-default", "${T:TEAM, 'none'}", {F: "ops", "t:team": "ops"}, True),
    ("default-star-is-literal", "${t:team, '*'}", {F: "anything"}, False),
])
# fmt: on


@pytest.mark.parametrize(("value", "context", "expected"), DEFAULTS)
def test_defaults(value: str, context: dict[str, Any], expected: bool):
    assert holds({"StringEquals": {F: value}}, context) is expected


def test_default_star_in_stringlike_is_literal():
    condition = {"StringLike": {F: "${t:team, '*'}@x.com"}}
    assert holds(condition, {F: "*@x.com"})
    assert not holds(condition, {F: "bob@x.com"})


# ----------------------------------------------------------------------------- escapes
@pytest.mark.parametrize(
    ("operator", "value", "request_value", "expected"),
    [
        ("StringEquals", "Save ${$}5", "Save $5", True),
        ("StringEquals", "a${*}b", "a*b", True),
        ("StringEquals", "a${*}b", "axb", False),
        ("StringEquals", "a${?}b", "a?b", True),
        ("StringEquals", "${$}{x}", "${x}", True),
        ("StringNotEquals", "Save ${$}5", "Save $5", False),
        ("StringEqualsIgnoreCase", "SAVE ${$}5", "save $5", True),
        ("StringLike", "a${*}b", "a*b", True),
        ("StringLike", "a${*}b", "axb", False),
        ("StringLike", "a${?}b", "a?b", True),
        ("StringLike", "a${?}b", "axb", False),
        ("StringLike", "${$}*", "$100", True),
        ("StringLike", "${*}*", "*anything", True),
        ("StringLike", "${*}*", "anything", False),
        ("StringNotLike", "a${*}b", "axb", True),
    ],
)
def test_escapes(operator: str, value: str, request_value: str, expected: bool):
    assert holds({operator: {F: value}}, {F: request_value}) is expected


# ------------------------------------------------------------ substituted text is literal
@pytest.mark.parametrize(
    ("substituted", "request_value", "expected"),
    [("*", "*@x.com", True), ("*", "alice@x.com", False), ("?", "a@x.com", False),
     ("?", "?@x.com", True), ("a.c", "abc@x.com", False), ("[ab]", "a@x.com", False),
     ("a+", "aa@x.com", False), ("a\\", "a\\@x.com", True)],
)  # fmt: skip
def test_substituted_text_never_acts_as_wildcard(substituted, request_value, expected):
    condition = {"StringLike": {F: "${t:name}@x.com"}}
    assert holds(condition, {F: request_value, "t:name": substituted}) is expected


# ------------------------------------------------------------------- unresolved variables
U, SA, RC = "${t:missing}", "aws:SourceArn", "ses:Recipients"
# (id, operator, key, policy value(s), context, expected)
# fmt: off
UNRESOLVED = cases([
    ("equals-not-empty-string", SE, F, U, {F: ""}, False),
    ("equals-partial", SE, F, U + "x", {F: "x"}, False),
    ("like", SL, F, U + "*", {F: "x"}, False),
    ("like-empty", SL, F, U, {F: ""}, False),
    ("ignorecase", "StringEqualsIgnoreCase", F, U, {F: ""}, False),
    ("like-other-value-still-ors", SL, F, [U, "a*"], {F: "abc"}, True),
    ("notequals", SNE, F, U, {F: "x"}, True),
    ("notequals-empty", SNE, F, U, {F: ""}, True),
    ("notequals-ignorecase", "StringNotEqualsIgnoreCase", F, U, {F: "x"}, True),
    ("notlike", SNL, F, U + "*", {F: "x"}, True),
    ("notequals-nor-other-value", SNE, F, [U, "x"], {F: "x"}, False),
    ("notequals-nor-none", SNE, F, [U, "x"], {F: "y"}, True),
    ("arnlike", "ArnLike", SA, "arn:aws:sns:*:*:" + U, {SA: "arn:aws:sns:r:1:t"}, False),
    ("arnnotlike", "ArnNotLike", SA, "arn:aws:sns:*:*:" + U, {SA: "arn:aws:sns:r:1:t"}, True),
    ("arnnotequals-account", "ArnNotEquals", SA, f"arn:aws:iam::{U}:role/X",
     {SA: "arn:aws:iam::1:role/X"}, True),
    ("bool", "Bool", ST, U, {ST: True}, False),
    ("multivalued-equals", SE, F, "${ses:Recipients}", {F: "a@x", RC: ["a@x"]}, False),
    ("multivalued-notequals", SNE, F, "${ses:Recipients}", {F: "a@x", RC: ["a@x"]}, True),
    ("multivalued-empty", SE, F, "${ses:Recipients}", {F: "", RC: []}, False),
])
# fmt: on


@pytest.mark.parametrize(("operator", "key", "value", "context", "expected"), UNRESOLVED)
def test_unresolved(operator, key, value, context, expected):
    assert holds({operator: {key: value}}, context) is expected


def test_aws_username_is_unresolved_for_a_role_session():
    condition = {"StringEquals": {F: "${aws:username}@x.com"}}
    assert not holds(condition, {F: "s1@x.com"}, caller=SESSION)
    assert not holds(condition, {F: "Mailer@x.com"}, caller=SESSION)
    assert holds({"StringNotEquals": {F: "${aws:username}"}}, {F: "x"}, caller=SESSION)


def test_docs_deny_example_fires_when_principal_has_no_team_tag():
    """§7: Deny + StringNotEquals s3:ExistingObjectTag/Team: ${aws:PrincipalTag/Team}."""
    deny = {
        "Effect": "Deny",
        "Condition": {"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}},
    }
    tag = {"s3:ExistingObjectTag/Team": "blue"}
    assert decide(deny, tag) is DecisionKind.EXPLICIT_DENY
    assert decide(deny, {**tag, "aws:PrincipalTag/Team": "red"}) is DecisionKind.EXPLICIT_DENY
    assert decide(deny, {**tag, "aws:PrincipalTag/Team": "blue"}) is DecisionKind.IMPLICIT_DENY


# ------------------------------------------------------------- legacy language: literal
@pytest.mark.parametrize("version", [V2008, NO_VERSION])
def test_legacy_versions_keep_variables_literal(version: str | None):
    def check(cond: dict[str, Any], request_value: str) -> bool:
        return holds(cond, {F: request_value}, version=version)

    assert check({"StringEquals": {F: "${aws:username}"}}, "${aws:username}")
    assert len("${aws:username}") == 15
    assert not check({"StringEquals": {F: "${aws:username}"}}, "alice")
    assert not check({"StringEquals": {F: "${t:missing}"}}, "")
    assert check({"StringEquals": {F: "Save ${$}5"}}, "Save ${$}5")
    assert not check({"StringEquals": {F: "Save ${$}5"}}, "Save $5")
    assert check({"StringLike": {F: "${*}"}}, "${anything}")  # the * is a live wildcard
    assert not check({"StringLike": {F: "${*}"}}, "*")
    assert check({"StringLike": {F: "a${?}b"}}, "a${x}b")
    assert check({"StringNotEquals": {F: "${t:missing}"}}, "x")
    arn = {"ArnEquals": {F: "arn:aws:iam::${aws:PrincipalAccount}:role/X"}}
    assert not check(arn, "arn:aws:iam::123456789012:role/X")


def test_2012_substitutes_where_2008_does_not():
    condition = {"StringEquals": {F: "${aws:username}"}}
    assert holds(condition, {F: "alice"}, version=V2012)
    assert not holds(condition, {F: "alice"}, version=V2008)
    assert not holds(condition, {F: "alice"}, version=NO_VERSION)
    assert holds({"StringLike": {F: "${*}"}}, {F: "*"}, version=V2012)
    assert not holds({"StringLike": {F: "${*}"}}, {F: "${anything}"}, version=V2012)


# ------------------------------------------------------------------ Resource / NotResource
def resource_decision(pattern_key: str, pattern: str, target: str, **kw: Any) -> DecisionKind:
    return decide({pattern_key: IDENTITY + pattern}, resource=IDENTITY + target, **kw)


@pytest.mark.parametrize(
    ("pattern", "target", "caller", "expected"),
    [
        ("${aws:username}.example.com", "alice.example.com", USER, True),
        ("${aws:username}.example.com", "bob.example.com", USER, False),
        ("${AWS:USERNAME}.example.com", "alice.example.com", USER, True),
        ("${aws:username}*", "alice.example.com", USER, True),  # policy wildcard stays live
        ("${aws:username}", "alice", SESSION, False),  # unresolved: names no resource
        ("${aws:username}", "${aws:username}", SESSION, False),
        ("${aws:username, 'shared'}.com", "shared.com", SESSION, True),
        ("${aws:PrincipalAccount}-${aws:username}.com", "123456789012-alice.com", USER, True),
    ],
)
def test_variables_in_resource(pattern: str, target: str, caller: Caller, expected: bool):
    kind = resource_decision("Resource", pattern, target, caller=caller)
    assert kind is (DecisionKind.ALLOW if expected else DecisionKind.IMPLICIT_DENY)


def test_substituted_star_in_resource_is_literal():
    ctx = {"t:dom": "*"}
    assert decide({"Resource": IDENTITY + "${t:dom}"}, ctx) is DecisionKind.IMPLICIT_DENY
    star = decide({"Resource": IDENTITY + "${t:dom}"}, ctx, resource=IDENTITY + "*")
    assert star is DecisionKind.ALLOW


def test_variables_in_not_resource():
    # alice: the entry resolves to identity/alice, which is excluded
    excluded = resource_decision("NotResource", "${aws:username}", "alice")
    assert excluded is DecisionKind.IMPLICIT_DENY
    assert resource_decision("NotResource", "${aws:username}", "bob") is DecisionKind.ALLOW
    # role session: unresolved, so the entry excludes nothing
    for target in ("alice", "s1", "${aws:username}"):
        kind = resource_decision("NotResource", "${aws:username}", target, caller=SESSION)
        assert kind is DecisionKind.ALLOW, target


def test_legacy_resource_variable_is_literal_text():
    kind = resource_decision("Resource", "${aws:username}", "${aws:username}", version=V2008)
    assert kind is DecisionKind.ALLOW
    assert resource_decision("Resource", "${aws:username}", "alice", version=V2008) is (
        DecisionKind.IMPLICIT_DENY
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "arn:aws:ses:us-east-1:${aws:PrincipalAccount}:identity/example.com",
        "arn:aws:ses:${t:region}:888888888888:identity/example.com",
        "arn:${t:partition}:ses:us-east-1:888888888888:identity/example.com",
    ],
)
def test_variables_before_the_sixth_component_are_not_substituted(pattern: str):
    context = {"t:region": "us-east-1", "t:partition": "aws"}
    caller = parse_caller("arn:aws:iam::888888888888:user/alice")
    try:
        kind = decide({"Resource": pattern}, context, caller=caller)
    except PolicyError:
        return  # rejecting the pattern outright is also within the spec
    assert kind is DecisionKind.IMPLICIT_DENY


# -------------------------------------------------------------------------- ARN operators
ROLE_X, ACCT = "arn:aws:iam::${aws:PrincipalAccount}:role/X", "arn:aws:iam::123456789012:"
# (operator, pattern, value, expected); the context also has t:name = "*"
# fmt: off
ARN_CASES = [
    ("ArnEquals", ROLE_X, ACCT + "role/X", True),
    ("ArnLike", ROLE_X, "arn:aws:iam::999999999999:role/X", False),
    ("ArnNotEquals", ROLE_X, "arn:aws:iam::999999999999:role/X", True),
    ("ArnNotLike", ROLE_X, ACCT + "role/X", False),
    ("ArnLike", "arn:aws:sns:*:${AWS:PRINCIPALACCOUNT}:*", "arn:aws:sns:r:123456789012:t", True),
    ("ArnLike", ACCT + "user/${aws:username}", ACCT + "user/alice", True),
    ("ArnLike", "${aws:PrincipalArn}", ACCT + "user/alice", True),
    ("ArnLike", "${aws:PrincipalArn}", ACCT + "user/bob", False),
    ("ArnLike", ACCT + "role/${t:name}", ACCT + "role/Admin", False),
    ("ArnLike", ACCT + "role/${t:name}", ACCT + "role/*", True),
    ("ArnLike", ACCT + "role/a${*}", ACCT + "role/a*", True),
    ("ArnLike", ACCT + "role/a${*}", ACCT + "role/ab", False),
]
# fmt: on


@pytest.mark.parametrize(("operator", "pattern", "value", "expected"), ARN_CASES)
def test_variables_in_arn_operators(operator: str, pattern: str, value: str, expected: bool):
    assert holds({operator: {SA: pattern}}, {SA: value, "t:name": "*"}) is expected


# ------------------------------------------------------------- where variables do not work
@pytest.mark.parametrize(
    ("operator", "value"),
    [("NumericEquals", "5"), ("DateEquals", "2024-01-01"), ("IpAddress", "1.2.3.4"),
     ("BinaryEquals", "QQ=="), ("Null", "true")],
)  # fmt: skip
def test_no_substitution_outside_string_arn_bool(operator: str, value: str):
    context = {"t:k": value, "t:m": value} if operator != "Null" else {"t:m": value}
    assert not holds({operator: {"t:k": "${t:m}"}}, context)


def test_no_substitution_in_action_or_principal():
    ctx = {"t:act": "SendEmail"}
    assert decide({"Action": "ses:${t:act}"}, ctx) is DecisionKind.IMPLICIT_DENY
    principal = {"Principal": {"AWS": "${aws:PrincipalArn}"}}
    assert decide(principal) is DecisionKind.IMPLICIT_DENY


# ------------------------------------------------------------------ the template parser
def test_parse_template_pieces():
    template = parse_template("a${*}b${AWS:UserName, 'x y'}c", substitute=True)
    assert template.has_variables
    assert template.pieces == (("a", True), ("*", False), ("b", True),
                               Variable("aws:username", "x y"), ("c", True))  # fmt: skip
    assert template.resolve({"aws:username": "*"}) == (
        ("a", True), ("*", False), ("b", True), ("*", False), ("c", True))  # fmt: skip
    assert template.resolve_text({}) == "a*bx yc"
    assert parse_template("${k}", substitute=True).resolve({"k": ("a",)}) is None
    assert parse_template("${k}", substitute=True).resolve({}) is None
    literal = parse_template("${aws:username}", substitute=False)
    assert not literal.has_variables
    assert literal.resolve({"aws:username": "alice"}) == (("${aws:username}", True),)
