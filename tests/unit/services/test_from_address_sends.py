"""Sends judged by their From address.

A send is refused while the From identity's custom MAIL FROM setup is not verified and says
``RejectMessage`` (§6.7): the governing identity is the most specific verified identity that
covers the From address, of the caller's account, or of the From ARN's owner. A display name
that cannot be decoded is taken as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from openses.domain.accounts import Account
from openses.domain.feedback_settings import BehaviorOnMxFailure, MailFromSettings, MailFromStatus
from openses.domain.identities import Identity, IdentityKind, VerificationStatus, VerifiedBy
from openses.services.accounts import AccountsService
from openses.services.errors import MailFromDomainNotVerified
from openses.services.send_requests import Arns, raw_submission
from openses.services.sending import SendingService
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, root_call

ACCOUNT = "111122223333"
REGION = "us-east-1"
DOMAIN = "mailfrom.example"
SENDER = f"app@{DOMAIN}"
MESSAGE = f"From: {SENDER}\r\nTo: r@example.net\r\nSubject: m\r\n\r\nbody\r\n".encode()


@dataclass(frozen=True)
class Case:
    """The identities verified (name -> its MAIL FROM setup: behaviour and status, or None for
    none), whether the From address is sent through its ARN, and whether the send is refused."""

    identities: dict[str, tuple[BehaviorOnMxFailure, MailFromStatus] | None]
    through_arn: bool
    refused: bool


REJECT, DEFAULT = BehaviorOnMxFailure.REJECT_MESSAGE, BehaviorOnMxFailure.USE_DEFAULT_VALUE
PENDING, SUCCESS = MailFromStatus.PENDING, MailFromStatus.SUCCESS

CASES = {
    "domain rejects while pending": Case({DOMAIN: (REJECT, PENDING)}, False, True),
    "domain rejects while pending, From ARN": Case({DOMAIN: (REJECT, PENDING)}, True, True),
    "domain rejects, setup verified": Case({DOMAIN: (REJECT, SUCCESS)}, False, False),
    "domain falls back to the default": Case({DOMAIN: (DEFAULT, PENDING)}, False, False),
    "no MAIL FROM setup": Case({DOMAIN: None}, True, False),
    "the address identity governs, without a setup": Case(
        {DOMAIN: (REJECT, PENDING), SENDER: None}, False, False
    ),
    "the address identity governs, From ARN": Case(
        {DOMAIN: (REJECT, PENDING), SENDER: None}, True, False
    ),
    "the address identity's own setup rejects": Case(
        {DOMAIN: None, SENDER: (REJECT, PENDING)}, True, True
    ),
}


async def _world(store: SqlStore, case: Case) -> None:
    past = T0 - timedelta(days=1)
    async with store.transaction() as tx:
        await tx.insert_account(
            Account(ACCOUNT, past, production=True, max_24_hour_send=1e6, max_send_rate=1e3)
        )
        for name, setup in case.identities.items():
            kind = IdentityKind.EMAIL_ADDRESS if "@" in name else IdentityKind.DOMAIN
            await tx.put_identity(
                Identity(
                    ACCOUNT,
                    REGION,
                    name,
                    kind,
                    VerificationStatus.SUCCESS,
                    "token",
                    past,
                    past,
                    verified_at=past,
                    verified_by=VerifiedBy.OPERATOR,
                )
            )
            if setup is not None:
                behavior, status = setup
                await tx.put_mail_from(
                    MailFromSettings(
                        ACCOUNT,
                        REGION,
                        name,
                        f"bounce.{DOMAIN}",
                        behavior,
                        status,
                        window_started_at=past,
                    )
                )


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_a_rejecting_mail_from_setup_refuses_the_send(store: SqlStore, case: Case) -> None:
    await _world(store, case)
    arns = Arns()
    if case.through_arn:
        arns = Arns(source=f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{DOMAIN}")
    submission = raw_submission(
        MESSAGE,
        actions=("ses:SendRawEmail",),
        api_version="1",
        size_limit=10 * 1024 * 1024,
        arns=arns,
    )
    service = SendingService(store, AccountsService(store))
    if case.refused:
        with pytest.raises(MailFromDomainNotVerified, match=f"bounce.{DOMAIN}"):
            await service.accept(root_call(ACCOUNT), submission)
    else:
        assert (await service.accept(root_call(ACCOUNT), submission)).message_id


@pytest.mark.parametrize("charset", ["hex", "base64", "zlib", "rot13", "idna"])
async def test_a_from_name_in_a_codec_that_is_no_charset_is_sent_as_written(
    store: SqlStore, charset: str
) -> None:
    """Such an encoded-word stays as written (it once raised, answering a send with a 500)."""
    await _world(store, Case({DOMAIN: None}, False, False))
    raw = MESSAGE.replace(
        f"From: {SENDER}".encode(), f"From: =?{charset}?Q?41?= <{SENDER}>".encode()
    )
    submission = raw_submission(
        raw, actions=("ses:SendRawEmail",), api_version="1", size_limit=10 * 1024 * 1024
    )
    service = SendingService(store, AccountsService(store))
    assert (await service.accept(root_call(ACCOUNT), submission)).message_id
