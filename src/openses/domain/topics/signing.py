"""Signing SNS messages: ``SignatureVersion`` 1 is SHA1withRSA, 2 is SHA256withRSA.

RSA PKCS#1 v1.5 signatures are deterministic, so signing is pure: the same key and text give
the same signature. The key and certificate are made or loaded at the edge
(:mod:`openses.outbound.signing_keys`); the certificate is served at ``cert_url``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from openses.domain.topics.messages import OutgoingMessage, json_body, string_to_sign

SIGNATURE_VERSIONS: Final = ("1", "2")
DEFAULT_SIGNATURE_VERSION: Final = "1"


def _hash(version: str) -> hashes.HashAlgorithm:
    if version == "1":
        return hashes.SHA1()  # noqa: S303 — SNS's SignatureVersion 1 is SHA1withRSA
    if version == "2":
        return hashes.SHA256()
    raise ValueError(f"unknown SNS signature version {version!r}")


@dataclass(frozen=True, slots=True)
class MessageSigner:
    """The signing key, and where its certificate is published."""

    key: rsa.RSAPrivateKey
    cert_url: str

    def signature(self, message: OutgoingMessage, version: str) -> str:
        """The base64 ``Signature`` of ``message`` under ``version``."""
        signed = self.key.sign(string_to_sign(message), padding.PKCS1v15(), _hash(version))
        return base64.b64encode(signed).decode("ascii")

    def body(self, message: OutgoingMessage, version: str) -> str:
        """The signed JSON body of ``message``."""
        return json_body(
            message,
            signature_version=version,
            signature=self.signature(message, version),
            cert_url=self.cert_url,
        )
