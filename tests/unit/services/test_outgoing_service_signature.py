"""What leaves with the operator's service signature on (``--service-dkim-domain``): the
identity's DKIM signature first, the service's after it, both valid for a receiver; a
``Feedback-ID`` for the *sending* account, unless the client wrote its own; forwarded feedback
signed by the service alone. Without it, messages leave as before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import dkim
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from openses.domain.dkim import SigningKey, public_key_record
from openses.domain.dkim.service import ServiceSignature, service_signature
from openses.services.outgoing import OutgoingMessages

MESSAGE_ID = "0100019ab2c3d4e5-8e1938ce-475e-4e4b-89cb-5f0a2b3c4d5e-000000"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OWNER, DELEGATE = "111122223333", "444455556666"
MESSAGE = (
    b"From: News <news@owner.example>\r\nTo: r@dest.example\r\nBcc: hidden@dest.example\r\n"
    b"Subject: hello\r\n\r\nbody\r\n"
)


@pytest.fixture(scope="module")
def identity_key() -> SigningKey:
    return SigningKey("owner.example", "tok1", rsa.generate_private_key(65537, 1024))


@pytest.fixture(scope="module")
def service() -> ServiceSignature:
    return service_signature(
        "mail.platform.example", "openses", rsa.generate_private_key(65537, 1024)
    )


def outgoing(identity_key: SigningKey, service: ServiceSignature | None) -> OutgoingMessages:
    async def keys_for(owner: str, region: str, from_address: str) -> Sequence[SigningKey]:
        return (identity_key,) if owner == OWNER else ()

    return OutgoingMessages(bounce_domain="bounces.example", keys_for=keys_for, service=service)


def signatures(data: bytes, keys: Sequence[SigningKey]) -> list[tuple[bytes, bool]]:
    """Each DKIM-Signature's ``d=`` in order, and whether dkimpy finds it valid."""
    records = {
        f"{key.selector}._domainkey.{key.domain}.".encode(): public_key_record(
            key.private_key
        ).encode()
        for key in keys
    }
    found = []
    for index in range(data.count(b"DKIM-Signature:")):
        verifier = dkim.DKIM(data)
        valid = bool(verifier.verify(idx=index, dnsfunc=lambda name, timeout=5: records.get(name)))
        found.append((verifier.domain, valid))
    return found


def header(data: bytes) -> bytes:
    return data.split(b"\r\n\r\n", 1)[0]


async def prepare(messages: OutgoingMessages, raw: bytes = MESSAGE, **extra: object) -> bytes:
    arguments: dict[str, object] = {
        "message_id": MESSAGE_ID,
        "raw": raw,
        "owner_account": OWNER,
        "region": "eu-west-1",
        "now": NOW,
        "sending_account": DELEGATE,
        **extra,
    }
    return (await messages.prepare(**arguments)).data  # type: ignore[arg-type]


async def test_identity_then_service_signature_and_the_delegates_feedback_id(
    identity_key: SigningKey, service: ServiceSignature
) -> None:
    data = await prepare(outgoing(identity_key, service))
    assert signatures(data, [identity_key, service.key]) == [
        (b"owner.example", True),
        (b"mail.platform.example", True),
    ]
    expected = service.feedback_id("eu-west-1", DELEGATE)
    assert header(data).count(b"Feedback-ID:") == 1
    assert f"Feedback-ID: {expected}".encode() in header(data)
    assert b"Bcc:" not in data


async def test_both_signatures_cover_the_feedback_id(
    identity_key: SigningKey, service: ServiceSignature
) -> None:
    data = await prepare(outgoing(identity_key, service))
    tampered = data.replace(b"Feedback-ID: 1.", b"Feedback-ID: 2.")
    assert [valid for _, valid in signatures(tampered, [identity_key, service.key])] == [
        False,
        False,
    ]


async def test_the_clients_own_feedback_id_is_kept(
    identity_key: SigningKey, service: ServiceSignature
) -> None:
    raw = MESSAGE.replace(b"Subject:", b"Feedback-ID: c1:cust:news:App\r\nSubject:")
    data = await prepare(outgoing(identity_key, service), raw)
    assert header(data).count(b"Feedback-ID:") == 1
    assert b"Feedback-ID: c1:cust:news:App" in header(data)


async def test_an_identity_that_does_not_sign_gets_the_service_signature_alone(
    identity_key: SigningKey, service: ServiceSignature
) -> None:
    data = await prepare(outgoing(identity_key, service), owner_account="999999999999")
    assert signatures(data, [service.key]) == [(b"mail.platform.example", True)]


async def test_forwarded_feedback_is_signed_by_the_service_only(
    identity_key: SigningKey, service: ServiceSignature
) -> None:
    prepared = await outgoing(identity_key, service).prepare(
        message_id="0100-fb",
        raw=MESSAGE,
        owner_account=None,
        region="eu-west-1",
        now=NOW,
        generated=True,
    )
    assert prepared.mail_from == ""
    assert signatures(prepared.data, [service.key]) == [(b"mail.platform.example", True)]
    assert b"Feedback-ID" not in prepared.data


async def test_without_the_service_signature_nothing_changes(identity_key: SigningKey) -> None:
    data = await prepare(outgoing(identity_key, None))
    assert signatures(data, [identity_key]) == [(b"owner.example", True)]
    assert b"Feedback-ID" not in data
