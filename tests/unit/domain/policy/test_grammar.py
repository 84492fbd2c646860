"""Policy grammar validation, spec §2 (and §4.2.10, §6.2 for Principal and operator names)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openses.domain.policy import (
    DecisionKind,
    Effect,
    PolicyError,
    PolicyKind,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.domain.policy.conditions import SetOperator, UnknownOperator, parse_operator

TARGET = "arn:aws:ses:us-east-1:888888888888:identity/example.com"
STMT: dict[str, Any] = {
    "Effect": "Allow",
    "Principal": {"AWS": "123456789012"},
    "Action": "ses:SendEmail",
    "Resource": TARGET,
}


def doc(*statements: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements) or [STMT], **top}


def stmt(**changes: Any) -> dict[str, Any]:
    """STMT with members replaced; a value of ``None`` removes the member."""
    out = {**STMT, **changes}
    return {k: v for k, v in out.items() if v is not None}


def problems(document: Any, kind: PolicyKind = PolicyKind.RESOURCE) -> list[tuple[str, str]]:
    with pytest.raises(PolicyError) as caught:
        compile_policy(document, name="p", kind=kind)
    found = [(p.path, p.message) for p in caught.value.problems]
    assert found, "a PolicyError must carry at least one problem"
    return found


def one_problem(document: Any, kind: PolicyKind = PolicyKind.RESOURCE) -> tuple[str, str]:
    found = problems(document, kind)
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------------------ valid
# fmt: off
VALID: list[Any] = [
    pytest.param(doc(), id="minimal"),
    pytest.param({"Version": "2012-10-17", "Statement": STMT}, id="single-statement-object"),
    pytest.param({"Version": "2008-10-17", "Statement": [STMT]}, id="version-2008"),
    pytest.param({"Statement": [STMT]}, id="no-version"),
    pytest.param(doc(Id="any string at all"), id="with-id"),
    pytest.param({"Statement": [STMT], "Id": "x", "Version": "2012-10-17"}, id="member-order"),
    pytest.param(doc(stmt(Sid="Has spaces & symbols!")), id="sid-any-string"),
    pytest.param(doc(stmt(Sid="A"), stmt(Sid="B"), stmt()), id="unique-sids"),
    pytest.param(doc(stmt(Condition={})), id="empty-condition"),
    pytest.param(doc(stmt(Principal="*")), id="principal-star"),
    pytest.param(doc(stmt(Principal=None, NotPrincipal={"AWS": ["1"]})), id="notprincipal"),
    pytest.param(doc(stmt(Action=None, NotAction=["ses:SendRawEmail"])), id="notaction"),
    pytest.param(doc(stmt(Resource=None, NotResource=[TARGET])), id="notresource"),
    pytest.param(doc(stmt(Action=["ses:SendEmail", "ses:SendRawEmail"], Resource="*")), id="lists"),
    pytest.param(doc(stmt(Effect="Deny")), id="deny"),
    pytest.param(doc(stmt(Principal={"Service": "x.amazonaws.com", "AWS": ["1", "*"]})), id="map"),
    pytest.param(doc(stmt(Principal={"Federated": "cognito-identity.amazonaws.com"})), id="fed"),
    pytest.param(doc(stmt(Principal={"CanonicalUser": "79a59df9"})), id="canonical"),
    pytest.param(doc(stmt(Condition={
        "StringLike": {"ses:FromAddress": ["*@x.com", "y"]},
        "ForAllValues:StringLike": {"ses:Recipients": "*@x.com"},
        "ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"},
        "NumericLessThan": {"aws:EpochTime": 1700000000},
        "Bool": {"aws:SecureTransport": True},
        "Null": {"ses:FromDisplayName": "false"},
        "ForAllValues:Null": {"x:y": "true"},
        "DateGreaterThan": {"aws:CurrentTime": "2021-08-31T12:00Z"},
    })), id="conditions"),
    pytest.param(json.dumps(doc()), id="json-text"),
    pytest.param(json.dumps(doc()).encode(), id="json-bytes"),
]
# fmt: on


@pytest.mark.parametrize("document", VALID)
def test_valid_policies_compile(document: Any):
    policy = compile_policy(document, name="ok")
    assert policy.name == "ok"
    assert policy.statements


def test_compiled_policy_keeps_its_facts():
    policy = compile_policy(doc(stmt(Sid="One"), stmt(Sid="Two", Effect="Deny"), Id="pid"))
    assert policy.version == "2012-10-17"
    assert policy.policy_id == "pid"
    assert [(s.sid, s.effect, s.index) for s in policy.statements] == [
        ("One", Effect.ALLOW, 0), ("Two", Effect.DENY, 1)]  # fmt: skip
    assert compile_policy({"Statement": STMT}).version is None


# ---------------------------------------------------------------------------- problems
# (id, document, expected path, a fragment of the message)
S0 = "Statement[0]"
S0E, S0P, S0A = S0 + ".Effect", S0 + ".Principal", S0 + ".Action"
AR = "Action or NotAction"
NULL_VERSION = (
    '{"Version": null, "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",'
    ' "Resource": "*"}}'
)
# fmt: off
INVALID = [
    ("unknown-top-level", doc(Foo=1), "", "unknown member 'Foo'"),
    ("top-level-case", {"version": "2012-10-17", "Statement": [STMT]}, "", "member 'version'"),
    ("unknown-statement-member", doc(stmt(Condtion={})), S0, "unknown member 'Condtion'"),
    ("statement-member-case", doc(stmt(resource=TARGET)), S0, "unknown member 'resource'"),
    ("both-principals", doc(stmt(NotPrincipal="*")), S0, "has both Principal and NotPrincipal"),
    ("no-principal", doc(stmt(Principal=None)), S0, "needs Principal or NotPrincipal"),
    ("both-actions", doc(stmt(NotAction="ses:X")), S0, "has both " + AR.replace(" or ", " and ")),
    ("no-action", doc(stmt(Action=None)), S0, "needs " + AR),
    ("both-resources", doc(stmt(NotResource="*")), S0, "has both Resource and NotResource"),
    ("no-resource", doc(stmt(Resource=None)), S0, "needs Resource or NotResource"),
    ("version-other-date", doc(Version="2012-10-18"), "Version", "2012-10-18"),
    ("version-padded", doc(Version=" 2012-10-17"), "Version", "must be one of"),
    ("version-number", doc(Version=2012), "Version", "must be one of"),
    ("version-empty", doc(Version=""), "Version", "must be one of"),
    ("version-null", NULL_VERSION, "Version", ""),
    ("no-statement", {"Version": "2012-10-17"}, "", "the policy has no Statement"),
    ("empty-statement-list", {"Statement": []}, "Statement", "non-empty list"),
    ("statement-string", {"Statement": "x"}, "Statement", "must be a statement object"),
    ("statement-item-not-object", {"Statement": [STMT, 1]}, "Statement[1]", "a JSON object"),
    ("policy-not-object", "[]", "", "must be a JSON object"),
    ("not-json", "{", "", "not valid JSON"),
    ("effect-lowercase", doc(stmt(Effect="allow")), S0E, "'allow'"),
    ("effect-uppercase", doc(stmt(Effect="DENY")), S0E, 'must be "Allow" or "Deny"'),
    ("effect-missing", doc(stmt(Effect=None)), S0E, 'must be "Allow" or "Deny"'),
    ("sid-empty", doc(stmt(Sid="")), "Statement[0].Sid", "non-empty string"),
    ("sid-number", doc(stmt(Sid=7)), "Statement[0].Sid", "non-empty string"),
    ("sid-null", doc(stmt(), {**STMT, "Sid": None}), "Statement[1].Sid", ""),
    ("duplicate-sid", doc(stmt(Sid="A"), stmt(Sid="B"), stmt(Sid="A")), "Statement[2]", "Sid 'A'"),
    ("duplicate-sid-adjacent", doc(stmt(Sid="a"), stmt(Sid="a")), "Statement[1]", "earlier"),
    ("action-empty-list", doc(stmt(Action=[])), S0A, "non-empty"),
    ("action-empty-string", doc(stmt(Action="")), S0A, "non-empty"),
    ("action-number", doc(stmt(Action=5)), S0A, "non-empty"),
    ("notaction-null-item", doc(stmt(Action=None, NotAction=["a:b", None])), S0 + ".NotAction", ""),
    ("action-no-service", doc(stmt(Action="SendEmail")), S0A, "service:action"),
    ("resource-empty-list", doc(stmt(Resource=[])), "Statement[0].Resource", "non-empty"),
    ("notresource-not-arn", doc(stmt(Resource=None, NotResource="x")), S0 + ".NotResource", "ARN"),
    ("principal-string", doc(stmt(Principal="123456789012")), S0P, '"*"'),
    ("principal-empty-map", doc(stmt(Principal={})), S0P, '"*"'),
    ("principal-key-case", doc(stmt(Principal={"aws": "*"})), S0P, "unknown member 'aws'"),
    ("principal-unknown-type", doc(stmt(Principal={"IAM": "x"})), S0P, "'IAM'"),
    ("principal-empty-list", doc(stmt(Principal={"AWS": []})), S0P + ".AWS", "non-empty"),
    ("notprincipal-list", doc(stmt(Principal=None, NotPrincipal=[])), S0 + ".NotPrincipal", '"*"'),
]
# fmt: on


@pytest.mark.parametrize(
    ("document", "path", "fragment"), [pytest.param(*r[1:], id=r[0]) for r in INVALID]
)
def test_invalid_policies(document: Any, path: str, fragment: str):
    found_path, message = one_problem(document)
    assert found_path == path
    assert fragment in message


def test_single_statement_object_problem_path_has_no_index():
    assert one_problem({"Statement": stmt(Effect="allow")})[0] == "Statement.Effect"


# ---------------------------------------------------------------------------- conditions
C = "Statement[0].Condition"


def cond(block: Any) -> dict[str, Any]:
    return doc(stmt(Condition=block))


@pytest.mark.parametrize(
    "operator",
    ["StringEqual", "stringEquals", "STRINGEQUALS", "StringLikeIfexists", "IfExists", "Equals",
     "ForAllValues:stringequals", "ForAnyValue:IfExists", "Numericequals", "IPAddress", "ArnLikeX",
     "NotNull", "BoolIfExistsIfExists", "StringNotLikeIgnoreCase", "BinaryNotEquals", ""],
)  # fmt: skip
def test_unknown_or_miscased_operator(operator: str):
    path, message = one_problem(cond({operator: {"ses:FromAddress": "x"}}))
    assert path == f"{C}.{operator}"
    assert operator in message or "no operator" in message or "unknown" in message


@pytest.mark.parametrize(
    "operator", ["NullIfExists", "ForAllValues:NullIfExists", "ForAnyValue:NullIfExists"]
)
def test_ifexists_on_null_is_invalid(operator: str):
    path, message = one_problem(cond({operator: {"ses:FromAddress": "true"}}))
    assert path == f"{C}.{operator}"
    assert "Null" in message
    assert "IfExists" in message


@pytest.mark.parametrize(
    "operator",
    ["ForAll:StringEquals", "forallvalues:StringEquals", "ForAnyValues:StringEquals",
     "ForEachValue:StringEquals", "ForAllValues:", ":StringEquals",
     "ForAllValues:ForAnyValue:StringEquals"],
)  # fmt: skip
def test_bad_set_operator_prefix(operator: str):
    path, message = one_problem(cond({operator: {"ses:FromAddress": "x"}}))
    assert path == f"{C}.{operator}"
    assert message


@pytest.mark.parametrize(
    "value",
    [None, {}, {"a": "b"}, [], [["a"]], ["a", None], ["a", {"b": 1}]],
    ids=["null", "object-empty", "object", "empty-list", "nested-list", "list-null", "list-object"],
)
def test_bad_condition_value_types(value: Any):
    path, message = one_problem(cond({"StringEquals": {"ses:FromAddress": value}}))
    assert path == f"{C}.StringEquals.ses:FromAddress"
    assert "string, number or boolean" in message


@pytest.mark.parametrize(
    ("block", "path"),
    [
        ([], C),
        ("StringEquals", C),
        ({"StringEquals": "x"}, f"{C}.StringEquals"),
        ({"StringEquals": ["x"]}, f"{C}.StringEquals"),
        ({"StringEquals": {"": "x"}}, f"{C}.StringEquals"),
    ],
)
def test_bad_condition_structure(block: Any, path: str):
    assert one_problem(cond(block))[0] == path


def test_condition_values_may_be_numbers_and_booleans():
    policy = compile_policy(cond({"StringEquals": {"k": [1, True, "s", 2.5]}}))
    (test,) = policy.statements[0].conditions
    assert test.values == ("1", "true", "s", "2.5")


# ------------------------------------------------------------------------ duplicate keys
# fmt: off
DUPLICATES = [
    ('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": {S}}', "", "Version"),
    ('{"Statement": {S}, "Statement": {S}}', "", "Statement"),
    ('{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Principal": "*", "Action": "*",'
     ' "Resource": "*"}]}', "Statement[0]", "Effect"),
    ('{"Statement": {"Effect": "Allow", "Principal": {"AWS": "1", "AWS": "2"}, "Action": "*",'
     ' "Resource": "*"}}', "Statement.Principal", "AWS"),
    ('{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",'
     ' "Condition": {"Bool": {"a:b": "true"}, "Bool": {"a:b": "false"}}}}',
     "Statement.Condition", "Bool"),
    ('{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",'
     ' "Condition": {"Bool": {"a:b": "true", "a:b": "false"}}}}',
     "Statement.Condition.Bool", "a:b"),
]
# fmt: on
STATEMENT_TEXT = '{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}'


@pytest.mark.parametrize(("text", "path", "member"), DUPLICATES)
def test_duplicate_json_keys(text: str, path: str, member: str):
    found_path, message = one_problem(text.replace("{S}", STATEMENT_TEXT))
    assert found_path == path
    assert f"'{member}'" in message
    assert "more than once" in message


# --------------------------------------------------------------------- identity policies
def test_identity_policy_rejects_principal_and_not_principal():
    found = problems(doc(stmt(), stmt(Principal=None, NotPrincipal="*")), PolicyKind.IDENTITY)
    assert found == [
        ("Statement[0]", "Principal is not allowed in an identity-based policy"),
        ("Statement[1]", "NotPrincipal is not allowed in an identity-based policy"),
    ]


@pytest.mark.parametrize(
    ("caller", "principal_type"),
    [("arn:aws:iam::123456789012:user/alice", None), ("ses.amazonaws.com", None),
     ("arn:aws:sts::999999999999:assumed-role/R/s", None), ("999999999999", None),
     ("cognito-identity.amazonaws.com", "Federated")],
)  # fmt: skip
def test_identity_policy_applies_to_any_caller(caller: str, principal_type: str | None):
    policy = compile_policy(doc(stmt(Principal=None)), name="id", kind=PolicyKind.IDENTITY)
    assert policy.kind is PolicyKind.IDENTITY
    request = Request.build(parse_caller(caller, principal_type), "ses:SendEmail", TARGET, {})
    assert evaluate([policy], request).kind is DecisionKind.ALLOW


def test_resource_policy_requires_a_principal_but_identity_policy_does_not():
    assert one_problem(doc(stmt(Principal=None)))[1] == "needs Principal or NotPrincipal"
    assert compile_policy(doc(stmt(Principal=None)), kind=PolicyKind.IDENTITY).statements


# ------------------------------------------------------------------------- all problems
def test_policy_error_lists_all_problems_at_once():
    bad = {
        "Version": "2013-01-01",
        "Extra": True,
        "Statement": [
            stmt(Sid="A", Effect="allow"),
            stmt(Sid="A", Action=None, Condition={"StringEqual": {"k": "v"}}),
            stmt(NotResource="*", Condition={"Bool": {"k": []}}),
        ],
    }
    found = problems(bad)
    paths = [path for path, _ in found]
    assert sorted(paths) == sorted([
        "", "Version", "Statement[0].Effect", "Statement[1]", "Statement[1]",
        "Statement[1].Condition.StringEqual", "Statement[2]", "Statement[2].Condition.Bool.k",
    ])  # fmt: skip
    messages = " | ".join(message for _, message in found)
    for fragment in ("unknown member 'Extra'", "2013-01-01", "'allow'", "Sid 'A'",
                     "needs Action or NotAction", "StringEqual", "has both Resource"):  # fmt: skip
        assert fragment in messages
    with pytest.raises(PolicyError) as caught:
        compile_policy(bad)
    assert "Statement[0].Effect" in str(caught.value)


# --------------------------------------------------------------------- operator names
@pytest.mark.parametrize(
    ("name", "base", "set_operator", "if_exists", "negated"),
    [
        ("StringEquals", "StringEquals", SetOperator.NONE, False, False),
        ("StringNotLikeIfExists", "StringNotLike", SetOperator.NONE, True, True),
        ("ForAnyValue:StringLikeIfExists", "StringLike", SetOperator.FOR_ANY_VALUE, True, False),
        ("ForAllValues:NotIpAddress", "NotIpAddress", SetOperator.FOR_ALL_VALUES, False, True),
        ("ForAllValues:Null", "Null", SetOperator.FOR_ALL_VALUES, False, False),
        ("DateNotEqualsIfExists", "DateNotEquals", SetOperator.NONE, True, True),
    ],
)
def test_parse_operator(name, base, set_operator, if_exists, negated):
    op = parse_operator(name)
    assert (op.base, op.set_operator, op.if_exists, op.negated) == (
        base, set_operator, if_exists, negated)  # fmt: skip


@pytest.mark.parametrize("name", ["stringequals", "NullIfExists", "ForAny:Bool", "Bool:Bool"])
def test_parse_operator_rejects(name: str):
    with pytest.raises(UnknownOperator):
        parse_operator(name)
