"""The DNS resolver adapter: TXT, CNAME, MX and address lookups over dnspython's async resolver.

Each lookup has one of three outcomes, and callers must be able to tell them apart:

* records — a list of values;
* a definite "no" — the name does not exist (NXDOMAIN), has no records of the type asked for
  (NoAnswer), or cannot be written as a DNS name at all: an empty list;
* "ask again later" — timeouts, SERVFAIL, REFUSED, unreachable nameservers:
  :class:`DnsTemporaryFailure`, chained to the dnspython exception.

Nothing is cached here: every call asks the nameserver, so a record published a moment ago is
seen by the next call (as far as the nameserver's own caching allows).
"""

from __future__ import annotations

import asyncio

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
from dns.rdtypes.ANY.CNAME import CNAME
from dns.rdtypes.ANY.MX import MX
from dns.rdtypes.ANY.TXT import TXT
from dns.rdtypes.IN.A import A
from dns.rdtypes.IN.AAAA import AAAA

from openses.services.identities import LookupFailure

DEFAULT_TIMEOUT = 2.0
"""Seconds to wait for one nameserver to answer one query before trying again."""

DEFAULT_LIFETIME = 5.0
"""Seconds one lookup may take in all, retries and TCP fallback included."""

EDNS_PAYLOAD = 1232
"""The UDP payload size advertised with EDNS(0) (the DNS Flag Day 2020 value).

Larger answers come back truncated and are asked again over TCP.
"""


class DnsTemporaryFailure(LookupFailure):
    """The lookup could not be completed now; the answer is unknown, not negative.

    It is the services' :class:`~openses.services.identities.LookupFailure`, so a pending
    domain whose DNS is down is marked ``TemporaryFailure``, not checked as "no record"."""

    def __init__(self, name: str, rdtype: str, reason: str) -> None:
        super().__init__(f"DNS lookup of {name} {rdtype} failed: {reason}")
        self.name = name
        self.rdtype = rdtype
        self.reason = reason


class DnsResolver:
    """Asks a nameserver for TXT, CNAME, MX, A and AAAA records.

    ``nameserver`` is ``(ip_address, port)`` to ask that server only, recursion desired (tests
    point it at a loopback server; deployments at a local recursive resolver); ``None`` reads
    the system configuration (``/etc/resolv.conf``) on the first lookup, so that code which
    never looks anything up needs none, and a missing one is a :class:`DnsTemporaryFailure`
    like any other unanswerable lookup. Queries go over UDP and are repeated over TCP when the
    answer is truncated.
    """

    def __init__(
        self,
        nameserver: tuple[str, int] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        lifetime: float = DEFAULT_LIFETIME,
    ) -> None:
        self._nameserver = nameserver
        self._timeout = timeout
        self._lifetime = lifetime
        self._resolver: dns.asyncresolver.Resolver | None = None

    def _configured(self) -> dns.asyncresolver.Resolver:
        """The dnspython resolver, built on first use (this may read the system config)."""
        if self._resolver is None:
            if self._nameserver is None:
                resolver = dns.asyncresolver.Resolver(configure=True)
            else:
                host, port = self._nameserver
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = [host]
                resolver.port = port
            resolver.timeout = self._timeout
            resolver.lifetime = self._lifetime
            resolver.use_edns(0, 0, EDNS_PAYLOAD)
            self._resolver = resolver
        return self._resolver

    async def txt(self, name: str) -> list[str]:
        """The TXT records at ``name``, one string per record.

        A record's character-strings are concatenated without separators (RFC 7208 §3.3) and
        decoded as UTF-8, undecodable bytes replaced by U+FFFD.
        """
        answer = await self._query(name, dns.rdatatype.TXT)
        if answer is None:
            return []
        return [
            b"".join(rdata.strings).decode("utf-8", errors="replace")
            for rdata in answer
            if isinstance(rdata, TXT)
        ]

    async def cname(self, name: str) -> list[str]:
        """The name(s) ``name`` is an alias for (its CNAME record), without the trailing dot;
        empty when ``name`` is not an alias."""
        answer = await self._query(name, dns.rdatatype.CNAME)
        if answer is None:
            return []
        return [
            rdata.target.to_text(omit_final_dot=True)
            for rdata in answer
            if isinstance(rdata, CNAME)
        ]

    async def mx(self, domain: str) -> list[tuple[int, str]]:
        """The mail exchangers of ``domain`` as ``(preference, host)``, most preferred first.

        Hosts have no trailing dot; equal preferences are ordered by host name, ignoring case
        (callers that spread load shuffle them). A null MX (RFC 7505, ``0 .``) comes back as
        ``(0, ".")``.
        """
        answer = await self._query(domain, dns.rdatatype.MX)
        if answer is None:
            return []
        exchangers = [
            (rdata.preference, rdata.exchange.to_text(omit_final_dot=True))
            for rdata in answer
            if isinstance(rdata, MX)
        ]
        return sorted(exchangers, key=lambda mx: (mx[0], mx[1].lower()))

    async def addresses(self, host: str) -> list[str]:
        """The IPv4 (A) then IPv6 (AAAA) addresses of ``host``, in the order served.

        Both types are asked at once; if either lookup fails temporarily the whole call raises
        :class:`DnsTemporaryFailure`, so an empty list always means "no addresses".
        """
        results = await asyncio.gather(
            self._query(host, dns.rdatatype.A),
            self._query(host, dns.rdatatype.AAAA),
            return_exceptions=True,
        )
        addresses: list[str] = []
        for result in results:
            if isinstance(result, BaseException):
                raise result
            if result is not None:
                addresses.extend(rdata.address for rdata in result if isinstance(rdata, A | AAAA))
        return addresses

    async def _query(
        self, name: str, rdtype: dns.rdatatype.RdataType
    ) -> dns.resolver.Answer | None:
        """The answer, or None for a definite "no such records"."""
        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException:
            return None  # not a possible DNS name, so certainly no records
        try:
            return await self._configured().resolve(qname, rdtype, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except dns.exception.Timeout as error:
            raise DnsTemporaryFailure(name, rdtype.name, "timed out") from error
        except dns.resolver.NoNameservers as error:
            raise DnsTemporaryFailure(name, rdtype.name, str(error)) from error
        except dns.exception.DNSException as error:
            raise DnsTemporaryFailure(name, rdtype.name, type(error).__name__) from error
