"""Sending authorization policies over SES v1 and v2: owner-only, validated, limited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running


def policy(account: str, identity: str, delegate: str = "123456789012", **extra: Any) -> str:
    statement = {
        "Sid": "AuthorizeDelegate",
        "Effect": "Allow",
        "Principal": {"AWS": delegate},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": f"arn:aws:ses:us-east-1:{account}:identity/{identity}",
        **extra,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def verified_domain(openses: Running, dns: DnsTestServer, key: AccessKey, domain: str) -> Any:
    ses = openses.client("ses", key)
    token = ses.verify_domain_identity(Domain=domain)["VerificationToken"]
    dns.set_txt(f"_amazonses.{domain}", token)
    attributes = ses.get_identity_verification_attributes(Identities=[domain])
    assert attributes["VerificationAttributes"][domain]["VerificationStatus"] == "Success"
    return ses


def test_v1_policy_lifecycle(openses: Running, dns: DnsTestServer) -> None:
    key = openses.new_account()
    ses = verified_domain(openses, dns, key, "policies.example")
    document = policy(key.account_id, "policies.example")
    ses.put_identity_policy(Identity="policies.example", PolicyName="delegate", Policy=document)
    assert ses.list_identity_policies(Identity="policies.example")["PolicyNames"] == ["delegate"]
    got = ses.get_identity_policies(Identity="policies.example", PolicyNames=["delegate", "nope"])
    assert got["Policies"] == {"delegate": document}
    # PutIdentityPolicy is an upsert, and takes the identity's ARN too.
    arn = f"arn:aws:ses:us-east-1:{key.account_id}:identity/policies.example"
    updated = policy(key.account_id, "policies.example", delegate="210987654321")
    ses.put_identity_policy(Identity=arn, PolicyName="delegate", Policy=updated)
    assert ses.get_identity_policies(Identity=arn, PolicyNames=["delegate"])["Policies"] == {
        "delegate": updated
    }
    ses.delete_identity_policy(Identity="policies.example", PolicyName="delegate")
    ses.delete_identity_policy(Identity="policies.example", PolicyName="delegate")  # idempotent
    assert ses.list_identity_policies(Identity="policies.example")["PolicyNames"] == []


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.replace('"Allow"', '"allow"'), "Effect"),
        (lambda d: d.replace("ses:SendEmail", "ses:VerifyEmailIdentity"), "not a sending action"),
        (lambda d: d.replace("identity/policies2.example", "identity/*"), "must be the ARN"),
        (lambda d: d[:-2], "not valid JSON"),
    ],
)
def test_invalid_policy_is_refused_with_a_reason(
    openses: Running, dns: DnsTestServer, mutate: Any, fragment: str
) -> None:
    key = openses.new_account()
    ses = verified_domain(openses, dns, key, "policies2.example")
    document = mutate(policy(key.account_id, "policies2.example"))
    with pytest.raises(ClientError) as raised:
        ses.put_identity_policy(Identity="policies2.example", PolicyName="p", Policy=document)
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidPolicy"
    assert fragment in error["Message"]


def test_unknown_condition_key_has_ses_message(openses: Running, dns: DnsTestServer) -> None:
    key = openses.new_account()
    ses = verified_domain(openses, dns, key, "keys.example")
    document = policy(
        key.account_id, "keys.example", Condition={"StringEquals": {"AWS:SourceAccount": "1"}}
    )
    with pytest.raises(ClientError) as raised:
        ses.put_identity_policy(Identity="keys.example", PolicyName="p", Policy=document)
    assert raised.value.response["Error"]["Message"] == (
        "Unknown or unapplicable condition field 'AWS:SourceAccount'."
    )


def test_policies_need_a_verified_identity(openses: Running) -> None:
    key = openses.new_account()
    ses = openses.client("ses", key)
    ses.verify_domain_identity(Domain="pending.example")
    with pytest.raises(ClientError) as raised:
        ses.put_identity_policy(
            Identity="pending.example",
            PolicyName="p",
            Policy=policy(key.account_id, "pending.example"),
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_at_most_twenty_policies(openses: Running, dns: DnsTestServer) -> None:
    key = openses.new_account()
    ses = verified_domain(openses, dns, key, "many.example")
    document = policy(key.account_id, "many.example")
    for number in range(20):
        ses.put_identity_policy(Identity="many.example", PolicyName=f"p{number}", Policy=document)
    with pytest.raises(ClientError) as raised:
        ses.put_identity_policy(Identity="many.example", PolicyName="p20", Policy=document)
    assert raised.value.response["Error"]["Code"] == "LimitExceeded"
    ses.put_identity_policy(Identity="many.example", PolicyName="p0", Policy=document)  # update


def test_only_the_owner_manages_policies(openses: Running, dns: DnsTestServer) -> None:
    owner_key, other_key = openses.new_account(), openses.new_account()
    owner = verified_domain(openses, dns, owner_key, "owned.example")
    owner.put_identity_policy(
        Identity="owned.example",
        PolicyName="delegate",
        Policy=policy(owner_key.account_id, "owned.example"),
    )
    other = openses.client("ses", other_key)
    arn = f"arn:aws:ses:us-east-1:{owner_key.account_id}:identity/owned.example"
    with pytest.raises(ClientError) as raised:
        other.put_identity_policy(
            Identity=arn,
            PolicyName="takeover",
            Policy=policy(owner_key.account_id, "owned.example"),
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError):
        other.get_identity_policies(Identity=arn, PolicyNames=["delegate"])
    assert other.list_identity_policies(Identity="owned.example")["PolicyNames"] == []
    other.delete_identity_policy(Identity="owned.example", PolicyName="delegate")
    assert owner.list_identity_policies(Identity="owned.example")["PolicyNames"] == ["delegate"]


def test_v2_policy_operations(openses: Running, dns: DnsTestServer) -> None:
    key = openses.new_account()
    verified_domain(openses, dns, key, "v2policies.example")
    v2 = openses.client("sesv2", key)
    document = policy(key.account_id, "v2policies.example")
    v2.create_email_identity_policy(
        EmailIdentity="v2policies.example", PolicyName="delegate", Policy=document
    )
    with pytest.raises(ClientError) as raised:
        v2.create_email_identity_policy(
            EmailIdentity="v2policies.example", PolicyName="delegate", Policy=document
        )
    assert raised.value.response["Error"]["Code"] == "AlreadyExistsException"
    with pytest.raises(ClientError) as raised:
        v2.update_email_identity_policy(
            EmailIdentity="v2policies.example", PolicyName="missing", Policy=document
        )
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as raised:
        v2.create_email_identity_policy(
            EmailIdentity="v2policies.example", PolicyName="bad", Policy="{}"
        )
    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    assert v2.get_email_identity_policies(EmailIdentity="v2policies.example")["Policies"] == {
        "delegate": document
    }
    assert v2.get_email_identity(EmailIdentity="v2policies.example")["Policies"] == {
        "delegate": document
    }
    v2.delete_email_identity_policy(EmailIdentity="v2policies.example", PolicyName="delegate")
    assert v2.get_email_identity_policies(EmailIdentity="v2policies.example")["Policies"] == {}
    with pytest.raises(ClientError) as raised:
        v2.get_email_identity_policies(EmailIdentity="unknown.example")
    assert raised.value.response["Error"]["Code"] == "NotFoundException"


def test_malformed_identity_arn_is_a_client_error(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    with pytest.raises(ClientError) as raised:
        ses.put_identity_policy(Identity="arn:bogus", PolicyName="p", Policy="{}")
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as raised:
        ses.list_identity_policies(Identity="arn:bogus")
    assert raised.value.response["Error"] == {
        "Type": "Sender",
        "Code": "InvalidParameterValue",
        "Message": "Invalid ARN arn:bogus.",
    }
