"""The evaluation algorithm, spec §8.1: explicit deny > allow > implicit deny, pooled policies."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from openses.domain.policy import (
    DecisionKind,
    Effect,
    Policy,
    PolicySet,
    Request,
    StatementRef,
    compile_policy,
    evaluate,
    parse_caller,
)

ALICE = "arn:aws:iam::123456789012:user/alice"
TARGET = "arn:aws:ses:us-east-1:888888888888:identity/example.com"
FROM = "ses:FromAddress"


def st(sid: str | None, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Principal": "*", "Action": "ses:Send*"}
    out["Resource"] = TARGET
    if sid is not None:
        out["Sid"] = sid
    out.update(extra)
    return out


def policy(name: str, *statements: dict[str, Any]) -> Policy:
    return compile_policy({"Version": "2012-10-17", "Statement": list(statements)}, name=name)


def request(
    context: dict[str, Any] | None = None, action: str = "ses:SendEmail", caller: str = ALICE
) -> Request:
    return Request.build(parse_caller(caller), action, TARGET, context or {})


FROM_A = {"StringEquals": {FROM: "a@example.com"}}
ALLOW = st("AllowAll")
ALLOW_A = st("AllowA", Condition=FROM_A)
DENY_A = st("DenyA", "Deny", Condition=FROM_A)
DENY_OTHER_ACTION = st("DenyRaw", "Deny", Action="ses:SendRawEmail")


# ------------------------------------------------------------------------- precedence
ED, AL, ID = DecisionKind.EXPLICIT_DENY, DecisionKind.ALLOW, DecisionKind.IMPLICIT_DENY
A_, B_ = "a@example.com", "b@example.com"
# fmt: off
PRECEDENCE = [
    pytest.param([ALLOW, DENY_A], A_, ED, id="deny-wins"),
    pytest.param([DENY_A, ALLOW], A_, ED, id="deny-first"),
    pytest.param([ALLOW, DENY_A], B_, AL, id="deny-not-applicable"),
    pytest.param([ALLOW_A], A_, AL, id="allow"),
    pytest.param([ALLOW_A], B_, ID, id="no-allow-applies"),
    pytest.param([DENY_A], B_, ID, id="only-deny-not-applying"),
    pytest.param([DENY_A], A_, ED, id="only-deny"),
    pytest.param([ALLOW, DENY_OTHER_ACTION], A_, AL, id="deny-other-action"),
    pytest.param([ALLOW, ALLOW_A, st("A3"), DENY_A], A_, ED, id="many-allows-one-deny"),
]
# fmt: on


@pytest.mark.parametrize(("statements", "from_address", "expected"), PRECEDENCE)
def test_precedence(statements: list[dict[str, Any]], from_address: str, expected: DecisionKind):
    decision = evaluate([policy("p", *statements)], request({FROM: from_address}))
    assert decision.kind is expected
    assert decision.allowed is (expected is DecisionKind.ALLOW)


def test_no_policies_is_implicit_deny():
    decision = evaluate([], request())
    assert decision.kind is DecisionKind.IMPLICIT_DENY
    assert decision.statements == ()
    assert decision.explanation.startswith("Implicitly denied: there are no policy statements")


# --------------------------------------------------------------------- pooled policies
def test_policies_are_pooled():
    allow, deny = policy("grant", ALLOW), policy("block", DENY_A)
    for policies in ([allow, deny], [deny, allow], PolicySet([allow, deny])):
        assert evaluate(policies, request({FROM: "a@example.com"})).kind is (
            DecisionKind.EXPLICIT_DENY
        )
        assert evaluate(policies, request({FROM: "b@example.com"})).kind is DecisionKind.ALLOW
    other = policy("other", st("X", Action="ses:VerifyEmailIdentity"))
    only_deny = [policy("block", DENY_A), other]
    assert evaluate(only_deny, request({FROM: "b@example.com"})).kind is DecisionKind.IMPLICIT_DENY


def test_allow_in_any_policy_suffices():
    from_b = st("B", Condition={"StringEquals": {FROM: "b@example.com"}})
    policies = PolicySet([policy("p1", ALLOW_A), policy("p2", from_b)])
    assert evaluate(policies, request({FROM: "a@example.com"})).statements == (
        StatementRef("p1", "AllowA", Effect.ALLOW, 0),
    )
    assert evaluate(policies, request({FROM: "b@example.com"})).statements == (
        StatementRef("p2", "B", Effect.ALLOW, 0),
    )
    assert evaluate(policies, request({FROM: "c@example.com"})).kind is DecisionKind.IMPLICIT_DENY


def test_policy_set_is_reusable_across_actions_and_requests():
    policies = PolicySet([policy("p", ALLOW, DENY_OTHER_ACTION)])
    assert len(policies) == 1
    for _ in range(2):
        assert evaluate(policies, request(action="ses:SendEmail")).kind is DecisionKind.ALLOW
        raw = evaluate(policies, request(action="ses:SendRawEmail"))
        assert raw.kind is DecisionKind.EXPLICIT_DENY
        other = evaluate(policies, request(action="ses:VerifyEmailIdentity"))
        assert other.kind is DecisionKind.IMPLICIT_DENY


# ---------------------------------------------------------------------- statement order
STATEMENTS = [ALLOW, ALLOW_A, DENY_A, DENY_OTHER_ACTION, st(None, Action="ses:SendRawEmail")]


@pytest.mark.parametrize("from_address", ["a@example.com", "b@example.com"])
@pytest.mark.parametrize("action", ["ses:SendEmail", "ses:SendRawEmail"])
def test_statement_order_is_irrelevant(from_address: str, action: str):
    req = request({FROM: from_address}, action=action)
    outcomes = set()
    for order in itertools.permutations(STATEMENTS):
        decision = evaluate([policy("p", *order)], req)
        sids = frozenset(ref.sid for ref in decision.statements)
        outcomes.add((decision.kind, sids))
    assert len(outcomes) == 1, outcomes


# ------------------------------------------------------------------ decision statements
def test_decision_lists_every_applicable_statement_of_the_winning_effect():
    p1 = policy("p1", st("A1"), st(None, Condition=FROM_A), st("D1", "Deny", Action="iam:*"))
    p2 = policy("p2", st("A2"), st("D2", "Deny", Condition={"Null": {FROM: "true"}}))
    allowed = evaluate([p1, p2], request({FROM: "a@example.com"}))
    assert allowed.kind is DecisionKind.ALLOW
    assert allowed.statements == (
        StatementRef("p1", "A1", Effect.ALLOW, 0),
        StatementRef("p1", None, Effect.ALLOW, 1),
        StatementRef("p2", "A2", Effect.ALLOW, 0),
    )
    denied = evaluate([p1, p2], request({}))
    assert denied.kind is DecisionKind.EXPLICIT_DENY
    assert denied.statements == (StatementRef("p2", "D2", Effect.DENY, 1),)
    assert denied.statements[0].to_json() == {
        "policy": "p2", "sid": "D2", "effect": "Deny", "index": 1}  # fmt: skip


def test_single_statement_object_has_index_zero():
    p = compile_policy({"Version": "2012-10-17", "Statement": st("Only")}, name="solo")
    assert evaluate([p], request()).statements == (StatementRef("solo", "Only", Effect.ALLOW, 0),)


# ------------------------------------------------------------------------- explanations
def test_explanation_for_explicit_deny_names_the_denying_sid():
    text = evaluate([policy("pol", ALLOW, DENY_A)], request({FROM: "a@example.com"})).explanation
    assert text == (
        f"Explicitly denied: statement 'DenyA' of policy 'pol' denies {ALICE} "
        f"to perform ses:SendEmail on {TARGET}."
    )


def test_explanation_for_allow_names_the_allowing_sids_and_policies():
    text = evaluate([policy("one", ALLOW), policy("two", st(None))], request()).explanation
    assert text.startswith("Allowed: statements 'AllowAll', #1 of policies 'one', 'two' allows ")
    assert ALICE in text
    assert "ses:SendEmail" in text


def test_explanation_for_implicit_deny_points_at_the_nearest_failing_condition():
    far = st("WrongCaller", Principal={"AWS": "999999999999"})
    conditions = {
        "Bool": {"aws:SecureTransport": "true"},
        "StringEquals": {FROM: ["a@example.com", "b@example.com"]},
    }
    near = st("Near", Condition=conditions)
    decision = evaluate([policy("pol", far, near)], request({"aws:SecureTransport": True}))
    assert decision.kind is DecisionKind.IMPLICIT_DENY
    assert decision.explanation == (
        f"Implicitly denied: no statement allows {ALICE} to perform ses:SendEmail on {TARGET}; "
        "the nearest, statement 'Near' of policy 'pol', has a condition that is false: "
        'StringEquals ses:FromAddress ["a@example.com", "b@example.com"].'
    )


NO_ONE = {"AWS": "999999999999"}
# fmt: off
REASONS = [
    pytest.param(st("S", Principal=NO_ONE), "does not name this caller as a principal",
                 id="principal"),
    pytest.param(st("S", NotPrincipal="*", Principal=None),
                 "exempts this caller through NotPrincipal", id="notprincipal"),
    pytest.param(st("S", Action="ses:VerifyEmailIdentity"),
                 "does not cover the action ses:SendEmail", id="action"),
    pytest.param(st("S", Resource=TARGET + ".org"), f"does not cover the resource {TARGET}",
                 id="resource"),
    pytest.param(st("S", Condition={"Null": {FROM: "false"}}),
                 'has a condition that is false: Null ses:FromAddress "false"', id="condition"),
]
# fmt: on


@pytest.mark.parametrize(("statement", "reason"), REASONS)
def test_explanation_reason_for_each_element(statement: dict[str, Any], reason: str):
    statement = {k: v for k, v in statement.items() if v is not None}
    text = evaluate([policy("pol", statement)], request()).explanation
    assert text.endswith(f"the nearest, statement 'S' of policy 'pol', {reason}.")


def test_nearest_prefers_the_statement_that_got_furthest():
    wrong_action = st("WrongAction", Action="ses:VerifyEmailIdentity")
    wrong_resource = st("WrongResource", Resource=TARGET + ".org")
    one_condition = st("OneCond", Condition={"Null": {FROM: "false"}})
    two_nulls = {"Null": {"aws:username": "false", FROM: "false"}}
    second_condition = st("SecondCond", Condition=two_nulls)
    pool = [wrong_action, wrong_resource, one_condition, second_condition]
    for order in itertools.permutations(pool):
        text = evaluate([policy("pol", *order)], request()).explanation
        assert "statement 'SecondCond'" in text, text
        assert 'Null ses:FromAddress "false"' in text
    text = evaluate([policy("pol", wrong_action, wrong_resource)], request()).explanation
    assert "statement 'WrongResource'" in text


def test_nearest_ignores_deny_statements_and_unnamed_statements_use_their_number():
    deny = st("NotMe", "Deny", Condition=FROM_A)
    text = evaluate([policy("pol", deny, st(None, Condition=FROM_A))], request()).explanation
    assert "the nearest, statement #2 of policy 'pol'" in text
    assert "NotMe" not in text
    only_deny = evaluate([policy("pol", deny)], request()).explanation
    assert only_deny.startswith("Implicitly denied: there are no policy statements to allow")
