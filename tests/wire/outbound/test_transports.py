"""The outbound transports against real SMTP servers on loopback (aiosmtpd sinks).

Direct delivery finds its servers through a loopback DNS server: MX hosts resolve to
127.0.0.x addresses and every sink listens on the transport's ``port``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openses.domain.delivery.failures import FailureKind
from openses.domain.delivery.outcome import AttemptResult, Replied, Unreachable
from openses.domain.transfer import Envelope
from openses.outbound.dns import DnsResolver
from openses.outbound.smtp_client import SessionSettings, TlsMode
from openses.outbound.transports import (
    CaptureTransport,
    DirectTransport,
    SmarthostTransport,
    mail_exchangers,
)
from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink
from tests.support.openses_server import free_port

MESSAGE = b"From: a@sender.example\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nbody \xc3\xa9\r\n"
PLAIN = SessionSettings(helo_name="openses.test", tls=TlsMode.NONE, timeout=5)


def shown(result: AttemptResult) -> tuple[str, int | str]:
    """(recipient, reply code) for a reply, (recipient, failure kind) for none."""
    if isinstance(result, Replied):
        return (result.recipient, result.reply.code)
    return (result.recipient, result.failure.kind.value)


def envelope(key: str, *recipients: str, data: bytes = MESSAGE) -> Envelope:
    return Envelope(key, f"{key}@bounces.openses.test", recipients, data)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], ["example.net"]),
        (
            [(10, "mx1.example.net"), (20, "mx2.example.net")],
            ["mx1.example.net", "mx2.example.net"],
        ),
        ([(0, ".")], None),
        ([(0, "")], None),
    ],
)
def test_mail_exchangers(records: list[tuple[int, str]], expected: list[str] | None) -> None:
    assert mail_exchangers(records, "example.net") == expected


async def test_capture_answers_delivered_for_everyone() -> None:
    results = await CaptureTransport().deliver("example.net", [envelope("j1", "a@x", "b@x")])
    assert [shown(r) for r in results["j1"]] == [("a@x", 250), ("b@x", 250)]


async def test_smarthost_carries_several_messages_in_one_session_with_per_recipient_answers() -> (
    None
):
    with MailSink() as sink:
        transport = SmarthostTransport("127.0.0.1", sink.port, PLAIN)
        results = await transport.deliver(
            "example.net",
            [
                envelope("j1", "ok@example.net", "reject@example.net", "later@example.net"),
                envelope("j2", "full@example.net"),
                envelope("j3", "spam@example.net"),
                envelope("j4", "second@example.net"),
            ],
        )
        received = sink.received
    answers = {key: [shown(r) for r in v] for key, v in results.items()}
    assert answers == {
        "j1": [("ok@example.net", 250), ("reject@example.net", 550), ("later@example.net", 451)],
        "j2": [("full@example.net", 552)],
        "j3": [("spam@example.net", 554)],
        "j4": [("second@example.net", 250)],
    }
    assert [(r.mail_from, r.recipients) for r in received] == [
        ("j1@bounces.openses.test", ["ok@example.net"]),
        ("j4@bounces.openses.test", ["second@example.net"]),
    ]
    assert received[0].data.replace(b"\r\n", b"\n") == MESSAGE.replace(b"\r\n", b"\n")
    spam = results["j3"][0]
    assert isinstance(spam, Replied)
    assert spam.reply.wire.startswith("554 5.7.1")
    assert (spam.mta.name, spam.mta.ip) == ("127.0.0.1", "127.0.0.1")


async def test_smarthost_with_starttls_and_auth(tmp_path: Path) -> None:
    with MailSink(tls_dir=tmp_path, auth=("relay", "s3cret")) as sink:
        good = SessionSettings(
            helo_name="openses.test", tls=TlsMode.REQUIRED, username="relay", password="s3cret"
        )
        results = await SmarthostTransport("127.0.0.1", sink.port, good).deliver(
            "example.net", [envelope("j1", "ok@example.net")]
        )
        assert shown(results["j1"][0]) == ("ok@example.net", 250)
        assert sink.received[0].tls
        bad = SessionSettings(
            helo_name="openses.test", tls=TlsMode.REQUIRED, username="relay", password="wrong"
        )
        refused = await SmarthostTransport("127.0.0.1", sink.port, bad).deliver(
            "example.net", [envelope("j2", "ok@example.net")]
        )
    assert shown(refused["j2"][0]) == ("ok@example.net", 535)


async def test_smarthost_required_tls_not_offered_is_a_temporary_failure() -> None:
    with MailSink() as sink:
        settings = SessionSettings(helo_name="openses.test", tls=TlsMode.REQUIRED)
        results = await SmarthostTransport("127.0.0.1", sink.port, settings).deliver(
            "example.net", [envelope("j1", "ok@example.net")]
        )
    attempt = results["j1"][0]
    assert isinstance(attempt, Unreachable)
    assert attempt.failure.kind is FailureKind.TLS_FAILURE
    assert "STARTTLS" in attempt.failure.reply.wire


async def test_unreachable_smarthost_is_a_temporary_failure_for_everyone() -> None:
    transport = SmarthostTransport("127.0.0.1", free_port(), PLAIN)
    results = await transport.deliver(
        "example.net", [envelope("j1", "a@example.net"), envelope("j2", "b@example.net")]
    )
    assert {shown(a)[1] for v in results.values() for a in v} == {"connection-refused"}


async def test_direct_follows_mx_preference_and_falls_back(dns_server: DnsTestServer) -> None:
    with MailSink(host="127.0.0.2") as backup:
        dns_server.set_mx("example.net", [(10, "mx1.example.net"), (20, "mx2.example.net")])
        dns_server.set_a("mx1.example.net", "127.0.0.3")  # nobody listens there
        dns_server.set_a("mx2.example.net", "127.0.0.2")
        transport = DirectTransport(DnsResolver(dns_server.address), PLAIN, port=backup.port)
        results = await transport.deliver("example.net", [envelope("j1", "ok@example.net")])
        assert backup.received[0].recipients == ["ok@example.net"]
    attempt = results["j1"][0]
    assert isinstance(attempt, Replied)
    assert (attempt.reply.code, attempt.mta.name, attempt.mta.ip) == (
        250,
        "mx2.example.net",
        "127.0.0.2",
    )


async def test_direct_uses_the_domain_itself_without_mx(dns_server: DnsTestServer) -> None:
    with MailSink(host="127.0.0.4") as sink:
        dns_server.set_a("implicit.example", "127.0.0.4")
        transport = DirectTransport(DnsResolver(dns_server.address), PLAIN, port=sink.port)
        results = await transport.deliver(
            "implicit.example", [envelope("j1", "a@implicit.example")]
        )
    assert shown(results["j1"][0]) == ("a@implicit.example", 250)


async def test_direct_null_mx_and_missing_domain_bounce(dns_server: DnsTestServer) -> None:
    dns_server.set_mx("nomail.example", [(0, ".")])
    transport = DirectTransport(DnsResolver(dns_server.address), PLAIN, port=free_port())
    null = await transport.deliver("nomail.example", [envelope("j1", "a@nomail.example")])
    assert shown(null["j1"][0]) == ("a@nomail.example", "null-mx")
    missing = await transport.deliver("nowhere.example", [envelope("j2", "a@nowhere.example")])
    assert shown(missing["j2"][0]) == ("a@nowhere.example", "no-such-domain")


async def test_direct_dns_trouble_is_temporary(dns_server: DnsTestServer) -> None:
    dns_server.fail("broken.example")
    transport = DirectTransport(
        DnsResolver(dns_server.address, timeout=0.5, lifetime=1), PLAIN, port=free_port()
    )
    results = await transport.deliver("broken.example", [envelope("j1", "a@broken.example")])
    assert shown(results["j1"][0]) == ("a@broken.example", "dns-failure")


async def test_opportunistic_tls_is_used_when_offered(
    tmp_path: Path, dns_server: DnsTestServer
) -> None:
    with MailSink(tls_dir=tmp_path, host="127.0.0.5") as sink:
        dns_server.set_mx("tls.example", [(10, "mx.tls.example")])
        dns_server.set_a("mx.tls.example", "127.0.0.5")
        settings = SessionSettings(helo_name="openses.test", tls=TlsMode.OPPORTUNISTIC)
        transport = DirectTransport(DnsResolver(dns_server.address), settings, port=sink.port)
        results = await transport.deliver("tls.example", [envelope("j1", "a@tls.example")])
        assert sink.received[0].tls
    assert shown(results["j1"][0]) == ("a@tls.example", 250)


async def test_required_tls_refuses_a_server_without_starttls(
    tmp_path: Path, dns_server: DnsTestServer
) -> None:
    with MailSink(host="127.0.0.6") as plain:
        dns_server.set_mx("plain.example", [(10, "mx.plain.example")])
        dns_server.set_a("mx.plain.example", "127.0.0.6")
        settings = SessionSettings(helo_name="openses.test", tls=TlsMode.OPPORTUNISTIC)
        transport = DirectTransport(DnsResolver(dns_server.address), settings, port=plain.port)
        opportunistic = await transport.deliver(
            "plain.example", [envelope("j1", "a@plain.example")]
        )
        required = await transport.deliver(
            "plain.example", [envelope("j2", "b@plain.example")], require_tls=True
        )
        assert [r.recipients for r in plain.received] == [["a@plain.example"]]
    assert shown(opportunistic["j1"][0]) == ("a@plain.example", 250)
    assert shown(required["j2"][0]) == ("b@plain.example", "tls-failure")
    with MailSink(tls_dir=tmp_path) as secure:
        smarthost = SmarthostTransport("127.0.0.1", secure.port, PLAIN)
        results = await smarthost.deliver(
            "x.example", [envelope("j3", "c@x.example")], require_tls=True
        )
        assert secure.received[0].tls
    assert shown(results["j3"][0]) == ("c@x.example", 250)
