"""The daily quota over the rolling 24 hours, kept as a running total with the rate bucket:
the window slides minute by minute, sums the ledger once when it was never counted, and
starts over if the clock goes back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from openses.domain.accounts import Account
from openses.domain.identities import Identity, IdentityKind, VerificationStatus, VerifiedBy
from openses.services.accounts import AccountsService
from openses.services.errors import Throttled
from openses.services.send_requests import raw_submission
from openses.services.sending import SendingService
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, root_call

ACCOUNT = "111122223333"
REGION = "us-east-1"
MESSAGE = b"From: app@quota.example\r\nTo: r@example.net\r\nSubject: q\r\n\r\nbody\r\n"


async def _account(store: SqlStore, max_24_hour_send: float) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(
            Account(
                ACCOUNT,
                T0 - timedelta(days=30),
                production=True,
                max_24_hour_send=max_24_hour_send,
                max_send_rate=1_000,
            )
        )
        await tx.put_identity(
            Identity(
                ACCOUNT,
                REGION,
                "quota.example",
                IdentityKind.DOMAIN,
                VerificationStatus.SUCCESS,
                "token",
                T0 - timedelta(days=30),
                T0 - timedelta(days=30),
                verified_at=T0 - timedelta(days=30),
                verified_by=VerifiedBy.OPERATOR,
            )
        )


async def _send(service: SendingService, now: datetime, recipients: int = 1) -> None:
    submission = raw_submission(
        MESSAGE,
        actions=("ses:SendRawEmail",),
        api_version="1",
        size_limit=10 * 1024 * 1024,
        destinations=[f"r{index}@example.net" for index in range(recipients)],
    )
    await service.accept(root_call(ACCOUNT, now=now), submission)


async def _refused(service: SendingService, now: datetime) -> bool:
    """Whether one more recipient at ``now`` is refused for the daily quota."""
    try:
        await _send(service, now)
    except Throttled as refusal:
        return refusal.daily
    return False


@pytest.fixture
async def service(store: SqlStore) -> SendingService:
    return SendingService(store, AccountsService(store))


async def test_the_quota_frees_as_the_day_rolls_by_minute(
    store: SqlStore, service: SendingService
) -> None:
    await _account(store, max_24_hour_send=3)
    await _send(service, T0)  # minute 0
    await _send(service, T0 + timedelta(minutes=10), recipients=2)  # minute 10: 3 sent
    assert await _refused(service, T0 + timedelta(hours=23, minutes=59))
    # 24 h after minute 0's end, minute 0 has left the window: one recipient frees up.
    assert not await _refused(service, T0 + timedelta(hours=24, minutes=1))
    assert await _refused(service, T0 + timedelta(hours=24, minutes=2))
    # Minute 10 leaves too: two more.
    await _send(service, T0 + timedelta(hours=24, minutes=11), recipients=2)
    assert await _refused(service, T0 + timedelta(hours=24, minutes=11, seconds=30))


async def test_a_long_pause_empties_the_window(store: SqlStore, service: SendingService) -> None:
    await _account(store, max_24_hour_send=2)
    await _send(service, T0, recipients=2)
    assert await _refused(service, T0 + timedelta(hours=1))
    await _send(service, T0 + timedelta(days=9), recipients=2)
    assert await _refused(service, T0 + timedelta(days=9, seconds=1))


async def test_a_window_never_counted_is_summed_from_the_ledger(
    store: SqlStore, service: SendingService
) -> None:
    """As after migration 0010: the ledger holds today's sends, the allowance no window."""
    await _account(store, max_24_hour_send=3)
    async with store.transaction() as tx:
        await tx.add_send_counts(ACCOUNT, REGION, T0 - timedelta(hours=2), quota_recipients=2)
        await tx.add_send_counts(ACCOUNT, REGION, T0 - timedelta(hours=30), quota_recipients=9)
    await _send(service, T0)
    assert await _refused(service, T0 + timedelta(seconds=1))


async def test_a_clock_gone_back_recounts(store: SqlStore, service: SendingService) -> None:
    await _account(store, max_24_hour_send=2)
    await _send(service, T0 + timedelta(hours=30))
    # Another node's clock is behind: the window is recounted for its day, not trusted.
    await _send(service, T0)
    assert await _refused(service, T0 + timedelta(seconds=1))
    assert not await _refused(service, T0 + timedelta(hours=25))
