"""The certificate: self-signed on first start, reused after, private key readable by us only."""

from __future__ import annotations

import datetime as dt
import ipaddress
import smtplib
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from openses.smtp import SmtpSettings, ensure_self_signed
from openses.smtp.tls import CERT_FILE, KEY_FILE
from tests.wire.smtp.support import MESSAGE, FakeSmtpBackend, in_thread, logged_in, start


def _names(cert_path: Path) -> tuple[set[str], set[str]]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return (
        set(san.get_values_for_type(x509.DNSName)),
        {str(ip) for ip in san.get_values_for_type(x509.IPAddress)},
    )


def test_self_signed_pair_is_made_once_and_reused(tmp_path: Path) -> None:
    directory = tmp_path / "data" / "tls"
    cert_path, key_path = ensure_self_signed(directory, "mail.example.test")
    assert (cert_path, key_path) == (directory / CERT_FILE, directory / KEY_FILE)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    cert_bytes, key_bytes = cert_path.read_bytes(), key_path.read_bytes()
    modified = key_path.stat().st_mtime_ns

    again = ensure_self_signed(directory, "mail.example.test")

    assert again == (cert_path, key_path)
    assert cert_path.read_bytes() == cert_bytes
    assert key_path.read_bytes() == key_bytes
    assert key_path.stat().st_mtime_ns == modified
    assert sorted(path.name for path in directory.iterdir()) == [CERT_FILE, KEY_FILE]


def test_certificate_names_and_validity(tmp_path: Path) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert_path, _ = ensure_self_signed(tmp_path, "mail.example.test", now=now)
    dns, ips = _names(cert_path)
    assert dns == {"mail.example.test", "localhost"}
    assert ips == {"127.0.0.1", "::1"}
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert.not_valid_before_utc <= now
    assert cert.not_valid_after_utc - now >= dt.timedelta(days=3649)


def test_an_ip_hostname_is_an_ip_san(tmp_path: Path) -> None:
    cert_path, _ = ensure_self_signed(tmp_path, "192.0.2.25")
    _, ips = _names(cert_path)
    assert ipaddress.ip_address("192.0.2.25").compressed in ips


@pytest.mark.parametrize("damage", ["hostname", "expiring", "missing-key", "corrupt-cert"])
def test_unusable_pair_is_replaced(tmp_path: Path, damage: str) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert_path, key_path = ensure_self_signed(tmp_path, "old.example.test", now=now)
    original = cert_path.read_bytes()
    hostname, later = "old.example.test", now
    if damage == "hostname":
        hostname = "new.example.test"
    elif damage == "expiring":
        later = now + dt.timedelta(days=3650)
    elif damage == "missing-key":
        key_path.unlink()
    else:
        cert_path.write_bytes(b"not a certificate")

    ensure_self_signed(tmp_path, hostname, now=later)

    assert cert_path.read_bytes() != original
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert hostname in _names(cert_path)[0]


async def test_listeners_make_the_pair_on_first_start_and_reuse_it(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    assert not tls_dir.exists()
    async with await start(backend, tls_dir) as first:
        cert = first.cert_path.read_bytes()
        assert first.cert_path.parent == tls_dir
        assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600

        def conversation() -> dict[str, tuple[int, bytes]]:
            with logged_in(first) as client:  # verifies the chain and 127.0.0.1
                return client.sendmail("sender@example.com", ["a@example.net"], MESSAGE)

        assert await in_thread(conversation) == {}
        assert backend.last.data == MESSAGE
    async with await start(backend, tls_dir) as second:
        assert second.cert_path.read_bytes() == cert


async def test_configured_certificate_is_served(backend: FakeSmtpBackend, tmp_path: Path) -> None:
    cert_path, key_path = ensure_self_signed(tmp_path / "own", "smtp.openses.test")
    expected = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    async with await start(
        backend, tmp_path / "unused", cert_path=cert_path, key_path=key_path
    ) as listeners:
        assert (listeners.cert_path, listeners.key_path) == (cert_path, key_path)
        assert listeners.implicit_tls_port is not None
        port = listeners.implicit_tls_port
        context = ssl.create_default_context(cafile=str(cert_path))

        def conversation() -> bytes | None:
            with smtplib.SMTP_SSL("127.0.0.1", port, context=context, timeout=10) as client:
                assert isinstance(client.sock, ssl.SSLSocket)
                return client.sock.getpeercert(binary_form=True)

        assert await in_thread(conversation) == expected
    assert not (tmp_path / "unused").exists()


async def test_untrusted_client_fails_the_handshake(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    async with await start(backend, tls_dir) as listeners:
        assert listeners.implicit_tls_port is not None
        port = listeners.implicit_tls_port

        def conversation() -> None:
            system_roots = ssl.create_default_context()
            with smtplib.SMTP_SSL("127.0.0.1", port, timeout=10, context=system_roots):
                pass

        with pytest.raises(ssl.SSLCertVerificationError):
            await in_thread(conversation)

        def trusted() -> tuple[int, bytes]:
            with logged_in(listeners, implicit=True) as client:
                return client.noop()

        assert (await in_thread(trusted))[0] == 250  # the listener survived the failure


def test_settings_validation(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both a certificate and a key"):
        SmtpSettings(cert_path=tmp_path / "c.pem")
    with pytest.raises(ValueError, match="max_recipients"):
        SmtpSettings(max_recipients=0)
    with pytest.raises(ValueError, match="timeouts"):
        SmtpSettings(idle_timeout=0)
    with pytest.raises(ValueError, match="self_signed_dir"):
        SmtpSettings().tls_files()
