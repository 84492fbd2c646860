"""The SES sending-authorization decision beyond the documented examples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openses.domain.arn import IdentityArn
from openses.domain.authorization import (
    OwnerIdentity,
    Verdict,
    access_denied_message,
    alignment_message,
    authorize_use,
    sending_context,
)
from openses.domain.policy import PolicySet, compile_policy, parse_caller

OWNER = "888888888888"
DELEGATE = "123456789012"
DOMAIN_ARN = f"arn:aws:ses:us-east-1:{OWNER}:identity/example.com"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def allow(resource: str, principal: str = DELEGATE, **extra: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "ses:SendRawEmail",
        "Resource": resource,
        **extra,
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def identities(**named: dict[str, Any] | None) -> dict[str, OwnerIdentity]:
    """``name=policy`` (None: verified, no policy); names use ``_at_`` and ``_`` for ``@`` ``.``."""
    out = {}
    for key, document in named.items():
        name = key.replace("_at_", "@").replace("_", ".")
        policies = [] if document is None else [compile_policy(document, f"p-{key}")]
        out[name] = OwnerIdentity(name, True, PolicySet(policies))
    return out


def decide(
    address: str,
    owned: dict[str, OwnerIdentity],
    *,
    caller: str = f"arn:aws:iam::{DELEGATE}:user/app",
    arn: str = DOMAIN_ARN,
    region: str = "us-east-1",
) -> Any:
    who = parse_caller(caller)
    context = sending_context(
        who, now=NOW, api_version="2", from_address=address, recipients=["x@example.net"]
    )
    return authorize_use(
        caller=who,
        action="ses:SendRawEmail",
        region=region,
        address=address,
        arn=IdentityArn.parse(arn),
        owner_identities=owned,
        context=context,
    )


def test_authorized_delegate_names_governing_identity_and_statement() -> None:
    result = decide("news@example.com", identities(example_com=allow(DOMAIN_ARN)))
    assert result.verdict is Verdict.AUTHORIZED
    assert str(result.governing) == DOMAIN_ARN
    assert result.decision is not None
    assert result.decision.statements[0].policy == "p-example_com"
    assert not result.by_ownership


def test_unverified_identity_is_not_verified() -> None:
    owned = identities(example_com=allow(DOMAIN_ARN))
    owned["example.com"] = OwnerIdentity("example.com", False, owned["example.com"].policies)
    assert decide("news@example.com", owned).verdict is Verdict.NOT_VERIFIED


def test_unknown_identity_is_not_verified() -> None:
    assert decide("news@example.com", {}).verdict is Verdict.NOT_VERIFIED


def test_wrong_region_is_not_verified_even_if_policy_allows() -> None:
    owned = identities(example_com=allow(DOMAIN_ARN))
    assert decide("news@example.com", owned, region="eu-west-1").verdict is Verdict.NOT_VERIFIED


def test_address_outside_identity_does_not_align() -> None:
    owned = identities(example_com=allow(DOMAIN_ARN))
    assert decide("news@example.org", owned).verdict is Verdict.NOT_ALIGNED


def test_subdomain_identity_with_policies_governs_over_parent() -> None:
    sub_arn = f"arn:aws:ses:us-east-1:{OWNER}:identity/mail.example.com"
    owned = identities(
        example_com=allow(DOMAIN_ARN),
        mail_example_com=allow(sub_arn, principal="999999999999"),
    )
    result = decide("a@mail.example.com", owned)
    assert result.verdict is Verdict.ACCESS_DENIED
    assert str(result.governing) == sub_arn


def test_subdomain_identity_without_policies_defers_to_parent() -> None:
    owned = identities(example_com=allow(DOMAIN_ARN), mail_example_com=None)
    assert decide("a@mail.example.com", owned).verdict is Verdict.AUTHORIZED


def test_governing_address_identity_ignores_domain_deny() -> None:
    address_arn = f"arn:aws:ses:us-east-1:{OWNER}:identity/vip@example.com"
    deny = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ses:*",
            "Resource": DOMAIN_ARN,
        },
    }
    owned = identities(example_com=deny, vip_at_example_com=allow(address_arn))
    assert decide("vip@example.com", owned).verdict is Verdict.AUTHORIZED
    assert decide("other@example.com", owned).verdict is Verdict.ACCESS_DENIED


def test_no_policy_anywhere_denies_delegates_but_not_the_owner() -> None:
    owned = identities(example_com=None)
    assert decide("a@example.com", owned).verdict is Verdict.ACCESS_DENIED
    owner = decide("a@example.com", owned, caller=f"arn:aws:iam::{OWNER}:user/ops")
    assert owner.verdict is Verdict.AUTHORIZED
    assert owner.by_ownership


def test_service_principal_is_never_the_owner() -> None:
    owned = identities(example_com=None)
    result = decide("a@example.com", owned, caller="ses.amazonaws.com")
    assert result.verdict is Verdict.ACCESS_DENIED


def test_messages_have_ses_quoting() -> None:
    assert access_denied_message(
        f"arn:aws:iam::{DELEGATE}:user/delegate", "ses:SendRawEmail", DOMAIN_ARN
    ) == (
        f"User `arn:aws:iam::{DELEGATE}:user/delegate' is not authorized to perform "
        f"`ses:SendRawEmail' on resource `{DOMAIN_ARN}'"
    )
    assert alignment_message("a@x.org", DOMAIN_ARN) == (
        f"The address 'a@x.org' does not align with the given ARN '{DOMAIN_ARN}'"
    )


@pytest.mark.parametrize(("display", "present"), [("Sales", True), (None, False)])
def test_sending_context_keys(display: str | None, present: bool) -> None:
    who = parse_caller(f"arn:aws:iam::{DELEGATE}:user/app")
    context = sending_context(
        who,
        now=NOW,
        api_version="1",
        from_address="a@example.com",
        from_display_name=display,
        recipients=["x@example.net"],
        source_ip="203.0.113.9",
    )
    assert context["ses:fromaddress"] == "a@example.com"
    assert context["ses:feedbackaddress"] == "a@example.com"
    assert context["ses:recipients"] == ("x@example.net",)
    assert context["aws:currenttime"] == "2026-01-01T12:00:00Z"
    assert context["aws:epochtime"] == "1767268800"
    assert context["aws:securetransport"] == "true"
    assert context["aws:principalaccount"] == DELEGATE
    assert context["aws:username"] == "app"
    assert ("ses:fromdisplayname" in context) is present
    assert "aws:useragent" not in context
