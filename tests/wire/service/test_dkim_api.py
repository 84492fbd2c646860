"""DKIM over SES v1 and v2 with boto3, DNS records served by the loopback DNS server, and signed
mail verified by dkimpy with the public keys fetched from OpenSES's own DKIM zone responder."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dkim
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dns import message as dns_message
from dns import query as dns_query

from openses.config import HostPort, RootCredentials, ServeSettings, StoreSettings
from openses.domain.dkim import public_key_record, sign
from openses.runtime import start_dkim_dns
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running, free_port

ZONE = "dkim.openses.test"  # the default --dkim-zone
MESSAGE = (
    b"From: News <news@{domain}>\r\n"
    b"To: reader@example.net\r\n"
    b"Subject: Signed\r\n"
    b"Date: Tue, 24 Nov 2026 00:00:00 +0000\r\n"
    b"Message-ID: <1@{domain}>\r\n"
    b"\r\n"
    b"Hello.\r\n"
)


def unique(prefix: str) -> str:
    """A domain no other test (or the other backend's run) uses."""
    return f"{prefix}-{secrets.token_hex(4)}.example"


def publish(dns: DnsTestServer, domain: str, tokens: list[str]) -> None:
    for token in tokens:
        dns.set_cname(f"{token}._domainkey.{domain}", f"{token}.{ZONE}")


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def byodkim(key: rsa.RSAPrivateKey) -> str:
    """The private key as BYODKIM takes it: base64 of the DER key."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode()


def dkim_attributes(ses: Any, name: str) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = ses.get_identity_dkim_attributes(Identities=[name])[
        "DkimAttributes"
    ]
    return found[name]


def verification(ses: Any, name: str) -> str:
    found = ses.get_identity_verification_attributes(Identities=[name])["VerificationAttributes"]
    status: str = found[name]["VerificationStatus"]
    return status


# ------------------------------------------------------------------------------ SES v1


def test_v1_easy_dkim_verifies_the_domain(openses: Running, dns: DnsTestServer) -> None:
    ses = openses.client("ses", openses.new_account())
    domain = unique("v1")
    tokens = ses.verify_domain_dkim(Domain=domain.upper())["DkimTokens"]
    assert len(tokens) == 3
    assert domain in ses.list_identities()["Identities"]
    assert dkim_attributes(ses, domain) == {
        "DkimEnabled": True,
        "DkimVerificationStatus": "Pending",
        "DkimTokens": tokens,
    }
    assert verification(ses, domain) == "Pending"
    publish(dns, domain, tokens[:2])
    assert verification(ses, domain) == "Pending"
    publish(dns, domain, tokens)
    assert verification(ses, domain) == "Success"  # verified by its DKIM records
    assert dkim_attributes(ses, domain)["DkimVerificationStatus"] == "Success"
    assert ses.verify_domain_dkim(Domain=domain)["DkimTokens"] == tokens


def test_v1_signing_switch_of_domains_and_addresses(openses: Running, dns: DnsTestServer) -> None:
    ses = openses.client("ses", openses.new_account())
    domain = unique("switch")
    tokens = ses.verify_domain_dkim(Domain=domain)["DkimTokens"]
    publish(dns, domain, tokens)
    assert verification(ses, domain) == "Success"
    address = f"news@{domain}"
    ses.verify_email_identity(EmailAddress=address)
    assert dkim_attributes(ses, address) == {
        "DkimEnabled": True,
        "DkimVerificationStatus": "Success",
        "DkimTokens": tokens,  # an address shows its domain's tokens
    }
    ses.set_identity_dkim_enabled(Identity=domain, DkimEnabled=False)
    assert dkim_attributes(ses, domain)["DkimEnabled"] is False
    assert dkim_attributes(ses, address)["DkimEnabled"] is False  # inherited
    ses.set_identity_dkim_enabled(Identity=address, DkimEnabled=True)
    assert dkim_attributes(ses, address)["DkimEnabled"] is True  # overridden
    assert dkim_attributes(ses, domain)["DkimEnabled"] is False

    plain = unique("plain")
    ses.verify_domain_identity(Domain=plain)
    ses.verify_email_identity(EmailAddress=f"a@{plain}")
    assert dkim_attributes(ses, plain) == {
        "DkimEnabled": False,
        "DkimVerificationStatus": "NotStarted",
    }
    with pytest.raises(ClientError) as raised:
        ses.set_identity_dkim_enabled(Identity=f"a@{plain}", DkimEnabled=True)
    assert error_of(raised) == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as raised:
        ses.set_identity_dkim_enabled(Identity=unique("nobody"), DkimEnabled=True)
    assert error_of(raised) == ("InvalidParameterValue", 400)
    assert ses.get_identity_dkim_attributes(Identities=[unique("nobody")])["DkimAttributes"] == {}


def test_deleting_an_identity_deletes_its_dkim(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    domain = unique("gone")
    first = ses.verify_domain_dkim(Domain=domain)["DkimTokens"]
    ses.delete_identity(Identity=domain)
    assert ses.get_identity_dkim_attributes(Identities=[domain])["DkimAttributes"] == {}
    second = ses.verify_domain_dkim(Domain=domain)["DkimTokens"]
    assert set(second).isdisjoint(first)


def test_dkim_operations_need_the_callers_permission(openses: Running) -> None:
    root = openses.new_account()
    iam = openses.client("iam", root)
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ses:Get*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="reader", PolicyName="r", PolicyDocument=json.dumps(document))
    ses = openses.client("ses", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert ses.get_identity_dkim_attributes(Identities=["x.example"])["DkimAttributes"] == {}
    domain = unique("denied")
    with pytest.raises(ClientError) as raised:
        ses.verify_domain_dkim(Domain=domain)
    assert error_of(raised) == ("AccessDenied", 403)
    assert raised.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{root.account_id}:user/reader is not authorized to perform: "
        f"ses:VerifyDomainDkim on resource: arn:aws:ses:us-east-1:{root.account_id}:"
        f"identity/{domain}"
    )
    sesv2 = openses.client("sesv2", (key["AccessKeyId"], key["SecretAccessKey"]))
    with pytest.raises(ClientError) as raised:
        sesv2.put_email_identity_dkim_attributes(EmailIdentity=domain, SigningEnabled=False)
    assert error_of(raised) == ("AccessDeniedException", 403)


# ------------------------------------------------------------------------------ SES v2


def test_v2_domain_gets_easy_dkim_and_verifies_by_its_cnames(
    openses: Running, dns: DnsTestServer
) -> None:
    sesv2 = openses.client("sesv2", openses.new_account())
    domain = unique("v2")
    created = sesv2.create_email_identity(EmailIdentity=domain)
    assert created["IdentityType"] == "DOMAIN"
    assert created["VerifiedForSendingStatus"] is False
    attributes = created["DkimAttributes"]
    tokens = attributes.pop("Tokens")
    assert isinstance(attributes.pop("LastKeyGenerationTimestamp"), datetime)
    assert len(tokens) == 3
    assert attributes == {
        "SigningEnabled": True,
        "Status": "PENDING",
        "SigningAttributesOrigin": "AWS_SES",
        "SigningHostedZone": ZONE,
        "CurrentSigningKeyLength": "RSA_2048_BIT",
        "NextSigningKeyLength": "RSA_2048_BIT",
    }
    got = sesv2.get_email_identity(EmailIdentity=domain)
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("PENDING", "PENDING")
    publish(dns, domain, tokens)
    got = sesv2.get_email_identity(EmailIdentity=domain)
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("SUCCESS", "SUCCESS")
    assert got["VerifiedForSendingStatus"] is True
    assert got["DkimAttributes"]["Tokens"] == tokens

    address = f"info@{domain}"
    created = sesv2.create_email_identity(EmailIdentity=address)
    assert created["DkimAttributes"]["Tokens"] == tokens  # the domain's, inherited
    sesv2.put_email_identity_dkim_attributes(EmailIdentity=address, SigningEnabled=False)
    assert sesv2.get_email_identity(EmailIdentity=address)["DkimAttributes"]["SigningEnabled"] is (
        False
    )
    assert sesv2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]["SigningEnabled"]


def test_v2_key_length_rules(openses: Running) -> None:
    sesv2 = openses.client("sesv2", openses.new_account())
    domain = unique("length")
    created = sesv2.create_email_identity(
        EmailIdentity=domain, DkimSigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"}
    )
    assert created["DkimAttributes"]["CurrentSigningKeyLength"] == "RSA_1024_BIT"
    tokens = created["DkimAttributes"]["Tokens"]

    def change(length: str) -> dict[str, Any]:
        answer: dict[str, Any] = sesv2.put_email_identity_dkim_signing_attributes(
            EmailIdentity=domain,
            SigningAttributesOrigin="AWS_SES",
            SigningAttributes={"NextSigningKeyLength": length},
        )
        return answer

    answer = change("RSA_2048_BIT")
    assert (answer["DkimStatus"], answer["DkimTokens"]) == ("PENDING", tokens)
    assert answer["SigningHostedZone"] == ZONE
    got = sesv2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]
    assert got["CurrentSigningKeyLength"] == got["NextSigningKeyLength"] == "RSA_2048_BIT"
    change("RSA_1024_BIT")  # the first downgrade in 24 hours is always allowed
    for length in ("RSA_2048_BIT", "RSA_1024_BIT"):
        with pytest.raises(ClientError) as raised:
            change(length)
        assert error_of(raised) == ("BadRequestException", 400)


def test_v2_byodkim(openses: Running, dns: DnsTestServer) -> None:
    key = openses.new_account()
    sesv2 = openses.client("sesv2", key)
    domain = unique("byo")
    private = rsa_key()
    created = sesv2.create_email_identity(
        EmailIdentity=domain,
        DkimSigningAttributes={
            "DomainSigningSelector": "s2026",
            "DomainSigningPrivateKey": byodkim(private),
        },
    )
    assert created["DkimAttributes"] == {
        "SigningEnabled": True,
        "Status": "PENDING",
        "Tokens": ["s2026"],
        "SigningAttributesOrigin": "EXTERNAL",
    }
    dns.set_txt(f"s2026._domainkey.{domain}", public_key_record(private))
    got = sesv2.get_email_identity(EmailIdentity=domain)
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("SUCCESS", "SUCCESS")

    # Mail From the domain is signed with the owner's key, which the owner's DNS publishes.
    signing = openses.run(
        openses.application.services.dkim.signing_keys(
            key.account_id, "us-east-1", f"news@{domain}"
        )
    )
    assert [(k.domain, k.selector) for k in signing] == [(domain, "s2026")]
    signed = sign(MESSAGE.replace(b"{domain}", domain.encode()), signing, datetime.now(UTC))
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: txt(dns.address, name))

    renewed = sesv2.put_email_identity_dkim_signing_attributes(
        EmailIdentity=domain,
        SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={
            "DomainSigningSelector": "s2027",
            "DomainSigningPrivateKey": byodkim(rsa_key(1024)),
        },
    )
    assert renewed == {
        "DkimStatus": "PENDING",
        "DkimTokens": ["s2027"],
        "ResponseMetadata": renewed["ResponseMetadata"],
    }


@pytest.mark.parametrize(
    ("identity", "attributes"),
    [
        pytest.param("a@{domain}", {"NextSigningKeyLength": "RSA_1024_BIT"}, id="for-an-address"),
        pytest.param(
            "{domain}",
            {"DomainSigningSelector": "s", "DomainSigningPrivateKey": "bm90IGEga2V5"},
            id="not-a-key",
        ),
        pytest.param("{domain}", {"DomainSigningSelector": "s"}, id="selector-without-key"),
        pytest.param(
            "{domain}", {"DomainSigningAttributesOrigin": "AWS_SES_EU_WEST_1"}, id="no-parent"
        ),
        pytest.param("{domain}", "3072-bit", id="key-too-long"),
    ],
)
def test_v2_create_refuses_bad_signing_attributes(
    openses: Running, identity: str, attributes: dict[str, str] | str
) -> None:
    sesv2 = openses.client("sesv2", openses.new_account())
    name = identity.format(domain=unique("bad"))
    if attributes == "3072-bit":
        attributes = {
            "DomainSigningSelector": "s",
            "DomainSigningPrivateKey": byodkim(rsa_key(3072)),
        }
    with pytest.raises(ClientError) as raised:
        sesv2.create_email_identity(EmailIdentity=name, DkimSigningAttributes=attributes)
    assert error_of(raised) == ("BadRequestException", 400)
    with pytest.raises(ClientError) as raised:
        sesv2.get_email_identity(EmailIdentity=name)  # nothing was created
    assert error_of(raised) == ("NotFoundException", 404)


def test_v2_signing_attribute_errors(openses: Running) -> None:
    sesv2 = openses.client("sesv2", openses.new_account())
    domain = unique("errors")
    sesv2.create_email_identity(EmailIdentity=domain)
    sesv2.create_email_identity(EmailIdentity=f"a@{domain}")
    cases = [
        (unique("missing"), "AWS_SES", {}, ("NotFoundException", 404)),
        (f"a@{domain}", "AWS_SES", {}, ("BadRequestException", 400)),
        (domain, "EXTERNAL", {"DomainSigningSelector": "s"}, ("BadRequestException", 400)),
        (
            domain,
            "AWS_SES",
            {"DomainSigningAttributesOrigin": "AWS_SES"},
            ("BadRequestException", 400),
        ),
        (domain, "AWS_SES_US_EAST_1", {}, ("BadRequestException", 400)),  # its own region
        (domain, "AWS_SES", {"NextSigningKeyLength": "RSA_2048_BIT"}, ("BadRequestException", 400)),
    ]
    for name, origin, attributes, expected in cases:
        with pytest.raises(ClientError) as raised:
            sesv2.put_email_identity_dkim_signing_attributes(
                EmailIdentity=name, SigningAttributesOrigin=origin, SigningAttributes=attributes
            )
        assert error_of(raised) == expected, (name, origin, attributes)
    with pytest.raises(ClientError) as raised:
        sesv2.put_email_identity_dkim_attributes(EmailIdentity=unique("nope"), SigningEnabled=True)
    assert error_of(raised) == ("NotFoundException", 404)


def test_v2_replica_in_another_region(openses: Running, dns: DnsTestServer) -> None:
    key = openses.new_account()
    parent, replica = openses.client("sesv2", key), openses.client("sesv2", key, "eu-west-1")
    domain = unique("deed")
    tokens = parent.create_email_identity(EmailIdentity=domain)["DkimAttributes"]["Tokens"]
    created = replica.create_email_identity(
        EmailIdentity=domain,
        DkimSigningAttributes={"DomainSigningAttributesOrigin": "AWS_SES_US_EAST_1"},
    )
    attributes = created["DkimAttributes"]
    assert (attributes["SigningAttributesOrigin"], attributes["Tokens"]) == (
        "AWS_SES_US_EAST_1",
        tokens,
    )
    publish(dns, domain, tokens)
    assert parent.get_email_identity(EmailIdentity=domain)["VerificationStatus"] == "SUCCESS"
    got = replica.get_email_identity(EmailIdentity=domain)
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("SUCCESS", "SUCCESS")


# --------------------------------------------------------------- signed end to end


def txt(server: tuple[str, int], name: bytes | str) -> bytes | None:
    """TXT text at ``name`` from ``server``, following one CNAME to the DKIM zone responder."""
    text = name.decode() if isinstance(name, bytes) else name
    answer = dns_query.udp(
        dns_message.make_query(text, "TXT"), server[0], port=server[1], timeout=3
    )
    strings = [b"".join(rdata.strings) for rrset in answer.answer for rdata in rrset]
    return strings[0] if strings else None


def test_signed_mail_verifies_with_keys_from_the_dkim_zone(
    openses: Running, dns: DnsTestServer
) -> None:
    key = openses.new_account()
    sesv2 = openses.client("sesv2", key)
    domain = unique("e2e")
    tokens = sesv2.create_email_identity(EmailIdentity=domain)["DkimAttributes"]["Tokens"]
    publish(dns, domain, tokens)
    assert sesv2.get_email_identity(EmailIdentity=domain)["VerifiedForSendingStatus"]

    settings = ServeSettings(
        store=StoreSettings(Path("unused"), None),
        http=HostPort("127.0.0.1", 0),
        public_url="http://unused",
        dns_resolver=None,
        admin_token=None,
        verification_sender="v@openses.test",
        domain_check_interval=3600,
        root=RootCredentials(None, None, None),
        dns=HostPort("127.0.0.1", free_port()),
    )
    listeners = openses.run(start_dkim_dns(openses.application, settings))
    assert listeners is not None
    zone_queries: list[str] = []

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        """A recursive resolver in miniature: the owner's zone (the loopback DNS server) has
        the CNAME, OpenSES's DKIM zone responder the key."""
        query = dns_message.make_query(name.decode(), "CNAME")
        answer = dns_query.udp(query, dns.address[0], port=dns.address[1], timeout=3)
        targets = [rdata.target.to_text() for rrset in answer.answer for rdata in rrset]
        assert targets, f"no CNAME at {name!r}"
        zone_queries.extend(targets)
        return txt(listeners.address, targets[0])

    dkim_service = openses.application.services.dkim
    try:
        signing = openses.run(dkim_service.signing_keys(key.account_id, "us-east-1", f"x@{domain}"))
        assert [(k.domain, k.selector) for k in signing] == [(domain, tokens[0])]
        raw = MESSAGE.replace(b"{domain}", domain.encode())
        signed = sign(raw, signing, datetime.now(UTC))
        assert dkim.verify(signed, dnsfunc=dnsfunc)
        assert zone_queries == [f"{tokens[0]}.{ZONE}."]
        assert not dkim.verify(signed.replace(b"Hello.", b"Hello!"), dnsfunc=dnsfunc)

        # After a key-length change the next token's new key signs, and both verify.
        sesv2.put_email_identity_dkim_signing_attributes(
            EmailIdentity=domain,
            SigningAttributesOrigin="AWS_SES",
            SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
        )
        rotated = openses.run(dkim_service.signing_keys(key.account_id, "us-east-1", f"x@{domain}"))
        assert [k.selector for k in rotated] == [tokens[1]]
        assert dkim.verify(sign(raw, rotated, datetime.now(UTC)), dnsfunc=dnsfunc)
        assert dkim.verify(signed, dnsfunc=dnsfunc)  # mail signed before still verifies
    finally:
        openses.run(listeners.close())
