"""DKIM keys: the signing key a signature is made with, and the public key record verifiers find.

Keys are ``cryptography`` key objects (OpenSSL underneath). Loading a PEM RSA key with the full
consistency check costs tens of milliseconds, so callers load each key once and keep the object
(:func:`load_private_key`; keys this service generated itself are loaded without the check,
which OpenSSL then needs no longer than a hash). Nothing here generates keys: that takes
randomness, which belongs to the services.

The public key record is the TXT text published at ``<selector>._domainkey.<domain>``:
``v=DKIM1; k=rsa; p=<base64 of the DER SubjectPublicKeyInfo>`` (RFC 6376 §3.6.1), or
``k=ed25519`` with the raw 32-byte key (RFC 8463).
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

MIN_RSA_BITS = 1024
MAX_RSA_BITS = 2048


class KeyAlgorithm(enum.Enum):
    """The signature algorithm (``a=``) of a key."""

    RSA_SHA256 = "rsa-sha256"
    ED25519_SHA256 = "ed25519-sha256"


@dataclass(frozen=True, slots=True, eq=False)
class SigningKey:
    """What one DKIM-Signature is made with: the signing domain (``d=``), the selector (``s=``)
    and the loaded private key (its type decides the algorithm)."""

    domain: str
    selector: str
    private_key: PrivateKey

    @property
    def algorithm(self) -> KeyAlgorithm:
        return key_algorithm(self.private_key)


def key_algorithm(key: PrivateKey) -> KeyAlgorithm:
    """The signature algorithm a key signs with (its type decides)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return KeyAlgorithm.ED25519_SHA256
    return KeyAlgorithm.RSA_SHA256


class InvalidDkimKey(ValueError):
    """A private key that cannot sign DKIM as SES allows; ``str()`` says why."""


# ------------------------------------------------------------------------------- PEM text


def private_key_pem(key: PrivateKey) -> str:
    """The key as unencrypted PKCS#8 PEM text (how keys are stored)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_private_key(pem: str, *, trusted: bool) -> PrivateKey:
    """A stored PEM key as a key object. ``trusted`` skips OpenSSL's RSA consistency check (for
    keys that were checked or generated before they were stored)."""
    key = serialization.load_pem_private_key(
        pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=trusted
    )
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise InvalidDkimKey(f"unsupported key type {type(key).__name__}")
    return key


def parse_external_key(text: str) -> rsa.RSAPrivateKey:
    """A BYODKIM private key as SES takes it: base64 of the DER key (PKCS#1 or PKCS#8; the body
    of a PEM file), or base64 of a whole PEM file; RSA of 1024 to 2048 bits."""
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidDkimKey("The private key is not valid base64.") from None
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InvalidDkimKey(
            "The private key could not be read: give an unencrypted RSA private key, "
            "base64-encoded."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidDkimKey("The private key must be an RSA key.")
    if not MIN_RSA_BITS <= key.key_size <= MAX_RSA_BITS:
        raise InvalidDkimKey(
            f"The private key is {key.key_size} bits long; it must be at least "
            f"{MIN_RSA_BITS} and at most {MAX_RSA_BITS} bits."
        )
    return key


# ---------------------------------------------------------------------- public key records


def public_key_data(key: PrivateKey) -> str:
    """The ``p=`` value of the key's record."""
    public = key.public_key()
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        raw = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return base64.b64encode(raw).decode("ascii")


def public_key_record(key: PrivateKey) -> str:
    """The TXT record text that publishes the key's public half."""
    kind = "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "rsa"
    return f"v=DKIM1; k={kind}; p={public_key_data(key)}"


_TAG = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(.*)$", re.DOTALL)


def record_tags(record: str) -> dict[str, str]:
    """The tags of a DKIM key record (``v=DKIM1; k=rsa; p=…``), white space removed from values."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        match = _TAG.match(part)
        if match:
            tags.setdefault(match.group(1), "".join(match.group(2).split()))
    return tags


def record_publishes(record: str, key: PrivateKey) -> bool:
    """Whether a TXT record is a DKIM key record for the public half of ``key``.

    The ``p=`` value is compared as a key, so a record carrying the same RSA key as a bare
    PKCS#1 structure (some tools publish that) counts too.
    """
    tags = record_tags(record)
    if tags.get("v", "DKIM1") != "DKIM1" or "p" not in tags:
        return False
    wanted = public_key_data(key)
    if tags["p"] == wanted:
        return True
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return False
    try:
        published = serialization.load_der_public_key(base64.b64decode(tags["p"], validate=True))
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        return False
    return (
        isinstance(published, rsa.RSAPublicKey)
        and published.public_numbers() == key.public_key().public_numbers()
    )
