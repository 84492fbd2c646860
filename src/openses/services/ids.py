"""Fresh identifiers and secrets, in the shapes AWS uses (random, from ``secrets``)."""

from __future__ import annotations

import secrets
import string

_UPPER_DIGITS = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def _draw(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def account_id() -> str:
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def access_key_id() -> str:
    """``AKIA`` and 16 upper-case letters or digits, like long-term AWS keys."""
    return "AKIA" + _draw(_UPPER_DIGITS, 16)


def service_access_key_id() -> str:
    """``ASIA``-style ids mark credentials issued to a service principal."""
    return "ASIA" + _draw(_UPPER_DIGITS, 16)


def secret_access_key() -> str:
    return _draw(_SECRET_ALPHABET, 40)


def user_id() -> str:
    return "AIDA" + _draw(_UPPER_DIGITS, 17)


def verification_token() -> str:
    """A token for a domain TXT record or an email verification link (URL- and DNS-safe)."""
    return secrets.token_urlsafe(32)
