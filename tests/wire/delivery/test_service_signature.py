"""With ``--service-dkim-domain``, a delegate's message reaches the MX signed twice — by the
owner's Easy DKIM key and by the service's key — with a ``Feedback-ID`` for the delegate's
account; the record ``openses admin service-dkim`` prints is the one receivers need."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dkim
import pytest

from openses.config import DeliverySettings, HostPort, ServiceDkimSettings
from openses.outbound.service_dkim_key import load_service_signature
from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink
from tests.support.openses_server import Running, free_port, openses_backend
from tests.wire.delivery.conftest import DEST
from tests.wire.delivery.test_direct_delivery import delegate_send, received_for, world
from tests.wire.service.sending_world import World

__all__ = ["world"]
SERVICE_DOMAIN = "mail.platform.test"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service-signature")


@pytest.fixture(scope="module")
def openses(data_dir: Path, dns: DnsTestServer, sink: MailSink) -> Iterator[Running]:
    """One backend is enough here: the signature is made when the message leaves."""
    host, port = dns.address
    delivery = DeliverySettings(
        mode="direct",
        mx_port=sink.port,
        poll=0.05,
        bounce_domain="bounces.openses.test",
        helo_name="mta.openses.test",
        feedback_smtp=HostPort("127.0.0.1", free_port()),
        service_dkim=ServiceDkimSettings(SERVICE_DOMAIN),
    )
    with openses_backend("sqlite", data_dir, HostPort(host, port), delivery) as running:
        yield running


def published_record(data_dir: Path) -> dict[str, str]:
    """What the operator runs to learn the DNS record (same data directory as the server)."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "openses",
            "admin",
            "service-dkim",
            "--data-dir",
            str(data_dir / "data"),
            "--service-dkim-domain",
            SERVICE_DOMAIN,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    record: dict[str, str] = json.loads(completed.stdout)
    return record


def test_a_delegates_message_leaves_with_the_service_signature_and_feedback_id(
    world: World, openses: Running, dns: DnsTestServer, sink: MailSink, data_dir: Path
) -> None:
    message_id = delegate_send(world, f"platform@{DEST}")
    data = received_for(sink, message_id).data
    header = data.split(b"\r\n\r\n", 1)[0]

    record = published_record(data_dir)
    assert record["name"] == f"openses._domainkey.{SERVICE_DOMAIN}"
    assert record["type"] == "TXT"

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        wanted = f"{record['name']}.".encode()
        return record["value"].encode() if name == wanted else None

    verifier = dkim.DKIM(data)
    assert verifier.verify(idx=0, dnsfunc=lookup)
    assert verifier.domain == SERVICE_DOMAIN.encode()

    signature = load_service_signature(SERVICE_DOMAIN, "openses", None, data_dir / "data")
    expected = signature.feedback_id("us-east-1", world.delegate.account_id)
    assert f"Feedback-ID: {expected}".encode() in header
    owner_tag = signature.feedback_id("us-east-1", world.owner.account_id)
    assert owner_tag.encode() not in header  # the delegate's account, not the owner's
