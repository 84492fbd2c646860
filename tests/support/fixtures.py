"""Pytest fixtures over the test support servers.

Load them in a top-level conftest with ``pytest_plugins = ["tests.support.fixtures"]``, or
import the fixture by name into a conftest or test module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dns_server import DnsTestServer


@pytest.fixture
def dns_server() -> Iterator[DnsTestServer]:
    """A running loopback DNS server with no records; stopped after the test."""
    with DnsTestServer() as server:
        yield server
