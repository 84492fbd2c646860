"""A live OpenSES that really delivers (direct mode) to a loopback "MX", per backend and module.

The recipient domain ``dest.example`` has its MX at 127.0.0.7 in the loopback DNS server, where
a :class:`~tests.support.mail_sink.MailSink` listens; the server's ``--mx-port`` is the sink's
port, so direct delivery finds it the way it would find a real mail exchanger.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openses.config import DeliverySettings, HostPort
from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink
from tests.support.openses_server import Running, free_port, openses_backend

DEST = "dest.example"
MX_ADDRESS = "127.0.0.7"


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsTestServer]:
    with DnsTestServer() as server:
        server.set_mx(DEST, [(10, f"mx.{DEST}")])
        server.set_a(f"mx.{DEST}", MX_ADDRESS)
        yield server


@pytest.fixture(scope="module")
def sink() -> Iterator[MailSink]:
    with MailSink(host=MX_ADDRESS) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def openses(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    dns: DnsTestServer,
    sink: MailSink,
) -> Iterator[Running]:
    host, port = dns.address
    delivery = DeliverySettings(
        mode="direct",
        mx_port=sink.port,
        poll=0.05,
        bounce_domain="bounces.openses.test",
        helo_name="mta.openses.test",
        feedback_smtp=HostPort("127.0.0.1", free_port()),
    )
    with openses_backend(
        request.param, tmp_path_factory.mktemp(request.param), HostPort(host, port), delivery
    ) as running:
        yield running
