"""SES SMTP passwords: derivation from a secret access key, and verification.

An SMTP password is ``base64(version byte || 32-byte HMAC-SHA256 digest)``, 44 characters.

* Version 4 (current, region-bound): the SigV4 signing key for date ``11111111``, the region and
  service ``ses``, then one more HMAC over ``SendRawEmail``. Passwords start with ``B``.
* Version 2 (legacy, credentials made before 2019-01-10, any region):
  ``HMAC-SHA256(key=secret, msg="SendRawEmail")``. Passwords start with ``A``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from openses.domain.sigv4 import signing_key

VERSION_4 = 0x04
VERSION_2 = 0x02
SMTP_DATE = "11111111"
SMTP_SERVICE = "ses"
MESSAGE = "SendRawEmail"
_PASSWORD_BYTES = 33


def _digest(key: bytes) -> bytes:
    return hmac.new(key, MESSAGE.encode("ascii"), hashlib.sha256).digest()


def _v4_digest(secret_access_key: str, region: str) -> bytes:
    return _digest(signing_key(secret_access_key, SMTP_DATE, region, SMTP_SERVICE))


def _v2_digest(secret_access_key: str) -> bytes:
    return _digest(secret_access_key.encode("utf-8"))


def _encode(version: int, digest: bytes) -> str:
    return base64.b64encode(bytes([version]) + digest).decode("ascii")


def derive_smtp_password(secret_access_key: str, region: str) -> str:
    """The current (version 4) SMTP password for ``secret_access_key`` in ``region``."""
    return _encode(VERSION_4, _v4_digest(secret_access_key, region))


def derive_legacy_smtp_password(secret_access_key: str) -> str:
    """The legacy (version 2) SMTP password, valid in every region."""
    return _encode(VERSION_2, _v2_digest(secret_access_key))


def verify_smtp_password(
    password: str, secret_access_key: str, region: str, *, allow_legacy: bool = True
) -> bool:
    """Whether ``password`` is the SMTP password of ``secret_access_key`` for ``region``.

    The first decoded byte selects the version; anything that is not strict base64 of 33 bytes
    with a known version is simply wrong. The digest comparison takes constant time.
    """
    try:
        raw = base64.b64decode(password, validate=True)
    except ValueError:  # binascii.Error, and non-ASCII text
        return False
    if len(raw) != _PASSWORD_BYTES:
        return False
    version, digest = raw[0], raw[1:]
    if version == VERSION_4:
        expected = _v4_digest(secret_access_key, region)
    elif version == VERSION_2 and allow_legacy:
        expected = _v2_digest(secret_access_key)
    else:
        return False
    return hmac.compare_digest(digest, expected)
