"""A live OpenSES (SQLite) and a loopback DNS server per module, for real non-Python clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openses.config import HostPort
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running, openses_backend


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsTestServer]:
    with DnsTestServer() as server:
        yield server


@pytest.fixture(scope="module")
def openses(tmp_path_factory: pytest.TempPathFactory, dns: DnsTestServer) -> Iterator[Running]:
    host, port = dns.address
    with openses_backend(
        "sqlite", tmp_path_factory.mktemp("sqlite"), HostPort(host, port)
    ) as running:
        yield running
