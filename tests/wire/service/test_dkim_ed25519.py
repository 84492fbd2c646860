"""``--dkim-ed25519`` end to end: an Easy DKIM identity made over the API gets its Ed25519 key the
first time keys are asked for (concurrently, on two nodes: one key is stored), a message signed
with ``signing_keys`` carries an RSA then an Ed25519 signature, and dkimpy verifies both with
the public keys a receiver would find — the owner's CNAMEs (the loopback DNS server) into the
DKIM zone, answered by OpenSES's own DNS responder."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import dkim
from dns import message as dns_message
from dns import query as dns_query

from openses.dns import DkimZone, start_dns
from openses.domain.dkim import KeyAlgorithm, SigningKey, public_key_record, sign
from openses.services.dkim import DkimService
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.test_dkim_api import MESSAGE, ZONE, publish, txt, unique


def ed25519_node(openses: Running) -> DkimService:
    """A DKIM service with the option on over the server's store, as another node (or this one
    restarted with ``--dkim-ed25519``) would run it."""
    services = openses.application.services
    return DkimService(
        openses.application.store,
        services.dkim.checks.resolver,
        services.identities,
        zone=ZONE,
        ed25519=True,
    )


def verify_all(signed: bytes, dnsfunc: object) -> list[bool]:
    """dkimpy's verdict on each DKIM-Signature of the message, in order."""
    verdicts: list[bool] = []
    for index in range(signed.count(b"DKIM-Signature:")):
        try:
            verdicts.append(bool(dkim.DKIM(signed).verify(idx=index, dnsfunc=dnsfunc)))
        except dkim.DKIMException:
            verdicts.append(False)
    return verdicts


def test_two_signatures_verify_with_keys_from_the_dkim_zone(
    openses: Running, dns: DnsTestServer
) -> None:
    key = openses.new_account()
    sesv2 = openses.client("sesv2", key)
    domain = unique("ed25519")
    tokens = sesv2.create_email_identity(EmailIdentity=domain)["DkimAttributes"]["Tokens"]
    publish(dns, domain, tokens)
    assert sesv2.get_email_identity(EmailIdentity=domain)["VerifiedForSendingStatus"]

    # Made before the option: the first requests (concurrent, on two nodes) store one key.
    nodes = [ed25519_node(openses), ed25519_node(openses)]

    async def first_requests() -> Sequence[tuple[SigningKey, ...]]:
        return await asyncio.gather(
            *(
                node.signing_keys(key.account_id, "us-east-1", f"n{index}@{domain}")
                for index, node in enumerate(nodes * 3)
            )
        )

    results = openses.run(first_requests())
    records = {tuple(public_key_record(k.private_key) for k in keys) for keys in results}
    assert len(records) == 1
    signing = results[0]
    assert [(k.domain, k.selector, k.algorithm) for k in signing] == [
        (domain, tokens[0], KeyAlgorithm.RSA_SHA256),
        (domain, tokens[1], KeyAlgorithm.ED25519_SHA256),
    ]
    # The server itself runs without the option: it still signs with RSA alone.
    plain = openses.run(
        openses.application.services.dkim.signing_keys(key.account_id, "us-east-1", f"x@{domain}")
    )
    assert [k.selector for k in plain] == [tokens[0]]

    zone = DkimZone(ZONE, lambda token: nodes[0].zone_record(token, datetime.now(UTC)))
    listeners = openses.run(start_dns(zone, "127.0.0.1", 0))
    zone_queries: list[str] = []

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        """A recursive resolver in miniature: the CNAME from the owner's zone, the key from
        OpenSES's DKIM zone responder."""
        query = dns_message.make_query(name.decode(), "CNAME")
        answer = dns_query.udp(query, dns.address[0], port=dns.address[1], timeout=3)
        targets = [rdata.target.to_text() for rrset in answer.answer for rdata in rrset]
        assert targets, f"no CNAME at {name!r}"
        zone_queries.extend(targets)
        return txt(listeners.address, targets[0])

    try:
        ed_record = txt(listeners.address, f"{tokens[1]}.{ZONE}")
        assert ed_record is not None
        assert ed_record.startswith(b"v=DKIM1; k=ed25519; p=")
        raw = MESSAGE.replace(b"{domain}", domain.encode())
        signed = sign(raw, signing, datetime.now(UTC))
        headers = signed.split(b"\r\n\r\n")[0]
        assert headers.count(b"DKIM-Signature:") == 2
        assert headers.index(b"a=rsa-sha256") < headers.index(b"a=ed25519-sha256")
        assert verify_all(signed, dnsfunc) == [True, True]
        assert zone_queries == [f"{tokens[0]}.{ZONE}.", f"{tokens[1]}.{ZONE}."]
        assert dkim.verify(signed, dnsfunc=dnsfunc)
        assert verify_all(signed.replace(b"Hello.", b"Hello!"), dnsfunc) == [False, False]
    finally:
        openses.run(listeners.close())
