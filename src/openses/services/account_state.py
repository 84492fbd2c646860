"""An account's sending state in a region: quota, statistics and the sending switches.

Figures are the calling account's own: when a delegate sends as someone else's identity, the
recipients count against the delegate (the account that sent), never the identity's owner.
Sending is enabled in a region unless the account turned it off there
(UpdateAccountSendingEnabled / PutAccountSendingAttributes) or the operator paused the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from openses.domain.accounts import Account
from openses.services.errors import NotFound, SendingPaused
from openses.services.ports import Store, Tx
from openses.services.principals import Call

STATISTICS_WINDOW = timedelta(days=14)
STATISTICS_BUCKET_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class SendQuota:
    max_24_hour_send: float
    max_send_rate: float
    sent_last_24_hours: float


@dataclass(frozen=True, slots=True)
class SendDataPoint:
    timestamp: datetime
    delivery_attempts: int
    bounces: int = 0
    complaints: int = 0
    rejects: int = 0


@dataclass(frozen=True, slots=True)
class AccountDetails:
    quota: SendQuota
    production_access: bool
    sending_enabled: bool  # in this region, both switches considered
    paused_by_operator: bool


class AccountStateService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def quota(self, call: Call) -> SendQuota:
        async with self.store.transaction(read_only=True) as tx:
            return await _quota(tx, call, await _account(tx, call))

    async def statistics(self, call: Call) -> list[SendDataPoint]:
        """15-minute buckets over the last two weeks, oldest first, empty buckets left out."""
        async with self.store.transaction(read_only=True) as tx:
            buckets = await tx.send_buckets(
                call.account_id,
                call.region,
                call.now - STATISTICS_WINDOW,
                STATISTICS_BUCKET_SECONDS,
            )
        return [SendDataPoint(*bucket) for bucket in buckets]

    async def sending_enabled(self, call: Call) -> bool:
        async with self.store.transaction(read_only=True) as tx:
            return await _sending_enabled(tx, call, await _account(tx, call))

    async def set_sending_enabled(self, call: Call, enabled: bool) -> None:
        async with self.store.transaction() as tx:
            await tx.set_region_sending(call.account_id, call.region, enabled)

    async def details(self, call: Call) -> AccountDetails:
        async with self.store.transaction(read_only=True) as tx:
            account = await _account(tx, call)
            return AccountDetails(
                quota=await _quota(tx, call, account),
                production_access=account.production,
                sending_enabled=await _sending_enabled(tx, call, account),
                paused_by_operator=not account.sending_enabled,
            )


async def _account(tx: Tx, call: Call) -> Account:
    account = await tx.get_account(call.account_id)
    if account is None:
        raise NotFound(f"Account {call.account_id} does not exist.")
    return account


async def _quota(tx: Tx, call: Call, account: Account) -> SendQuota:
    since = call.now - timedelta(hours=24)
    sent = await tx.recipients_sent_since(call.account_id, call.region, since)
    return SendQuota(account.max_24_hour_send, account.max_send_rate, float(sent))


async def _sending_enabled(tx: Tx, call: Call, account: Account) -> bool:
    """The account's own switch for this region (on unless set) and the operator's switch."""
    region_switch = await tx.get_region_sending(call.account_id, call.region)
    own = True if region_switch is None else region_switch
    return own and account.sending_enabled


def refuse_if_paused(account: Account, region_enabled: bool) -> None:
    """SES's refusal of a send by an account whose sending is off: everywhere (the operator
    paused it, or the account turned it off), or in the call's region (``region_enabled``)."""
    if not account.sending_enabled:
        raise SendingPaused("Email sending is disabled for this account.")
    if not region_enabled:
        raise SendingPaused("Email sending is disabled for this account in this region.")
