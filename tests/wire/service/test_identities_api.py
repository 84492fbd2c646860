"""Identities over SES v1 and v2: verification that means something, and isolation."""

from __future__ import annotations

import email
import email.message
import email.policy
import re
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running


def verification_link(openses: Running, address: str) -> str:
    listing = httpx.get(f"{openses.base_url}/_openses/messages", params={"recipient": address})
    messages = [m for m in listing.json()["messages"] if m["kind"] == "verification"]
    assert messages, f"no verification message for {address}"
    raw = httpx.get(messages[0]["raw_url"]).content
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    assert message["To"] == address
    body = message.get_body(("plain",))
    assert body is not None
    match = re.search(r"(http://\S+/_openses/verify\?token=\S+)", body.get_content())
    assert match is not None
    return match.group(1)


def status(ses: Any, name: str) -> str | None:
    found = ses.get_identity_verification_attributes(Identities=[name])["VerificationAttributes"]
    return found[name]["VerificationStatus"] if name in found else None


def test_email_identity_is_verified_by_its_link(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    address = "sender@example.com"
    ses.verify_email_identity(EmailAddress=address)
    assert status(ses, address) == "Pending"
    assert ses.list_verified_email_addresses()["VerifiedEmailAddresses"] == []
    link = verification_link(openses, address)
    answer = httpx.get(link)
    assert answer.status_code == 200
    assert "successfully verified sender@example.com" in answer.text
    assert status(ses, address) == "Success"
    assert ses.list_verified_email_addresses()["VerifiedEmailAddresses"] == [address]


def test_a_wrong_link_verifies_nothing(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    ses.verify_email_identity(EmailAddress="x@example.com")
    answer = httpx.get(f"{openses.base_url}/_openses/verify", params={"token": "forged"})
    assert answer.status_code == 400
    assert status(ses, "x@example.com") == "Pending"


def test_domain_is_verified_by_its_txt_record(openses: Running, dns: DnsTestServer) -> None:
    ses = openses.client("ses", openses.new_account())
    token = ses.verify_domain_identity(Domain="Verified.Example")["VerificationToken"]
    assert status(ses, "verified.example") == "Pending"
    dns.set_txt("_amazonses.verified.example", "some-other-record", token)
    assert status(ses, "verified.example") == "Success"


def test_two_accounts_prove_the_same_domain_each_on_its_own(
    openses: Running, dns: DnsTestServer
) -> None:
    owner = openses.client("ses", openses.new_account())
    squatter = openses.client("ses", openses.new_account())
    owner_token = owner.verify_domain_identity(Domain="contested.example")["VerificationToken"]
    squatter_token = squatter.verify_domain_identity(Domain="contested.example")[
        "VerificationToken"
    ]
    assert owner_token != squatter_token
    dns.set_txt("_amazonses.contested.example", owner_token)
    assert status(owner, "contested.example") == "Success"
    assert status(squatter, "contested.example") == "Pending"


def test_identities_are_per_region(openses: Running) -> None:
    key = openses.new_account()
    east, west = openses.client("ses", key), openses.client("ses", key, region="us-west-2")
    east.verify_domain_identity(Domain="regional.example")
    assert east.list_identities()["Identities"] == ["regional.example"]
    assert west.list_identities()["Identities"] == []


def test_list_identities_filters_and_pages(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    for domain in ("a.example", "b.example", "c.example"):
        ses.verify_domain_identity(Domain=domain)
    ses.verify_email_identity(EmailAddress="me@a.example")
    assert ses.list_identities(IdentityType="Domain")["Identities"] == [
        "a.example",
        "b.example",
        "c.example",
    ]
    assert ses.list_identities(IdentityType="EmailAddress")["Identities"] == ["me@a.example"]
    first = ses.list_identities(MaxItems=2)
    assert len(first["Identities"]) == 2
    second = ses.list_identities(MaxItems=2, NextToken=first["NextToken"])
    assert first["Identities"] + second["Identities"] == sorted(
        ["a.example", "b.example", "c.example", "me@a.example"]
    )
    assert "NextToken" not in second


def test_delete_identity(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    ses.verify_email_address(EmailAddress="old@example.com")
    ses.delete_verified_email_address(EmailAddress="old@example.com")
    ses.verify_domain_identity(Domain="gone.example")
    ses.delete_identity(Identity="gone.example")
    ses.delete_identity(Identity="never.example")  # deleting what is not there succeeds
    assert ses.list_identities()["Identities"] == []


@pytest.mark.parametrize(
    ("call", "code"),
    [
        ({"EmailAddress": "not-an-address"}, "InvalidParameterValue"),
        ({"EmailAddress": "a@b"}, "InvalidParameterValue"),
    ],
)
def test_invalid_email_address(openses: Running, call: dict[str, str], code: str) -> None:
    ses = openses.client("ses", openses.new_account())
    with pytest.raises(ClientError) as raised:
        ses.verify_email_identity(**call)
    assert raised.value.response["Error"]["Code"] == code


def test_validation_errors_come_from_the_model(openses: Running) -> None:
    """The server checks the model's constraints itself (boto3's own checks switched off)."""
    key = openses.new_account()
    ses = boto3.client(
        "ses",
        endpoint_url=openses.base_url,
        region_name="us-east-1",
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    with pytest.raises(ClientError) as raised:
        ses.put_identity_policy(Identity="x.example", PolicyName="p" * 65, Policy="{}")
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert "policyName" in error["Message"]
    assert "Member must have length less than or equal to 64" in error["Message"]


def test_v2_email_identity_lifecycle(openses: Running, dns: DnsTestServer) -> None:
    v2 = openses.client("sesv2", openses.new_account())
    created = v2.create_email_identity(EmailIdentity="v2.example")
    assert created["IdentityType"] == "DOMAIN"
    assert created["VerifiedForSendingStatus"] is False
    with pytest.raises(ClientError) as raised:
        v2.create_email_identity(EmailIdentity="v2.example")
    assert raised.value.response["Error"]["Code"] == "AlreadyExistsException"
    v2.create_email_identity(EmailIdentity="person+tag@v2.example")
    identity = v2.get_email_identity(EmailIdentity="person+tag@v2.example")
    assert identity["IdentityType"] == "EMAIL_ADDRESS"
    assert identity["VerificationStatus"] == "PENDING"
    listed = v2.list_email_identities()["EmailIdentities"]
    assert [(i["IdentityName"], i["SendingEnabled"]) for i in listed] == [
        ("person+tag@v2.example", False),
        ("v2.example", False),
    ]
    v2.delete_email_identity(EmailIdentity="person+tag@v2.example")
    with pytest.raises(ClientError) as raised:
        v2.get_email_identity(EmailIdentity="person+tag@v2.example")
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_accounts_never_see_each_others_identities(openses: Running) -> None:
    alice = openses.client("ses", openses.new_account())
    bob_key = openses.new_account()
    bob, bob_v2 = openses.client("ses", bob_key), openses.client("sesv2", bob_key)
    alice.verify_domain_identity(Domain="alice.example")
    assert bob.list_identities()["Identities"] == []
    assert (
        bob.get_identity_verification_attributes(Identities=["alice.example"])[
            "VerificationAttributes"
        ]
        == {}
    )
    with pytest.raises(ClientError) as raised:
        bob_v2.get_email_identity(EmailIdentity="alice.example")
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    bob.delete_identity(Identity="alice.example")
    assert alice.list_identities()["Identities"] == ["alice.example"]
