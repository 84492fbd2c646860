"""The daily quota's rolling 24 hours, kept as a running total.

SES counts a sending account's recipients over the last 24 hours (``SentLast24Hours``). The
store's ledger counts them per minute; summing a day of it on every send would cost a
thousand rows once an account sends around the clock. So each account and region keeps a
:class:`QuotaWindow` with its rate bucket (they are locked and saved together): the
recipients counted from the window's first minute on. A send moves the window to the rolling
day's first minute (:func:`rolling_day_start`), subtracting the ledger minutes that left it,
usually none or one, and adds its own recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from openses.domain.sending import RateBucket

MINUTE_MS = 60_000
DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def minute_ms(moment: datetime) -> int:
    """Epoch milliseconds of the start of ``moment``'s minute (the ledger's resolution)."""
    return (moment - _EPOCH) // _MILLISECOND // MINUTE_MS * MINUTE_MS


def rolling_day_start(now: datetime) -> int:
    """The first ledger minute of the 24 hours before ``now``: the minute of ``now - 24 h``
    counts whole, as the ledger cannot tell its seconds apart."""
    return minute_ms(now - DAY)


@dataclass(frozen=True, slots=True)
class QuotaWindow:
    """Quota recipients counted in the ledger from minute ``start`` (epoch ms) on."""

    start: int
    sent: int

    def added(self, recipients: int) -> QuotaWindow:
        return QuotaWindow(self.start, self.sent + recipients)


@dataclass(frozen=True, slots=True)
class Allowance:
    """What limits a sending account's next send in a region: its send-rate bucket and its
    daily quota window (``None``: not counted yet; the ledger is summed once)."""

    bucket: RateBucket
    window: QuotaWindow | None = None
