"""Keys for the DKIM tests (made once per session: RSA key generation takes a while) and a
dkimpy verifier reading public keys from a dict instead of DNS."""

from __future__ import annotations

import base64
from collections.abc import Callable

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from openses.domain.dkim import PrivateKey, SigningKey, parse_external_key, public_key_record


@pytest.fixture(scope="session")
def keys() -> dict[str, PrivateKey]:
    """``rsa1024``, ``rsa2048``, ``ed25519`` and ``byodkim`` (an owner's RSA key, read the way
    BYODKIM reads it: base64 of the PKCS#1 DER key)."""
    owner = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = owner.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return {
        "rsa1024": rsa.generate_private_key(public_exponent=65537, key_size=1024),
        "rsa2048": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ed25519": ed25519.Ed25519PrivateKey.generate(),
        "byodkim": parse_external_key(base64.b64encode(der).decode()),
    }


Verify = Callable[[bytes, list[SigningKey]], list[bool]]


@pytest.fixture
def verify() -> Verify:
    """Verify every DKIM-Signature of a message with dkimpy, the keys' records as its DNS."""

    def check(message: bytes, signers: list[SigningKey]) -> list[bool]:
        records = {
            f"{key.selector}._domainkey.{key.domain}.".encode(): public_key_record(
                key.private_key
            ).encode()
            for key in signers
        }

        def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
            return records.get(name)

        def valid(index: int) -> bool:
            try:
                return bool(dkim.DKIM(message).verify(idx=index, dnsfunc=dnsfunc))
            except dkim.DKIMException:  # some failures are raised rather than returned
                return False

        return [valid(index) for index in range(message.count(b"DKIM-Signature:"))]

    return check
