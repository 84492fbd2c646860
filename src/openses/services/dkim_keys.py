"""DKIM key material: new RSA and Ed25519 key pairs and Easy DKIM tokens (randomness lives here,
not in the domain), and stored keys loaded once into key objects.

Tokens look like SES's: 32 characters of lower-case base32 (160 random bits), which makes them
valid DNS labels and selectors. Keys are RSA with exponent 65537 (or Ed25519, the operator's
``--dkim-ed25519`` option), stored as PKCS#8 PEM text.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from openses.domain.dkim import PrivateKey, SigningKey, load_private_key, private_key_pem
from openses.domain.dkim.keys import KeyAlgorithm, key_algorithm
from openses.domain.dkim.settings import EASY_DKIM_TOKENS


def easy_dkim_tokens() -> tuple[str, ...]:
    """Three new Easy DKIM tokens."""
    return tuple(_token() for _ in range(EASY_DKIM_TOKENS))


def _token() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()


def generate_rsa_key(bits: int) -> str:
    """A new RSA private key of ``bits`` bits, as PEM text (tens of milliseconds of CPU)."""
    return private_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def generate_ed25519_key() -> str:
    """A new Ed25519 private key, as PEM text."""
    return private_key_pem(ed25519.Ed25519PrivateKey.generate())


class KeyCache:
    """Stored PEM keys as loaded key objects, each loaded once.

    Entries are keyed by identity, selector and the PEM text itself, so a changed or rotated
    key is a new entry and an old one can never be served for it; the cache starts over when
    it holds ``max_entries``. Stored keys were checked (BYODKIM) or made here (Easy DKIM)
    before they were stored, so they load without OpenSSL's slow RSA consistency check.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._signing: dict[tuple[str, str, str, str, str], SigningKey] = {}
        self._algorithms: dict[str, KeyAlgorithm] = {}

    def signing_key(
        self, account_id: str, region: str, domain: str, selector: str, pem: str
    ) -> SigningKey:
        cache_key = (account_id, region, domain, selector, pem)
        key = self._signing.get(cache_key)
        if key is None:
            if len(self._signing) >= self.max_entries:
                self._signing.clear()
            key = SigningKey(domain, selector, self.private_key(pem))
            self._signing[cache_key] = key
        return key

    def private_key(self, pem: str) -> PrivateKey:
        return load_private_key(pem, trusted=True)

    def algorithm(self, pem: str) -> KeyAlgorithm:
        """The algorithm of a stored key (which of an identity's slots is Ed25519)."""
        found = self._algorithms.get(pem)
        if found is None:
            if len(self._algorithms) >= self.max_entries:
                self._algorithms.clear()
            found = key_algorithm(self.private_key(pem))
            self._algorithms[pem] = found
        return found
