"""Every documented SES policy example, through the SES sending-authorization decision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openses.domain.arn import IdentityArn
from openses.domain.authorization import (
    OwnerIdentity,
    Verdict,
    authorize_use,
    sending_context,
)
from openses.domain.identities import normalize_identity
from openses.domain.policy import PolicySet, compile_policy, parse_caller
from tests.spec_data import load_policy_cases

CASES = load_policy_cases()


def _owner_identities(case: dict[str, Any]) -> dict[str, OwnerIdentity]:
    attached: dict[str, Any] = {case["identity_arn"]: case["policy"]}
    attached.update(case.get("other_identity_policies", {}))
    identities = {}
    for number, (arn_text, document) in enumerate(attached.items()):
        name = normalize_identity(IdentityArn.parse(arn_text).identity)
        policies = [] if document is None else [compile_policy(document, f"policy{number}")]
        identities[name] = OwnerIdentity(name, verified=True, policies=PolicySet(policies))
    return identities


def decide(case: dict[str, Any]) -> Verdict:
    request = case["request"]
    caller = parse_caller(request["principal_arn"], request.get("principal_type"))
    extra = {
        "aws:SourceAccount": request.get("aws_source_account"),
        "aws:SourceArn": request.get("aws_source_arn"),
        "aws:PrincipalOrgID": request.get("principal_org_id"),
    }
    now = datetime.strptime(request["current_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    context = sending_context(
        caller,
        now=now,
        api_version=request["api_version"],
        from_address=request["from_address"],
        from_display_name=request["from_display_name"],
        recipients=request["recipients"],
        feedback_address=request["feedback_address"],
        source_ip=request["source_ip"],
        secure_transport=request["secure_transport"],
        extra=extra,
    )
    authorization = authorize_use(
        caller=caller,
        action=request["action"],
        region=request["region"],
        address=request["from_address"],
        arn=IdentityArn.parse(case["identity_arn"]),
        owner_identities=_owner_identities(case),
        context=context,
    )
    return authorization.verdict


def test_all_documented_cases_are_present() -> None:
    assert len(CASES) == 97
    assert len({case["name"] for case in CASES}) == 97


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_documented_case(case: dict[str, Any]) -> None:
    verdict = decide(case)
    expected = case["expected"]
    assert (verdict is Verdict.AUTHORIZED) == (expected == "ALLOW"), (verdict, case["why"])


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("marketer_wrong_region", Verdict.NOT_VERIFIED),
        ("arn_email_identity_other_address", Verdict.NOT_ALIGNED),
        ("arn_domain_identity_lookalike_domain", Verdict.NOT_ALIGNED),
        ("marketer_other_account", Verdict.ACCESS_DENIED),
        ("explicit_deny_on_owner_user", Verdict.ACCESS_DENIED),
        ("from_owner_account_unrestricted", Verdict.AUTHORIZED),
    ],
)
def test_denials_have_the_right_kind(name: str, verdict: Verdict) -> None:
    """A DENY case is refused for the reason SES gives, not just refused."""
    (case,) = [c for c in CASES if c["name"] == name]
    assert decide(case) is verdict
