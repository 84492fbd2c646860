"""The service's own signature on outgoing mail, as SES adds ``d=amazonses.com``, and its
``Feedback-ID`` header.

SES signs every message it sends twice when the identity signs: with the identity's key, and
with its own (``d=amazonses.com``); and it adds ``Feedback-ID: 1.<region>.<tag>:AmazonSES``,
the header Gmail's feedback loop reports complaint rates by. An operator who gives OpenSES a
signing domain (``--service-dkim-domain``) gets the same: :class:`ServiceSignature` is that
domain, selector and key, and :meth:`ServiceSignature.feedback_id` the header value for one
sending account in one region.

The tag identifies the *sending* account (for a delegate's send, the delegate: the account the
complaint is attributed to) without naming it: it is an HMAC of the account id under a secret
derived from the service's private key, so the same account always gets the same tag under
one key, and nobody without the key can tell which account a tag stands for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import serialization

from openses.domain.dkim.keys import PrivateKey, SigningKey, public_key_record

FEEDBACK_ID_FIELD: Final = "Feedback-ID"
FEEDBACK_ID_SENDER: Final = "OpenSES"
"""The last part of the header (Gmail's "SenderId"; SES writes ``AmazonSES``)."""
FEEDBACK_ID_VERSION: Final = "1"
_TAG_CONTEXT: Final = b"openses feedback-id tag key v1"


@dataclass(frozen=True, slots=True)
class ServiceSignature:
    """The service's signing domain, selector and key, and the secret its tags are made with."""

    key: SigningKey
    tag_secret: bytes

    @property
    def record_name(self) -> str:
        """Where the public key must be published (a TXT record)."""
        return f"{self.key.selector}._domainkey.{self.key.domain}"

    @property
    def record_value(self) -> str:
        return public_key_record(self.key.private_key)

    def feedback_id(self, region: str, account_id: str) -> str:
        """``Feedback-ID`` of a message sent by ``account_id`` in ``region``."""
        digest = hmac.new(self.tag_secret, account_id.encode("ascii"), hashlib.sha256).digest()
        tag = base64.b64encode(digest).decode("ascii")
        return f"{FEEDBACK_ID_VERSION}.{region}.{tag}:{FEEDBACK_ID_SENDER}"


def service_signature(domain: str, selector: str, private_key: PrivateKey) -> ServiceSignature:
    """The signature of ``domain`` with ``selector``; its tag secret is derived from the key."""
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    secret = hmac.new(der, _TAG_CONTEXT, hashlib.sha256).digest()
    return ServiceSignature(SigningKey(domain, selector, private_key), secret)
