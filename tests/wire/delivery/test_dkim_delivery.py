"""A delegate's message leaves signed with the *owner's* Easy DKIM key, and the signature checks
out with the public key as a receiver would fetch it: the CNAME from the owner's domain (the
loopback DNS server) into the operator's DKIM zone, served by OpenSES's own DNS responder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import dkim
import dns.message
import dns.query
import dns.rdatatype
import pytest

from openses.dns import DkimZone, DnsListeners, start_dns
from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink
from tests.support.openses_server import Running
from tests.wire.delivery.conftest import DEST
from tests.wire.delivery.test_direct_delivery import delegate_send, received_for, world
from tests.wire.service.sending_world import World

__all__ = ["world"]
ZONE = "dkim.openses.test"


@pytest.fixture(scope="module")
def zone_server(openses: Running) -> Iterator[DnsListeners]:
    dkim_service = openses.application.services.dkim
    zone = DkimZone(ZONE, lambda token: dkim_service.zone_record(token, datetime.now(UTC)))
    listeners = openses.run(start_dns(zone, "127.0.0.1", 0))
    yield listeners
    openses.run(listeners.close())


def resolve_txt(name: str, dns_server: DnsTestServer, zone_server: DnsListeners) -> bytes:
    """What a recursive resolver does for a DKIM key: follow the customer's CNAME into the
    operator's zone and ask its nameserver (OpenSES) for the TXT record."""
    host, port = dns_server.address
    answer = dns.query.udp(dns.message.make_query(name, dns.rdatatype.CNAME), host, port=port)
    (cname,) = [rrset for rrset in answer.answer if rrset.rdtype == dns.rdatatype.CNAME]
    target = cname[0].target.to_text()
    zone_host, zone_port = zone_server.address
    found = dns.query.tcp(
        dns.message.make_query(target, dns.rdatatype.TXT), zone_host, port=zone_port
    )
    (txt,) = [rrset for rrset in found.answer if rrset.rdtype == dns.rdatatype.TXT]
    return b"".join(txt[0].strings)


def test_a_delegates_mail_is_signed_with_the_owners_key(
    world: World,
    openses: Running,
    dns: DnsTestServer,
    sink: MailSink,
    zone_server: DnsListeners,
) -> None:
    owner = world.ses(world.owner)
    tokens = owner.verify_domain_dkim(Domain=world.domain)["DkimTokens"]
    for token in tokens:
        dns.set_cname(f"{token}._domainkey.{world.domain}", f"{token}.{ZONE}")
    attributes = owner.get_identity_dkim_attributes(Identities=[world.domain])
    assert attributes["DkimAttributes"][world.domain]["DkimVerificationStatus"] == "Success"
    assert attributes["DkimAttributes"][world.domain]["DkimEnabled"] is True

    message_id = delegate_send(world, f"signed@{DEST}")
    data = received_for(sink, message_id).data
    assert data.startswith(b"DKIM-Signature:")
    assert f"d={world.domain}".encode() in data.split(b"\r\n\r\n")[0]

    def lookup(name: bytes, timeout: int = 5) -> bytes:
        return resolve_txt(name.decode(), dns, zone_server)

    assert dkim.verify(data, dnsfunc=lookup)

    # The owner switches signing off: the delegate's next message leaves unsigned.
    owner.set_identity_dkim_enabled(Identity=world.domain, DkimEnabled=False)
    unsigned = delegate_send(world, f"unsigned@{DEST}")
    assert b"DKIM-Signature" not in received_for(sink, unsigned).data
    owner.set_identity_dkim_enabled(Identity=world.domain, DkimEnabled=True)
