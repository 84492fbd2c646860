"""The owner's custom MAIL FROM domain governs a delegate's mail: refused while it is not
verified and the owner said ``RejectMessage``; once its MX record is right, the delegate's
message leaves with the envelope sender ``<MessageId>@<MAIL FROM domain>``."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink, Received
from tests.support.openses_server import Running
from tests.wire.delivery.conftest import DEST
from tests.wire.delivery.test_direct_delivery import delegate_send, world
from tests.wire.service.sending_world import World

__all__ = ["world"]
FEEDBACK_MX = "feedback-smtp.us-east-1.openses.test"  # the default --feedback-mx


def arrived(sink: MailSink, mail_from: str, timeout: float = 20) -> Received:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.received:
            if message.mail_from == mail_from:
                return message
        time.sleep(0.05)
    raise AssertionError(f"nothing from {mail_from} reached the sink")


def test_the_owners_mail_from_domain_applies_to_the_delegate(
    world: World, openses: Running, dns: DnsTestServer, sink: MailSink
) -> None:
    mail_from = f"bounce.{world.domain}"
    owner = world.ses(world.owner)
    owner.set_identity_mail_from_domain(
        Identity=world.domain, MailFromDomain=mail_from, BehaviorOnMXFailure="RejectMessage"
    )
    try:
        with pytest.raises(ClientError) as caught:
            delegate_send(world, f"mailfrom@{DEST}")
        assert caught.value.response["Error"]["Code"] == "MailFromDomainNotVerifiedException"

        dns.set_mx(mail_from, [(10, FEEDBACK_MX)])
        found = owner.get_identity_mail_from_domain_attributes(Identities=[world.domain])
        status = found["MailFromDomainAttributes"][world.domain]["MailFromDomainStatus"]
        assert status == "Success"
        message_id = delegate_send(world, f"mailfrom@{DEST}")
        assert arrived(sink, f"{message_id}@{mail_from}").recipients == [f"mailfrom@{DEST}"]
    finally:
        owner.set_identity_mail_from_domain(Identity=world.domain)
        dns.remove(mail_from)
