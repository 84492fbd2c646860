"""The default mode, ``capture``: nothing leaves the machine, the message stays in the outbox,
and every recipient counts as delivered (a Delivery event), as CI users expect; the mailbox
simulator answers as in every mode."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from openses.config import DeliverySettings, HostPort
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running, openses_backend
from tests.wire.delivery.test_direct_delivery import wait_for_events
from tests.wire.service.sending_world import World


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsTestServer]:
    with DnsTestServer() as server:
        yield server


@pytest.fixture(scope="module")
def openses(tmp_path_factory: pytest.TempPathFactory, dns: DnsTestServer) -> Iterator[Running]:
    host, port = dns.address
    delivery = DeliverySettings(poll=0.05, feedback_smtp=None)
    with openses_backend(
        "sqlite", tmp_path_factory.mktemp("capture"), HostPort(host, port), delivery
    ) as running:
        yield running


def test_captured_mail_is_delivered_in_place(openses: Running, dns: DnsTestServer) -> None:
    world = World(openses, dns, "capture.example")
    world.allow({"AWS": world.delegate.account_id})
    sent = world.send_email(
        world.delegate,
        source=f"app@{world.domain}",
        to=["someone@anywhere.example", "bounce@simulator.amazonses.com"],
        SourceArn=world.arn(),
    )
    events = wait_for_events(openses, sent, lambda types: "Delivery" in types and "Bounce" in types)
    delivery = next(e for e in events if e.event_type == "Delivery")
    assert delivery.recipients == ("someone@anywhere.example",)
    assert "captured" in str(delivery.detail["smtpResponse"])
    found = httpx.get(f"{openses.base_url}/_openses/messages/{sent}").json()
    assert found["pending_deliveries"] == []
    assert found["message"]["recipients"] == [
        "someone@anywhere.example",
        "bounce@simulator.amazonses.com",
    ]
