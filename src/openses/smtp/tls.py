"""TLS for the SMTP listeners: the server context and a self-signed certificate on first start.

SES requires TLS on every SMTP port (STARTTLS or implicit, spec §6.4) with a public
certificate for ``email-smtp.<region>.amazonaws.com``. A self-hosted service usually starts
without one, so when no certificate is configured we generate a self-signed pair once:

* RSA 2048 (the most widely accepted key type among SMTP client libraries), SHA-256;
* subject CN and SANs: the configured host name, ``localhost``, ``127.0.0.1`` and ``::1``;
* valid for ten years, so a test or small deployment never meets an expiry;
* written to ``<directory>/smtp-cert.pem`` and ``<directory>/smtp-key.pem``, the key file with
  mode 0600 (the directory 0700), each through a temporary file and an atomic rename;
* reused as long as both files load, the certificate is still valid for a day and it names the
  configured host name; otherwise a new pair replaces them.

Clients that verify certificates must be given ``smtp-cert.pem`` as their trust anchor.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from openses.key_files import write_atomically

CERT_FILE: Final = "smtp-cert.pem"
KEY_FILE: Final = "smtp-key.pem"
VALIDITY: Final = dt.timedelta(days=3650)
_LOOPBACK_NAMES: Final = ("localhost",)
_LOOPBACK_IPS: Final = ("127.0.0.1", "::1")


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """A server-side context: TLS 1.2 or newer, no client certificates."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context


def ensure_self_signed(
    directory: Path, hostname: str, *, now: dt.datetime | None = None
) -> tuple[Path, Path]:
    """Paths of a self-signed certificate and key for ``hostname``, made on first use."""
    now = now or dt.datetime.now(dt.UTC)
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if _reusable(cert_path, key_path, hostname, now):
        return cert_path, key_path
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _certificate(key, hostname, now)
    write_atomically(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=0o600,
    )
    write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert_path, key_path


def _certificate(key: rsa.RSAPrivateKey, hostname: str, now: dt.datetime) -> x509.Certificate:
    names: list[x509.GeneralName] = []
    for name in dict.fromkeys((hostname, *_LOOPBACK_NAMES, *_LOOPBACK_IPS)):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            names.append(x509.DNSName(name))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        # Its own trust anchor: a CA (so strict X.509 checking takes it as a root) that may
        # also serve TLS, like `openssl req -x509` makes.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _reusable(cert_path: Path, key_path: Path, hostname: str, now: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    if cert.not_valid_after_utc < now + dt.timedelta(days=1):
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    covered = {str(name) for name in san.get_values_for_type(x509.DNSName)}
    covered |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    try:
        wanted = str(ipaddress.ip_address(hostname))
    except ValueError:
        wanted = hostname
    return wanted in covered
