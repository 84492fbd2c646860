"""Principal and NotPrincipal, spec §4 (forms §4.1, rules §4.2, identity chains §4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from openses.domain.policy import (
    DecisionKind,
    InvalidCaller,
    PolicyError,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)

A, B = "111122223333", "444455556666"
ROOT_A = f"arn:aws:iam::{A}:root"
ALICE = f"arn:aws:iam::{A}:user/alice"
ALICE_PATH = f"arn:aws:iam::{A}:user/division/alice"
CAROL = f"arn:aws:iam::{A}:user/carol"
ALICE_B = f"arn:aws:iam::{B}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/Mailer"
ROLE_PATH = f"arn:aws:iam::{A}:role/service/Mailer"
SESSION = f"arn:aws:sts::{A}:assumed-role/Mailer/s1"
SESSION2 = f"arn:aws:sts::{A}:assumed-role/Mailer/s2"
OTHER_ROLE_SESSION = f"arn:aws:sts::{A}:assumed-role/Other/s1"
SESSION_B = f"arn:aws:sts::{B}:assumed-role/Mailer/s1"
FED = f"arn:aws:sts::{A}:federated-user/alice"
FED_BOB = f"arn:aws:sts::{A}:federated-user/bob"
SERVICE = "cognito-idp.amazonaws.com"
CANONICAL = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
GOV_USER, GOV_ROLE = f"arn:aws-us-gov:iam::{A}:user/u", f"arn:aws-us-gov:iam::{A}:role/R"
TARGET = "arn:aws:ses:us-east-1:888888888888:identity/example.com"


def caller_of(text: str) -> Any:
    if text.startswith("fed:"):
        return parse_caller(text[4:], principal_type="Federated")
    if text.startswith("canonical:"):
        return parse_caller(text[10:], principal_type="CanonicalUser")
    return parse_caller(text)


def decide(statements: list[dict[str, Any]], caller: str) -> DecisionKind:
    full = [{"Action": "ses:SendEmail", "Resource": "*", **s} for s in statements]
    policy = compile_policy({"Version": "2012-10-17", "Statement": full}, name="p")
    return evaluate([policy], Request.build(caller_of(caller), "ses:SendEmail", TARGET, {})).kind


def granted(principal: Any, caller: str) -> bool:
    """Whether an Allow with this Principal element applies to ``caller``."""
    kind = decide([{"Effect": "Allow", "Principal": principal}], caller)
    assert kind is not DecisionKind.EXPLICIT_DENY
    return kind is DecisionKind.ALLOW


def deny_hits(not_principal: Any, caller: str) -> bool:
    """Whether a Deny with this NotPrincipal element (beside an Allow for everyone) denies."""
    allow = {"Sid": "Everyone", "Effect": "Allow", "Principal": "*"}
    deny = {"Sid": "AllBut", "Effect": "Deny", "NotPrincipal": not_principal}
    kind = decide([allow, deny], caller)
    assert kind is not DecisionKind.IMPLICIT_DENY
    return kind is DecisionKind.EXPLICIT_DENY


def aws(*entries: str) -> dict[str, Any]:
    return {"AWS": list(entries) if len(entries) > 1 else entries[0]}


# ----------------------------------------------------------------------------- Principal
# (id, Principal element, caller, matches)
# fmt: off
PRINCIPAL = [
    ("star-user", "*", ALICE, True),
    ("star-other-account", "*", ALICE_B, True),
    ("star-service", "*", SERVICE, True),
    ("aws-star", aws("*"), SESSION_B, True),
    ("aws-star-service", aws("*"), SERVICE, True),
    ("account-root-user", aws(A), ROOT_A, True),
    ("account-user", aws(A), ALICE, True),
    ("account-user-with-path", aws(A), ALICE_PATH, True),
    ("account-session", aws(A), SESSION, True),
    ("account-role", aws(A), ROLE, True),
    ("account-federated", aws(A), FED, True),
    ("account-other-account", aws(A), ALICE_B, False),
    ("account-not-service", aws(A), SERVICE, False),
    ("root-arn-is-account", aws(ROOT_A), ALICE, True),
    ("root-arn-session", aws(ROOT_A), SESSION, True),
    ("root-arn-other-account", aws(ROOT_A), SESSION_B, False),
    ("account-caller-given-as-id", aws(ROOT_A), A, True),
    ("user-exact", aws(ALICE), ALICE, True),
    ("user-other-user", aws(ALICE), CAROL, False),
    ("user-path-matters", aws(ALICE), ALICE_PATH, False),
    ("user-path-exact", aws(ALICE_PATH), ALICE_PATH, True),
    ("user-case-sensitive", aws(f"arn:aws:iam::{A}:user/Alice"), ALICE, False),
    ("user-other-account", aws(ALICE), ALICE_B, False),
    ("user-not-account-root", aws(ALICE), ROOT_A, False),
    ("user-covers-own-federation", aws(ALICE), FED, True),
    ("user-not-others-federation", aws(ALICE), FED_BOB, False),
    ("user-not-role-session", aws(ALICE), SESSION, False),
    ("role-itself", aws(ROLE), ROLE, True),
    ("role-session", aws(ROLE), SESSION, True),
    ("role-every-session", aws(ROLE), SESSION2, True),
    ("role-path-matches-session", aws(ROLE_PATH), SESSION, True),
    ("role-other-role", aws(ROLE), OTHER_ROLE_SESSION, False),
    ("role-other-account", aws(ROLE), SESSION_B, False),
    ("role-case-sensitive", aws(f"arn:aws:iam::{A}:role/mailer"), SESSION, False),
    ("role-not-user", aws(ROLE), ALICE, False),
    ("session-exact", aws(SESSION), SESSION, True),
    ("session-not-sibling", aws(SESSION), SESSION2, False),
    ("session-not-role", aws(SESSION), ROLE, False),
    ("federated-session-exact", aws(FED), FED, True),
    ("federated-session-not-user", aws(FED), ALICE, False),
    ("federated-session-not-other", aws(FED), FED_BOB, False),
    ("service", {"Service": SERVICE}, SERVICE, True),
    ("service-other", {"Service": "ses.amazonaws.com"}, SERVICE, False),
    ("service-not-iam", {"Service": SERVICE}, ALICE, False),
    ("service-case-sensitive", {"Service": "Cognito-IDP.amazonaws.com"}, SERVICE, False),
    ("service-not-named-by-account", {"Service": SERVICE}, ROOT_A, False),
    ("federated-provider", {"Federated": "cognito-identity.amazonaws.com"},
     "fed:cognito-identity.amazonaws.com", True),
    ("federated-saml", {"Federated": f"arn:aws:iam::{A}:saml-provider/X"},
     f"fed:arn:aws:iam::{A}:saml-provider/X", True),
    ("federated-never-iam-user", {"Federated": f"arn:aws:iam::{A}:saml-provider/X"}, ALICE, False),
    ("federated-never-session", {"Federated": "cognito-identity.amazonaws.com"}, SESSION, False),
    ("federated-not-service", {"Federated": "cognito-identity.amazonaws.com"},
     "cognito-identity.amazonaws.com", False),
    ("canonical", {"CanonicalUser": CANONICAL}, f"canonical:{CANONICAL}", True),
    ("canonical-never-iam", {"CanonicalUser": CANONICAL}, ROOT_A, False),
    ("canonical-never-session", {"CanonicalUser": CANONICAL}, SESSION, False),
    ("array-or", aws(CAROL, ALICE), ALICE, True),
    ("array-or-none", aws(CAROL, ROLE), ALICE, False),
    ("map-keys-or", {"AWS": CAROL, "Service": SERVICE}, SERVICE, True),
    ("map-keys-or-aws", {"AWS": [CAROL, ALICE], "Service": [SERVICE]}, ALICE, True),
    ("aws-cn-account", aws(f"arn:aws-cn:iam::{A}:root"), f"arn:aws-cn:iam::{A}:user/u", True),
    ("aws-gov-user", aws(GOV_USER), GOV_USER, True),
    ("aws-gov-role", aws(GOV_ROLE), f"arn:aws-us-gov:sts::{A}:assumed-role/R/s", True),
    ("arn-prefix-case", aws(f"ARN:aws:iam::{A}:root"), ALICE, False),
    ("iam-case", aws(f"arn:aws:IAM::{A}:root"), ALICE, False),
    ("sts-case", aws(f"arn:aws:STS::{A}:assumed-role/Mailer/s1"), SESSION, False),
]
# fmt: on


@pytest.mark.parametrize(
    ("principal", "caller", "expected"), [pytest.param(*r[1:], id=r[0]) for r in PRINCIPAL]
)
def test_principal_matching(principal: Any, caller: str, expected: bool):
    assert granted(principal, caller) is expected


# fmt: off
PARTIAL_WILDCARDS = [
    f"arn:aws:iam::{A}:user/*", f"arn:aws:iam::{A}:user/al*", f"arn:aws:iam::{A}:*",
    "11112222333?", "1111222233*", f"arn:aws:sts::{A}:assumed-role/Mailer/*",
    f"arn:aws:iam::{A}:role/*", "arn:aws:iam::*:root", f"arn:aws:iam::{A}:user/alic?",
]
# fmt: on


@pytest.mark.parametrize("entry", PARTIAL_WILDCARDS)
def test_partial_wildcards_never_match(entry: str):
    for caller in (ALICE, ROOT_A, SESSION, ROLE, FED):
        try:
            matched = granted(aws(entry), caller)
        except PolicyError:
            return  # §4.2.1: a store-time validator may reject them
        assert not matched, caller


def test_missing_principal_is_invalid_in_a_resource_policy():
    with pytest.raises(PolicyError) as caught:
        decide([{"Effect": "Allow"}], ALICE)
    assert any("Principal" in p.message for p in caught.value.problems)


def test_principal_arn_key_root_means_only_root():
    """§4.2.2: in aws:PrincipalArn, …:root means the root user, unlike in Principal."""
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": ROOT_A}},
    }
    assert decide([statement], ROOT_A) is DecisionKind.ALLOW
    assert decide([statement], ALICE) is DecisionKind.IMPLICIT_DENY
    assert decide([statement], SESSION) is DecisionKind.IMPLICIT_DENY


# -------------------------------------------------------------------------- NotPrincipal
# (id, NotPrincipal element of a Deny, caller, denied)
# fmt: off
NOT_PRINCIPAL = [
    ("user-without-account-denies-user", aws(ALICE), ALICE, True),
    ("user-without-account-denies-carol", aws(ALICE), CAROL, True),
    ("user-and-account-exempts-user", aws(ALICE, ROOT_A), ALICE, False),
    ("user-and-account-denies-carol", aws(ALICE, ROOT_A), CAROL, True),
    ("user-and-account-denies-session", aws(ALICE, ROOT_A), SESSION, True),
    ("user-and-account-denies-other-account", aws(ALICE, ROOT_A), ALICE_B, True),
    ("user-and-account-id-exempts-user", aws(ALICE, A), ALICE, False),
    ("account-only-exempts-root", aws(ROOT_A), ROOT_A, False),
    ("account-only-denies-user", aws(ROOT_A), ALICE, True),
    ("triple-exempts-session", aws(SESSION, ROLE, ROOT_A), SESSION, False),
    ("triple-denies-sibling-session", aws(SESSION, ROLE, ROOT_A), SESSION2, True),
    ("triple-denies-other-role", aws(SESSION, ROLE, ROOT_A), OTHER_ROLE_SESSION, True),
    ("triple-denies-user", aws(SESSION, ROLE, ROOT_A), ALICE, True),
    ("role-path-in-triple", aws(SESSION, ROLE_PATH, ROOT_A), SESSION, False),
    ("role-and-account-denies-session", aws(ROLE, ROOT_A), SESSION, True),
    ("session-and-account-denies-session", aws(SESSION, ROOT_A), SESSION, True),
    ("session-only-denies-session", aws(SESSION), SESSION, True),
    ("session-and-role-denies-session", aws(SESSION, ROLE), SESSION, True),
    ("federated-full-chain-exempt", aws(FED, ALICE, ROOT_A), FED, False),
    ("federated-without-user-denied", aws(FED, ROOT_A), FED, True),
    ("federated-without-session-denied", aws(ALICE, ROOT_A), FED, True),
    ("service-exempt-by-service", {"Service": SERVICE}, SERVICE, False),
    ("service-not-exempt-by-account", aws(ROOT_A), SERVICE, True),
    ("star-exempts-everyone", "*", ALICE, False),
    ("aws-star-exempts-service", aws("*"), SERVICE, False),
    ("other-account-entries-deny", aws(ALICE_B, f"arn:aws:iam::{B}:root"), ALICE, True),
    ("other-account-entries-exempt-theirs", aws(ALICE_B, f"arn:aws:iam::{B}:root"), ALICE_B, False),
    ("case-sensitive", aws(f"arn:aws:iam::{A}:user/Alice", ROOT_A), ALICE, True),
]
# fmt: on


@pytest.mark.parametrize(
    ("not_principal", "caller", "denied"), [pytest.param(*r[1:], id=r[0]) for r in NOT_PRINCIPAL]
)
def test_deny_not_principal_per_layer(not_principal: Any, caller: str, denied: bool):
    assert deny_hits(not_principal, caller) is denied


@pytest.mark.parametrize(
    ("not_principal", "caller", "allowed"),
    [
        pytest.param(aws(ALICE), ALICE, True, id="user-only-still-grants-user"),
        pytest.param(aws(ALICE), CAROL, True, id="user-only-grants-carol"),
        pytest.param(aws(ALICE, ROOT_A), ALICE, False, id="full-chain-excludes-user"),
        pytest.param(aws(ALICE, ROOT_A), CAROL, True, id="full-chain-grants-carol"),
        pytest.param(aws(ALICE, ROOT_A), SERVICE, True, id="grants-service"),
        pytest.param("*", ALICE, False, id="star-grants-nobody"),
    ],
)
def test_allow_not_principal_uses_the_same_rule(not_principal: Any, caller: str, allowed: bool):
    kind = decide([{"Effect": "Allow", "NotPrincipal": not_principal}], caller)
    assert kind is (DecisionKind.ALLOW if allowed else DecisionKind.IMPLICIT_DENY)


@pytest.mark.parametrize(
    ("caller", "denied"), [(ALICE, False), (CAROL, True), (SESSION, True), (ALICE_B, True)]
)
def test_recommended_pattern_principal_star_with_arn_not_equals(caller: str, denied: bool):
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ALICE}},
    }
    kind = decide([{"Effect": "Allow", "Principal": "*"}, deny], caller)
    assert kind is (DecisionKind.EXPLICIT_DENY if denied else DecisionKind.ALLOW)


def test_recommended_pattern_for_a_role_covers_its_sessions():
    deny: dict[str, Any] = {
        "Effect": "Deny",
        "Principal": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": ROLE}},
    }
    statements: list[dict[str, Any]] = [{"Effect": "Allow", "Principal": "*"}, deny]
    assert decide(statements, SESSION) is DecisionKind.ALLOW
    assert decide(statements, SESSION2) is DecisionKind.ALLOW
    assert decide(statements, OTHER_ROLE_SESSION) is DecisionKind.EXPLICIT_DENY


# ------------------------------------------------------------------------------ callers
def test_request_build_fills_principal_keys():
    ctx = Request.build(parse_caller(ALICE), "ses:SendEmail", TARGET, {}).context
    assert ctx["aws:principalarn"] == ALICE
    assert ctx["aws:principalaccount"] == A
    assert ctx["aws:username"] == "alice"
    assert "aws:principaltype" in ctx
    session = Request.build(parse_caller(SESSION), "ses:SendEmail", TARGET, {}).context
    assert session["aws:principalaccount"] == A
    assert "aws:username" not in session  # §7: only IAM users have aws:username
    given = Request.build(parse_caller(ALICE), "x:Y", TARGET, {"AWS:PrincipalAccount": B}).context
    assert given["aws:principalaccount"] == B  # the request context wins


def test_parse_caller_forms():
    assert parse_caller(A).name == ROOT_A
    assert parse_caller(SERVICE).account is None
    assert parse_caller(ALICE).account == A
    for bad in ("alice", "arn:aws:iam::12345:user/x", "arn:aws:s3:::bucket", ""):
        with pytest.raises(InvalidCaller):
            parse_caller(bad)
