"""The DNS adapter against a real authoritative server on loopback (UDP, TCP, failures).

Written as plain functions running ``asyncio.run`` so they need no async pytest plugin.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import dns.exception
import pytest

from openses.outbound.dns import DnsResolver, DnsTemporaryFailure
from tests.support.dns_server import DnsTestServer, Query

Lookup = Callable[[DnsResolver, str], Awaitable[list[Any]]]
LOOKUPS: dict[str, Lookup] = {
    "txt": DnsResolver.txt,
    "mx": DnsResolver.mx,
    "addresses": DnsResolver.addresses,
}


def lookup(resolver: DnsResolver, kind: str, name: str) -> list[Any]:
    async def ask() -> list[Any]:
        return await LOOKUPS[kind](resolver, name)

    return asyncio.run(ask())


@pytest.fixture
def resolver(dns_server: DnsTestServer) -> DnsResolver:
    return DnsResolver(dns_server.address, timeout=1.0, lifetime=3.0)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A UDP port on loopback where a socket receives queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port with nothing bound to it (queries are refused by the kernel)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# ---------------------------------------------------------------------------- TXT
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(("token-1",), ["token-1"], id="single-record"),
        pytest.param(("token-1", "token-2"), ["token-1", "token-2"], id="two-records"),
        pytest.param(
            (("v=spf1 include:a.example ", "include:b.example -all"),),
            ["v=spf1 include:a.example include:b.example -all"],
            id="multi-string-record-joined-without-separator",
        ),
        pytest.param(
            ("a" * 255 + "b" * 255 + "c" * 90,),
            ["a" * 255 + "b" * 255 + "c" * 90],
            id="long-record-split-in-three",
        ),
        pytest.param(("",), [""], id="empty-record"),
        pytest.param((b"ok \xff\xfe",), ["ok \ufffd\ufffd"], id="invalid-utf8-replaced"),
        pytest.param(("caf\u00e9 \u2709",), ["caf\u00e9 \u2709"], id="utf8-decoded"),
    ],
)
def test_txt_returns_each_record_as_one_string(dns_server, resolver, values, expected):
    dns_server.set_txt("_amazonses.example.com", *values)

    assert sorted(lookup(resolver, "txt", "_amazonses.example.com")) == sorted(expected)


def test_large_txt_answer_is_truncated_over_udp_and_fetched_over_tcp(dns_server, resolver):
    # Four 2048-bit-DKIM-sized records: about 1,700 bytes, over the 1,232 of EDNS over UDP.
    records = [f"v=DKIM1; k=rsa; p={chr(ord('A') + i) * 392}" for i in range(4)]
    dns_server.set_txt("sel._domainkey.example.com", *records)

    assert sorted(lookup(resolver, "txt", "sel._domainkey.example.com")) == records
    assert dns_server.queries == [
        Query("sel._domainkey.example.com", "TXT", "udp"),
        Query("sel._domainkey.example.com", "TXT", "tcp"),
    ]


def test_small_answer_stays_on_udp(dns_server, resolver):
    dns_server.set_txt("_amazonses.example.com", "token")

    lookup(resolver, "txt", "_amazonses.example.com")

    assert [query.transport for query in dns_server.queries] == ["udp"]


def test_names_are_case_insensitive_and_may_end_with_a_dot(dns_server, resolver):
    dns_server.set_txt("_amazonses.example.com", "token")

    assert lookup(resolver, "txt", "_AmazonSES.Example.COM.") == ["token"]


def test_zone_changes_are_seen_by_the_next_lookup(dns_server, resolver):
    name = "_amazonses.example.com"
    assert lookup(resolver, "txt", name) == []

    dns_server.set_txt(name, "first")
    assert lookup(resolver, "txt", name) == ["first"]

    dns_server.set_txt(name, "second")
    assert lookup(resolver, "txt", name) == ["second"]

    dns_server.remove(name)
    assert lookup(resolver, "txt", name) == []


# ------------------------------------------------------------------ definite "no"
@pytest.mark.parametrize("kind", LOOKUPS)
def test_nxdomain_is_an_empty_list(dns_server, resolver, kind):
    assert lookup(resolver, kind, "missing.example.com") == []
    assert dns_server.queries  # the server was asked, and said NXDOMAIN


@pytest.mark.parametrize("kind", LOOKUPS)
def test_name_without_records_of_the_type_is_an_empty_list(dns_server, resolver, kind):
    dns_server.set_txt("empty.example.com")  # exists, holds nothing at all

    assert lookup(resolver, kind, "empty.example.com") == []


def test_no_answer_for_the_type_asked_is_an_empty_list(dns_server, resolver):
    dns_server.set_a("host.example.com", "192.0.2.1")

    assert lookup(resolver, "txt", "host.example.com") == []
    assert lookup(resolver, "mx", "host.example.com") == []


@pytest.mark.parametrize(
    "name", ["a..example.com", "x" * 64 + ".example.com"], ids=["empty-label", "long-label"]
)
def test_impossible_name_is_an_empty_list_without_asking(dns_server, resolver, name):
    assert lookup(resolver, "txt", name) == []
    assert dns_server.queries == []


# -------------------------------------------------------------- temporary failures
@pytest.mark.parametrize("kind", LOOKUPS)
def test_servfail_is_a_temporary_failure(dns_server, resolver, kind):
    dns_server.set_txt("broken.example.com", "token")
    dns_server.fail("broken.example.com")

    with pytest.raises(DnsTemporaryFailure) as caught:
        lookup(resolver, kind, "broken.example.com")

    assert caught.value.name == "broken.example.com"
    assert isinstance(caught.value.__cause__, dns.exception.DNSException)
    assert "SERVFAIL" in caught.value.reason


def test_servfail_clears_when_the_name_is_removed(dns_server, resolver):
    dns_server.fail("broken.example.com")
    dns_server.remove("broken.example.com")

    assert lookup(resolver, "txt", "broken.example.com") == []


@pytest.mark.parametrize("kind", LOOKUPS)
def test_silent_nameserver_times_out_within_the_lifetime(silent_port, kind):
    resolver = DnsResolver(("127.0.0.1", silent_port), timeout=0.1, lifetime=0.3)
    started = time.monotonic()

    with pytest.raises(DnsTemporaryFailure, match="timed out") as caught:
        lookup(resolver, kind, "example.com")

    assert isinstance(caught.value.__cause__, dns.exception.Timeout)
    assert time.monotonic() - started < 3  # the lifetime given, not the 5 s default


def test_nameserver_refusing_connections_is_a_temporary_failure():
    resolver = DnsResolver(("127.0.0.1", closed_port()), timeout=0.1, lifetime=0.3)

    with pytest.raises(DnsTemporaryFailure):
        lookup(resolver, "txt", "example.com")


# ----------------------------------------------------------------------------- MX
def test_mx_sorted_by_preference_without_trailing_dots(dns_server, resolver):
    dns_server.set_mx(
        "example.com",
        [
            (20, "backup.example.net."),
            (5, "mx2.example.com"),
            (10, "MX1.example.com"),
            (5, "mx1.example.com"),
        ],
    )

    assert lookup(resolver, "mx", "example.com") == [
        (5, "mx1.example.com"),
        (5, "mx2.example.com"),
        (10, "MX1.example.com"),
        (20, "backup.example.net"),
    ]


def test_null_mx_is_reported_as_a_dot(dns_server, resolver):
    dns_server.set_mx("no-mail.example.com", [(0, ".")])

    assert lookup(resolver, "mx", "no-mail.example.com") == [(0, ".")]


# ---------------------------------------------------------------------- addresses
@pytest.mark.parametrize(
    ("ipv4", "ipv6", "expected"),
    [
        pytest.param(
            ("192.0.2.1", "192.0.2.2"),
            ("2001:db8::1",),
            ["192.0.2.1", "192.0.2.2", "2001:db8::1"],
            id="both-families-ipv4-first",
        ),
        pytest.param(("192.0.2.1",), (), ["192.0.2.1"], id="ipv4-only"),
        pytest.param((), ("2001:db8::25",), ["2001:db8::25"], id="ipv6-only"),
    ],
)
def test_addresses_gathers_a_and_aaaa(dns_server, resolver, ipv4, ipv6, expected):
    if ipv4:
        dns_server.set_a("mx.example.com", *ipv4)
    if ipv6:
        dns_server.set_aaaa("mx.example.com", *ipv6)

    found = lookup(resolver, "addresses", "mx.example.com")

    assert sorted(found[: len(ipv4)]) == sorted(ipv4)
    assert sorted(found) == sorted(expected)


def test_system_configuration_is_read_on_first_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without /etc/resolv.conf, constructing works and a lookup fails temporarily."""
    import dns.asyncresolver  # noqa: PLC0415
    import dns.resolver  # noqa: PLC0415

    missing: Any = dns.resolver.NoResolverConfiguration  # dnspython's exceptions are untyped

    def unconfigured(*_args: Any, **_kwargs: Any) -> Any:
        raise missing("no nameservers")

    monkeypatch.setattr(dns.asyncresolver, "Resolver", unconfigured)
    resolver = DnsResolver()  # the operator commands build one and never look anything up
    with pytest.raises(DnsTemporaryFailure) as raised:
        asyncio.run(resolver.txt("_amazonses.example.com"))
    assert raised.value.rdtype == "TXT"
    assert raised.value.reason == "NoResolverConfiguration"
