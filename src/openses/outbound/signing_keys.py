"""The key and certificate that sign SNS messages: the operator's, or made on first start.

Without ``--sns-signing-key``/``--sns-signing-cert`` a pair is generated once into
``<data-dir>/sns/`` (RSA 2048, a self-signed certificate valid for ten years, the key file
mode 0600, each written through a temporary file and an atomic rename) and reused while both
load and the certificate stays valid for another day. Several OpenSES processes behind one
public URL must share one pair: give them the same files.

The certificate is served at ``<public URL>/sns/<file name>``; the name carries a digest of
the certificate, so a verifier that caches certificates by URL never pairs a new key with an
old certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from openses.key_files import write_atomically

KEY_FILE: Final = "sns-signing-key.pem"
CERT_FILE: Final = "sns-signing-cert.pem"
VALIDITY: Final = dt.timedelta(days=3650)
SUBJECT: Final = "OpenSES SNS message signing"


class SigningKeyError(ValueError):
    """The operator's key or certificate cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class SigningMaterial:
    key: rsa.RSAPrivateKey
    cert_pem: bytes

    @property
    def cert_file_name(self) -> str:
        """``openses-sns-<digest>.pem``: the name the certificate is served under."""
        der = x509.load_pem_x509_certificate(self.cert_pem).public_bytes(serialization.Encoding.DER)
        return f"openses-sns-{hashlib.sha256(der).hexdigest()[:32]}.pem"


def signing_material(
    key_path: Path | None, cert_path: Path | None, directory: Path, *, now: dt.datetime
) -> SigningMaterial:
    """The operator's pair when both paths are given, else the one kept in ``directory``."""
    if key_path is not None and cert_path is not None:
        return load_signing_material(key_path, cert_path)
    return ensure_signing_material(directory, now=now)


def load_signing_material(key_path: Path, cert_path: Path) -> SigningMaterial:
    """The operator's RSA key and its certificate (PEM), checked to belong together."""
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert_pem = cert_path.read_bytes()
        cert = x509.load_pem_x509_certificate(cert_pem)
    except (OSError, ValueError, TypeError) as error:
        raise SigningKeyError(f"cannot read the SNS signing key or certificate: {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningKeyError("the SNS signing key must be an RSA key (SNS signs with RSA)")
    if cert.public_key() != key.public_key():
        raise SigningKeyError("the SNS signing certificate is not the signing key's")
    return SigningMaterial(key, cert_pem)


def ensure_signing_material(directory: Path, *, now: dt.datetime) -> SigningMaterial:
    """The pair in ``directory``, made there first if it is missing, unreadable or expiring."""
    key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
    try:
        material = load_signing_material(key_path, cert_path)
        cert = x509.load_pem_x509_certificate(material.cert_pem)
        if cert.not_valid_after_utc > now + dt.timedelta(days=1):
            return material
    except SigningKeyError:
        pass
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert_pem = _certificate(key, now).public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomically(key_path, key_pem, mode=0o600)
    write_atomically(cert_path, cert_pem, mode=0o644)
    return SigningMaterial(key, cert_pem)


def _certificate(key: rsa.RSAPrivateKey, now: dt.datetime) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SUBJECT)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
