"""DKIM: canonicalisation, signing, keys and the DKIM settings of identities (pure).

``sign(raw, keys, now)`` is the entry point of delivery; ``SigningKey`` says what one signature
is made with. ``settings`` holds the per-identity state SES keeps (Easy DKIM, BYODKIM, status)
and its rules.
"""

from __future__ import annotations

from openses.domain.dkim.keys import (
    InvalidDkimKey,
    KeyAlgorithm,
    PrivateKey,
    SigningKey,
    load_private_key,
    parse_external_key,
    private_key_pem,
    public_key_record,
    record_publishes,
)
from openses.domain.dkim.signature import SIGNED_FIELDS, sign

__all__ = [
    "SIGNED_FIELDS",
    "InvalidDkimKey",
    "KeyAlgorithm",
    "PrivateKey",
    "SigningKey",
    "load_private_key",
    "parse_external_key",
    "private_key_pem",
    "public_key_record",
    "record_publishes",
    "sign",
]
