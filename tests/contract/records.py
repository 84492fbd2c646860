"""Record builders for the storage contract tests: valid records with every field settable.

Times are whole milliseconds, the precision the store keeps.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from openses.domain.accounts import AccessKey, Account, IamUser, UserPolicy
from openses.domain.identities import (
    Identity,
    IdentityKind,
    IdentityPolicy,
    VerificationStatus,
    VerifiedBy,
)
from openses.domain.outbox import CapturedMessage, MessageKind

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def account(account_id: str = ACCOUNT, **changes: Any) -> Account:
    return replace(Account(account_id, T0), **changes)


def user(name: str, account_id: str = ACCOUNT, path: str = "/", **changes: Any) -> IamUser:
    user_id = f"AIDA{account_id}{name.upper()}"[:32]
    return replace(IamUser(account_id, name, path, user_id, T0), **changes)


def access_key(key_id: str, account_id: str = ACCOUNT, **changes: Any) -> AccessKey:
    return replace(AccessKey(key_id, f"secret/{key_id}+0000", account_id, T0), **changes)


def user_policy(
    user_name: str, name: str, document: str = '{"Version":"2012-10-17"}'
) -> UserPolicy:
    return UserPolicy(ACCOUNT, user_name, name, document)


def domain(
    name: str,
    account_id: str = ACCOUNT,
    region: str = REGION,
    *,
    status: VerificationStatus = VerificationStatus.PENDING,
    started: datetime = T0,
    token: str | None = None,
) -> Identity:
    return Identity(
        account_id=account_id,
        region=region,
        name=name,
        kind=IdentityKind.DOMAIN,
        status=status,
        token=token or f"token-{account_id}-{region}-{name}",
        created_at=T0,
        verification_started_at=started,
    )


def address(name: str, account_id: str = ACCOUNT, region: str = REGION) -> Identity:
    return Identity(
        account_id=account_id,
        region=region,
        name=name,
        kind=IdentityKind.EMAIL_ADDRESS,
        status=VerificationStatus.SUCCESS,
        token=f"link-{name}",
        created_at=T0,
        verification_started_at=at(1),
        verified_at=at(60.5),
        verified_by=VerifiedBy.LINK,
    )


def identity_policy(
    identity: str, name: str, region: str = REGION, document: str = "{}"
) -> IdentityPolicy:
    return IdentityPolicy(ACCOUNT, region, identity, name, document, at(5))


def message(
    message_id: str,
    *,
    created_at: datetime = T0,
    kind: MessageKind = MessageKind.SEND,
    account_id: str = ACCOUNT,
    region: str = REGION,
    source: str = "sender@example.com",
    recipients: tuple[str, ...] = ("to@example.net",),
    identity_arns: tuple[str, ...] = (),
    raw: bytes = b"Subject: hi\r\n\r\nbody\r\n",
    **changes: Any,
) -> CapturedMessage:
    built = CapturedMessage(
        message_id=message_id,
        kind=kind,
        region=region,
        account_id=account_id,
        created_at=created_at,
        source=source,
        recipients=recipients,
        subject="hi",
        raw=raw,
        identity_arns=identity_arns,
    )
    return replace(built, **changes)


def identity_arn(name: str, account_id: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:ses:{region}:{account_id}:identity/{name}"
