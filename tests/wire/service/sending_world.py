"""A small world for sending scenarios: an owner with a verified domain, delegates, policies.

Built over boto3 against a live OpenSES (see ``tests/support/openses_server.py``); the
operator's actions (account updates, address verification) go through the services on the
server's loop, as ``openses admin`` would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from openses.domain.accounts import AccessKey
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running

SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail"]


def statement(principal: Any, resource: str, **extra: Any) -> dict[str, Any]:
    return {
        "Sid": extra.pop("Sid", "AllowDelegate"),
        "Effect": extra.pop("Effect", "Allow"),
        "Principal": principal,
        "Action": extra.pop("Action", SEND_ACTIONS),
        "Resource": resource,
        **extra,
    }


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass
class World:
    openses: Running
    dns: DnsTestServer
    domain: str
    owner: AccessKey = field(init=False)
    delegate: AccessKey = field(init=False)

    def __post_init__(self) -> None:
        self.owner = self.openses.new_account(production=True)
        self.delegate = self.openses.new_account(production=True)
        self.verify_domain(self.owner, self.domain)

    # ---------------------------------------------------------------- clients
    def ses(self, key: AccessKey, region: str = "us-east-1") -> Any:
        return self.openses.client("ses", key, region)

    def sesv2(self, key: AccessKey, region: str = "us-east-1") -> Any:
        return self.openses.client("sesv2", key, region)

    # ------------------------------------------------------------ identities
    def arn(self, identity: str | None = None, region: str = "us-east-1") -> str:
        name = identity or self.domain
        return f"arn:aws:ses:{region}:{self.owner.account_id}:identity/{name}"

    def verify_domain(self, key: AccessKey, domain: str, region: str = "us-east-1") -> None:
        token = self.ses(key, region).verify_domain_identity(Domain=domain)["VerificationToken"]
        self.dns.set_txt(f"_amazonses.{domain}", token)
        found = self.ses(key, region).get_identity_verification_attributes(Identities=[domain])
        assert found["VerificationAttributes"][domain]["VerificationStatus"] == "Success"

    def verify_address(self, key: AccessKey, address: str, region: str = "us-east-1") -> None:
        identities = self.openses.application.services.identities
        self.openses.run(
            identities.operator_verify(
                datetime.now(UTC), account_id=key.account_id, region=region, name=address
            )
        )

    def allow(self, principal: Any, identity: str | None = None, **extra: Any) -> str:
        """Attach a policy allowing ``principal`` on ``identity`` (the domain by default)."""
        name = identity or self.domain
        text = document(statement(principal, self.arn(name), **extra))
        self.ses(self.owner).put_identity_policy(Identity=name, PolicyName="delegate", Policy=text)
        return text

    def put_policy(self, text: str, identity: str | None = None, name: str = "delegate") -> None:
        self.ses(self.owner).put_identity_policy(
            Identity=identity or self.domain, PolicyName=name, Policy=text
        )

    def update_account(self, key: AccessKey, **changes: Any) -> None:
        accounts = self.openses.application.services.accounts
        self.openses.run(accounts.update_account(key.account_id, **changes))

    # ------------------------------------------------------------------ sends
    def send_email(self, key: AccessKey, *, source: str, to: list[str], **extra: Any) -> str:
        reply = self.ses(key, extra.pop("region", "us-east-1")).send_email(
            Source=source,
            Destination={"ToAddresses": to},
            Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi there."}}},
            **extra,
        )
        message_id: str = reply["MessageId"]
        return message_id

    def captured(self, message_id: str) -> dict[str, Any]:
        listing = httpx.get(f"{self.openses.base_url}/_openses/messages", params={"limit": 500})
        for record in listing.json()["messages"]:
            if record["message_id"] == message_id:
                found: dict[str, Any] = record
                return found
        raise AssertionError(f"message {message_id} was not captured")

    def raw(self, message_id: str) -> bytes:
        return httpx.get(f"{self.openses.base_url}/_openses/messages/{message_id}/raw").content
