"""DKIM signing (RFC 6376 with relaxed/relaxed canonicalisation; RFC 8463 for Ed25519).

:func:`sign` is what the delivery worker calls: it returns the message with one
``DKIM-Signature`` field per key in front of it, each made independently over the original
fields. The work per signature is one relaxed pass over the body (shared by all keys), a few
header fields, and one private-key operation in OpenSSL through ``cryptography``.

Signed fields are the ones in :data:`SIGNED_FIELDS` the message has, every occurrence (listed
once per occurrence in ``h=``, matched bottom-up as §5.4.2 says); ``From`` is over-signed (named
once more than it occurs) so that a ``From`` added in transit breaks the signature.

The field is folded for reading: tags on lines of at most 78 characters, ``h=`` broken after a
colon, ``b=`` in chunks. The signature covers the field exactly as written with an empty ``b=``
(relaxed), which is what a verifier reconstructs.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding

from openses.domain.dkim.canonical import (
    HeaderField,
    crlf,
    relaxed_body,
    relaxed_header,
    split_message,
)
from openses.domain.dkim.keys import SigningKey

SIGNED_FIELDS = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "In-Reply-To",
    "References",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Feedback-ID",
)
OVERSIGNED_FIELDS = frozenset({b"from"})

LINE_LIMIT = 78
"""Longest line of the DKIM-Signature field (RFC 5322's recommended limit)."""

_B64_CHUNK = 72
_FOLD = "\r\n "


def sign(raw: bytes, keys: Sequence[SigningKey], now: datetime) -> bytes:
    """``raw`` with one DKIM-Signature field per key prepended, in the order of ``keys``.

    ``raw`` may end its lines with CRLF or bare LF; the added fields use the message's own line
    ending (the signature is computed over the CRLF form, which is what goes on the wire).
    ``now`` is the signing time (``t=``). No keys: ``raw`` unchanged.
    """
    if not keys:
        return raw
    message = crlf(raw)
    fields, body = split_message(message)
    body_hash = base64.b64encode(hashlib.sha256(relaxed_body(body)).digest()).decode("ascii")
    names, signed_data = _selected(fields)
    timestamp = int(now.timestamp())
    added = [_signature_field(key, names, signed_data, body_hash, timestamp) for key in keys]
    text = "\r\n".join(added) + "\r\n"
    if message is not raw:  # the message uses bare LFs: so do the added fields
        text = text.replace("\r\n", "\n")
    return text.encode("ascii") + raw


def _selected(fields: Sequence[HeaderField]) -> tuple[list[str], bytes]:
    """The ``h=`` names and the canonical fields they cover, in that order."""
    by_key: dict[bytes, list[HeaderField]] = {}
    for field in fields:
        by_key.setdefault(field.key, []).append(field)
    names: list[str] = []
    data: list[bytes] = []
    for name in SIGNED_FIELDS:
        key = name.lower().encode("ascii")
        found = by_key.get(key, [])
        for field in reversed(found):  # several occurrences are signed from the bottom up
            names.append(name)
            data.append(relaxed_header(field))
        if key in OVERSIGNED_FIELDS:
            names.append(name)  # names a field that is not there: adding one breaks the signature
    return names, b"".join(data)


def _signature_field(
    key: SigningKey, names: Sequence[str], signed_data: bytes, body_hash: str, timestamp: int
) -> str:
    unsigned = _fold_tags(
        [
            "v=1;",
            f"a={key.algorithm.value};",
            "c=relaxed/relaxed;",
            f"d={key.domain};",
            f"s={key.selector};",
            f"t={timestamp};",
            _fold_names(names),
            f"bh={body_hash};",
            "b=",
        ]
    )
    own = relaxed_header(_as_field(unsigned)).removesuffix(b"\r\n")
    signature = _signature(key, signed_data + own)
    return unsigned + _fold_base64(signature, len(unsigned) - unsigned.rfind("\n") - 1)


def _as_field(text: str) -> HeaderField:
    name, _, value = text.encode("ascii").partition(b":")
    return HeaderField(name, value)


def _signature(key: SigningKey, data: bytes) -> str:
    private = key.private_key
    if isinstance(private, ed25519.Ed25519PrivateKey):
        # RFC 8463 §3: PureEdDSA over the SHA-256 hash of the data.
        raw = private.sign(hashlib.sha256(data).digest())
    else:
        raw = private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def _fold_tags(tags: Sequence[str]) -> str:
    """``DKIM-Signature: `` and the tags, joined by spaces, a new line where one would be long."""
    text = "DKIM-Signature:"
    column = len(text)
    for tag in tags:
        first = tag.split(_FOLD, 1)[0]
        if column + 1 + len(first) > LINE_LIMIT:
            text += _FOLD + tag
        else:
            text += " " + tag
        column = len(text) - text.rfind("\n") - 1
    return text


def _fold_names(names: Sequence[str]) -> str:
    """``h=From:To:…;`` broken after a colon before a line grows past the limit."""
    lines = ["h="]
    for index, name in enumerate(names):
        piece = name + (":" if index < len(names) - 1 else ";")
        if len(lines[-1]) + len(piece) > LINE_LIMIT - 1 and lines[-1] != "h=":
            lines.append("")
        lines[-1] += piece
    return _FOLD.join(lines)


def _fold_base64(value: str, column: int) -> str:
    """``value`` after ``b=`` (which ends at ``column``), broken into chunks on new lines."""
    first = LINE_LIMIT - column
    if first < _B64_CHUNK // 4:  # too little room left on the line: start on the next one
        return _FOLD + _FOLD.join(
            value[i : i + _B64_CHUNK] for i in range(0, len(value), _B64_CHUNK)
        )
    chunks = [value[:first]]
    chunks.extend(value[i : i + _B64_CHUNK] for i in range(first, len(value), _B64_CHUNK))
    return _FOLD.join(chunks)
