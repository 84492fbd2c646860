"""Charging one accepted message to the sending account's daily quota and send rate.

The rolling 24-hour window of :mod:`openses.domain.quota`, the token bucket of
:class:`~openses.domain.sending.RateBucket` and the per-minute ledger, for every message an
account sends: sends (:class:`~openses.services.sending.SendingService`) and custom
verification emails. It runs in the caller's write transaction, which stores the message, so a
refusal stores nothing.
"""

from __future__ import annotations

from openses.domain.accounts import Account
from openses.domain.quota import DAY, Allowance, QuotaWindow, rolling_day_start
from openses.domain.sending import RateBucket, daily_quota_left, is_simulator
from openses.services.errors import Throttled
from openses.services.ports import Tx
from openses.services.principals import Call


async def charge(tx: Tx, call: Call, account: Account, recipients: tuple[str, ...]) -> None:
    """Take ``recipients`` from the account's rate bucket and add them (simulator addresses
    aside) to its daily quota and statistics; ``Throttled`` when either is used up."""
    now_ms = int(call.now.timestamp() * 1000)
    counted = sum(1 for recipient in recipients if not is_simulator(recipient))
    allowance = await tx.lock_allowance(
        call.account_id, call.region, RateBucket.full(account.max_send_rate, now_ms)
    )
    window = await _rolled(tx, call, allowance.window)
    if not daily_quota_left(account.max_24_hour_send, window.sent):
        raise Throttled("Daily message quota exceeded.", daily=True)
    taken = allowance.bucket.take(account.max_send_rate, now_ms, len(recipients))
    if taken is None:
        raise Throttled("Maximum sending rate exceeded.", daily=False)
    await tx.save_allowance(call.account_id, call.region, Allowance(taken, window.added(counted)))
    await tx.add_send_counts(
        call.account_id,
        call.region,
        call.now,
        delivery_attempts=len(recipients),
        quota_recipients=counted,
    )


async def _rolled(tx: Tx, call: Call, window: QuotaWindow | None) -> QuotaWindow:
    """The quota window moved to the rolling 24 hours before ``call.now`` (see
    :mod:`openses.domain.quota`): the ledger minutes that left it subtracted, or, never counted
    (or the clock went back), the day summed from the ledger once."""
    start = rolling_day_start(call.now)
    if window is None or window.start > start:
        since = await tx.recipients_sent_since(call.account_id, call.region, call.now - DAY)
        return QuotaWindow(start, since)
    if window.start == start:
        return window
    left = await tx.quota_recipients_between(call.account_id, call.region, window.start, start)
    return QuotaWindow(start, window.sent - left)
