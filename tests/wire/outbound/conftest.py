"""Fixtures for the outbound adapters: a loopback DNS server."""

from __future__ import annotations

from tests.support.fixtures import dns_server

__all__ = ["dns_server"]
