"""The DKIM zone responder on loopback, asked by dnspython's resolver and raw queries, UDP and TCP.

The zone's lookup is a dict here; ``tests/wire/service/test_dkim_api.py`` runs it against the
real service.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import dns.asyncquery
import dns.asyncresolver
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from openses.dns import DkimZone, DnsListeners, start_dns
from openses.services.dkim_zone import ZoneEntry

ZONE = "dkim.openses.test"
LONG = "v=DKIM1; k=rsa; p=" + "A" * 700  # longer than a plain 512-byte UDP answer
ENTRIES = {
    "short": ZoneEntry("v=DKIM1; k=rsa; p=MFwwDQYJ"),
    "long": ZoneEntry(LONG),
    "empty": ZoneEntry(None),
}


class Lookups:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.fail = False

    async def __call__(self, token: str) -> ZoneEntry | None:
        self.asked.append(token)
        if self.fail:
            raise RuntimeError("the store is down")
        return ENTRIES.get(token)


@pytest.fixture
def lookups() -> Lookups:
    return Lookups()


@pytest.fixture
async def server(lookups: Lookups) -> AsyncIterator[DnsListeners]:
    listeners = await start_dns(DkimZone(ZONE, lookups), "127.0.0.1", 0)
    try:
        yield listeners
    finally:
        await listeners.close()


def resolver_for(server: DnsListeners, *, edns: bool = True) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [server.address[0]]
    resolver.port = server.address[1]
    resolver.lifetime = 3.0
    if edns:
        resolver.use_edns(0, 0, 1232)
    return resolver


async def ask(
    server: DnsListeners, name: str, rdtype: str, *, tcp: bool, edns: bool = True
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=0 if edns else False)
    host, port = server.address
    if tcp:
        return await dns.asyncquery.tcp(query, host, port=port, timeout=3)
    return await dns.asyncquery.udp(query, host, port=port, timeout=3, ignore_trailing=True)


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
@pytest.mark.parametrize("token", ["short", "long", "LONG"])
async def test_token_txt_records(server: DnsListeners, tcp: bool, token: str) -> None:
    answer = await resolver_for(server).resolve(f"{token}.{ZONE}", "TXT", tcp=tcp)
    texts = [b"".join(rdata.strings).decode() for rdata in answer]
    assert texts == [ENTRIES[token.lower()].record]
    assert answer.response.flags & dns.flags.AA
    assert all(len(string) <= 255 for rdata in answer for string in rdata.strings)


async def test_large_answers_are_truncated_over_udp_then_asked_over_tcp(
    server: DnsListeners,
) -> None:
    plain = await ask(server, f"long.{ZONE}", "TXT", tcp=False, edns=False)
    assert plain.flags & dns.flags.TC
    assert not plain.answer
    answer = await resolver_for(server, edns=False).resolve(f"long.{ZONE}", "TXT")
    assert b"".join(next(iter(answer)).strings).decode() == LONG


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
@pytest.mark.parametrize(
    ("name", "rdtype", "rcode", "answers"),
    [
        pytest.param(f"nope.{ZONE}", "TXT", dns.rcode.NXDOMAIN, 0, id="unknown-token"),
        pytest.param(f"a.short.{ZONE}", "TXT", dns.rcode.NXDOMAIN, 0, id="below-a-token"),
        pytest.param(f"empty.{ZONE}", "TXT", dns.rcode.NOERROR, 0, id="token-without-key"),
        pytest.param(f"short.{ZONE}", "A", dns.rcode.NOERROR, 0, id="other-type"),
        pytest.param(f"short.{ZONE}", "ANY", dns.rcode.NOERROR, 1, id="any"),
        pytest.param(ZONE, "SOA", dns.rcode.NOERROR, 1, id="apex-soa"),
        pytest.param(ZONE, "NS", dns.rcode.NOERROR, 1, id="apex-ns"),
        pytest.param(ZONE, "ANY", dns.rcode.NOERROR, 2, id="apex-any"),
        pytest.param(ZONE, "TXT", dns.rcode.NOERROR, 0, id="apex-txt"),
        pytest.param(f"ns.{ZONE}", "TXT", dns.rcode.NOERROR, 0, id="name-server"),
    ],
)
async def test_answers_inside_the_zone(  # noqa: PLR0917
    server: DnsListeners, tcp: bool, name: str, rdtype: str, rcode: int, answers: int
) -> None:
    response = await ask(server, name, rdtype, tcp=tcp)
    assert response.rcode() == rcode
    assert len(response.answer) == answers
    assert response.flags & dns.flags.AA
    if answers == 0:  # negative answers carry the SOA (RFC 2308)
        assert [rrset.rdtype for rrset in response.authority] == [dns.rdatatype.SOA]
        assert response.authority[0].ttl == 60


async def test_apex_records(server: DnsListeners) -> None:
    soa = (await ask(server, ZONE, "SOA", tcp=False)).answer[0]
    assert soa[0].mname.to_text() == f"ns.{ZONE}."
    assert soa[0].rname.to_text() == f"hostmaster.{ZONE}."
    ns = (await ask(server, ZONE, "NS", tcp=True)).answer[0]
    assert [rdata.target.to_text() for rdata in ns] == [f"ns.{ZONE}."]


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
async def test_names_outside_the_zone_are_refused(
    server: DnsListeners, lookups: Lookups, tcp: bool
) -> None:
    for name in ("example.com", "openses.test", f"short.{ZONE}.evil.example"):
        response = await ask(server, name, "TXT", tcp=tcp)
        assert response.rcode() == dns.rcode.REFUSED
        assert not response.flags & dns.flags.AA
    assert lookups.asked == []


async def test_resolver_outcomes(server: DnsListeners) -> None:
    resolver = resolver_for(server)
    with pytest.raises(dns.resolver.NXDOMAIN):
        await resolver.resolve(f"missing.{ZONE}", "TXT")
    with pytest.raises(dns.resolver.NoAnswer):
        await resolver.resolve(f"empty.{ZONE}", "TXT", tcp=True)


async def test_a_failing_lookup_is_servfail(server: DnsListeners, lookups: Lookups) -> None:
    lookups.fail = True
    response = await ask(server, f"short.{ZONE}", "TXT", tcp=False)
    assert response.rcode() == dns.rcode.SERVFAIL
    assert not response.answer


async def test_several_queries_on_one_tcp_connection(server: DnsListeners) -> None:
    reader, writer = await asyncio.open_connection(*server.address)
    try:
        for name in ("short", "long", "nope"):
            wire = dns.message.make_query(f"{name}.{ZONE}", "TXT").to_wire()
            writer.write(len(wire).to_bytes(2, "big") + wire)
        await writer.drain()
        codes = []
        for _ in range(3):
            size = int.from_bytes(await reader.readexactly(2), "big")
            codes.append(dns.message.from_wire(await reader.readexactly(size)).rcode())
        assert codes == [dns.rcode.NOERROR, dns.rcode.NOERROR, dns.rcode.NXDOMAIN]
    finally:
        writer.close()
        await writer.wait_closed()


async def test_garbage_gets_formerr_or_nothing(server: DnsListeners) -> None:
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        sock.connect(server.address)
        await loop.sock_sendall(sock, b"\x12\x34\x01\x00" + b"\xff" * 9)
        reply = await asyncio.wait_for(loop.sock_recv(sock, 512), 3)
        assert reply[:2] == b"\x12\x34"
        assert reply[3] & 0x0F == dns.rcode.FORMERR
        await loop.sock_sendall(sock, b"\x01")  # not even a header: no answer, no crash
    still = await ask(server, f"short.{ZONE}", "TXT", tcp=False)
    assert still.rcode() == dns.rcode.NOERROR


async def test_other_opcodes_are_not_implemented(server: DnsListeners) -> None:
    query = dns.message.make_query(f"short.{ZONE}", "TXT")
    query.set_opcode(dns.opcode.NOTIFY)
    response = await dns.asyncquery.udp(query, server.address[0], port=server.address[1], timeout=3)
    assert response.rcode() == dns.rcode.NOTIMP
