"""The operator's DKIM zone as an authoritative DNS server answers it (wire format via dnspython).

For the zone ``Z`` (``--dkim-zone``):

* ``<token>.Z TXT`` -> the public key record of that Easy DKIM token's key (the owner's
  ``<token>._domainkey.<domain>`` CNAMEs point here); a token whose slot holds no key yet, or a
  question for another type, gets an empty answer (the name exists);
* ``Z SOA`` and ``Z NS`` at the apex (the name server is ``ns.Z``; the parent zone delegates to
  it with glue);
* any other name inside ``Z``: NXDOMAIN; names outside ``Z``: REFUSED (it is no resolver).

Answers in the zone are authoritative and carry the SOA in the authority section when they are
negative (RFC 2308). A UDP answer larger than the client accepts (512 bytes, or its EDNS payload
size) is sent empty with the TC flag, so the client asks again over TCP. Queries that are not
standard queries get NOTIMP, undecodable ones FORMERR (when their header can be read).
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Awaitable, Callable

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.TXT import TXT

from openses.services.dkim_zone import ZoneEntry

log = logging.getLogger("openses.dns")

RECORD_TTL = 300
"""TTL of the key records, SOA and NS (seconds)."""

NEGATIVE_TTL = 60
"""How long resolvers may remember that a name or record does not exist (the SOA minimum)."""

PLAIN_UDP_LIMIT = 512
TCP_LIMIT = 65535
MAX_STRING = 255

Lookup = Callable[[str], Awaitable[ZoneEntry | None]]
"""Looks a token (one lower-case label) up: its entry, or None when no identity has it."""

_HEADER = struct.Struct("!HH")


class DkimZone:
    def __init__(self, zone: str, lookup: Lookup, *, serial: int = 1) -> None:
        self.origin = dns.name.from_text(zone)
        self.lookup = lookup
        self.nameserver = dns.name.Name((b"ns", *self.origin.labels))
        hostmaster = dns.name.Name((b"hostmaster", *self.origin.labels))
        self.soa = dns.rdata.from_text(
            dns.rdataclass.IN,
            dns.rdatatype.SOA,
            f"{self.nameserver} {hostmaster} {serial} 3600 600 86400 {NEGATIVE_TTL}",
        )
        self.ns = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NS, str(self.nameserver))

    async def answer(self, wire: bytes, *, tcp: bool) -> bytes | None:
        """The reply to one query message (None: nothing can be said, e.g. a truncated header)."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return _format_error(wire)
        if query.flags & dns.flags.QR:
            return None  # a response sent to us: never answer those
        response = dns.message.make_response(query)
        response.flags &= ~dns.flags.RA
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
        elif len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
        else:
            try:
                await self._fill(response, query.question[0])
            except Exception:
                log.exception("DKIM zone lookup failed")
                response.answer, response.authority = [], []
                response.set_rcode(dns.rcode.SERVFAIL)
        limit = TCP_LIMIT if tcp else max(PLAIN_UDP_LIMIT, query.payload if query.edns >= 0 else 0)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            response.answer, response.authority, response.additional = [], [], []
            response.flags |= dns.flags.TC
            return response.to_wire(max_size=limit)

    async def _fill(self, response: dns.message.Message, question: dns.rrset.RRset) -> None:
        name, rdtype = question.name, question.rdtype
        if question.rdclass not in (dns.rdataclass.IN, dns.rdataclass.ANY) or not (
            name.is_subdomain(self.origin)
        ):
            response.set_rcode(dns.rcode.REFUSED)
            return
        response.flags |= dns.flags.AA
        wanted = {rdtype} if rdtype != dns.rdatatype.ANY else None
        if name == self.origin:
            if wanted is None or dns.rdatatype.SOA in wanted:
                response.answer.append(self._rrset(name, self.soa))
            if wanted is None or dns.rdatatype.NS in wanted:
                response.answer.append(self._rrset(name, self.ns))
            if not response.answer:
                self._negative(response)
            return
        labels = name.relativize(self.origin).labels
        found: ZoneEntry | None = None
        if name == self.nameserver:
            found = ZoneEntry(None)  # exists; its addresses are the parent zone's glue
        elif len(labels) == 1:
            found = await self.lookup(labels[0].decode("ascii", errors="replace").lower())
        if found is None:
            self._negative(response, nxdomain=True)
        elif found.record is not None and (wanted is None or dns.rdatatype.TXT in wanted):
            response.answer.append(self._rrset(name, _txt(found.record)))
        else:
            self._negative(response)

    def _negative(self, response: dns.message.Message, *, nxdomain: bool = False) -> None:
        if nxdomain:
            response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(self._rrset(self.origin, self.soa, ttl=NEGATIVE_TTL))

    @staticmethod
    def _rrset(
        name: dns.name.Name, rdata: dns.rdata.Rdata, ttl: int = RECORD_TTL
    ) -> dns.rrset.RRset:
        return dns.rrset.from_rdata(name, ttl, rdata)


def _txt(text: str) -> TXT:
    """A TXT record of ``text``, split into strings of at most 255 bytes."""
    data = text.encode("utf-8")
    strings = [data[i : i + MAX_STRING] for i in range(0, len(data), MAX_STRING)] or [b""]
    return TXT(dns.rdataclass.IN, dns.rdatatype.TXT, strings)


def _format_error(wire: bytes) -> bytes | None:
    """A bare FORMERR reply to a query that could not be decoded, if its header is readable."""
    if len(wire) < _HEADER.size:
        return None
    query_id, flags = _HEADER.unpack_from(wire)
    if flags & dns.flags.QR:
        return None
    reply_flags = dns.flags.QR | (flags & dns.flags.RD) | dns.rcode.FORMERR
    return _HEADER.pack(query_id, reply_flags) + bytes(8)
