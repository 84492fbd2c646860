"""Statements of the send ledger (quota and statistics) and the send allowances (each account's
send-rate bucket and daily quota window, one row per account and region)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Insert,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from openses.domain.quota import Allowance, QuotaWindow
from openses.domain.sending import RateBucket
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.schema import send_counts, send_rates
from openses.storage.statements import Prepared, PreparedWrite, Statements

ON_SEND_COUNTS = Depends(send_counts)


def _sent(*, bounded: bool) -> Select[Any]:
    """Quota recipients of an account's ledger minutes from ``first_minute`` on (and, when
    ``bounded``, before ``end_minute``)."""
    conditions = [
        send_counts.c.account_id == bindparam("account_id"),
        send_counts.c.region == bindparam("region"),
        send_counts.c.minute >= bindparam("first_minute"),
    ]
    if bounded:
        conditions.append(send_counts.c.minute < bindparam("end_minute"))
    total = func.coalesce(func.sum(send_counts.c.quota_recipients), 0).label("sent")
    return select(total).where(*conditions)


_SENT_SINCE = Prepared(lambda postgres: _sent(bounded=False))
_SENT_BETWEEN = Prepared(lambda postgres: _sent(bounded=True))

_MINUTE_MS = 60_000
_COUNTERS = ("delivery_attempts", "quota_recipients", "bounces", "complaints", "rejects")
_COUNT_KEY = ("account_id", "region", "minute")
_RATE_KEY = ("account_id", "region")


def _dialect_insert(postgres: bool, table: Table) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if postgres else sqlite.insert(table)


def _add_counts(postgres: bool) -> Insert:
    statement = _dialect_insert(postgres, send_counts).values(
        {name: bindparam(name) for name in (*_COUNT_KEY, *_COUNTERS)}
    )
    return statement.on_conflict_do_update(
        index_elements=list(_COUNT_KEY),
        set_={name: send_counts.c[name] + statement.excluded[name] for name in _COUNTERS},
    )


_ADD_COUNTS = PreparedWrite(send_counts, _add_counts)
_CREATE_BUCKET = PreparedWrite(
    send_rates,
    lambda postgres: (
        _dialect_insert(postgres, send_rates)
        .values({name: bindparam(name) for name in (*_RATE_KEY, "tokens", "updated_at")})
        .on_conflict_do_nothing(index_elements=list(_RATE_KEY))
    ),
)
_LOCK_BUCKET = Prepared(
    lambda postgres: (
        select(
            send_rates.c.tokens,
            send_rates.c.updated_at,
            send_rates.c.window_start,
            send_rates.c.window_sent,
        )
        .where(
            send_rates.c.account_id == bindparam("account_id"),
            send_rates.c.region == bindparam("region"),
        )
        .with_for_update()
    )
)
# SQLAlchemy reserves the column names for the SET clause of an UPDATE: the key binds differ.
_SAVE_BUCKET = PreparedWrite(
    send_rates,
    lambda postgres: (
        update(send_rates)
        .where(
            send_rates.c.account_id == bindparam("key_account_id"),
            send_rates.c.region == bindparam("key_region"),
        )
        .values(
            tokens=bindparam("tokens"),
            updated_at=bindparam("updated_at"),
            window_start=bindparam("window_start"),
            window_sent=bindparam("window_sent"),
        )
    ),
)


class SendingStatements(Statements):
    """The quota, statistics and send-rate methods of the transaction."""

    async def add_send_counts(
        self,
        account_id: str,
        region: str,
        at: datetime,
        *,
        delivery_attempts: int = 0,
        quota_recipients: int = 0,
        bounces: int = 0,
        complaints: int = 0,
        rejects: int = 0,
    ) -> None:
        values = {
            "account_id": account_id,
            "region": region,
            "minute": rows.to_ms(at) // _MINUTE_MS * _MINUTE_MS,
            "delivery_attempts": delivery_attempts,
            "quota_recipients": quota_recipients,
            "bounces": bounces,
            "complaints": complaints,
            "rejects": rejects,
        }
        await self._write(_ADD_COUNTS, values)

    async def recipients_sent_since(self, account_id: str, region: str, since: datetime) -> int:
        """Quota recipients of the minutes that start at or after ``since``'s minute."""
        first_minute = rows.to_ms(since) // _MINUTE_MS * _MINUTE_MS

        async def load() -> int:
            found = await self._rows(
                _SENT_SINCE,
                {"account_id": account_id, "region": region, "first_minute": first_minute},
            )
            return int(found[0]["sent"])

        return await self._cached(
            ON_SEND_COUNTS, ("sent_since", account_id, region, first_minute), load
        )

    async def send_buckets(
        self, account_id: str, region: str, since: datetime, bucket_seconds: int
    ) -> list[tuple[datetime, int, int, int, int]]:
        """(start, delivery attempts, bounces, complaints, rejects) per epoch-aligned bucket."""
        if bucket_seconds <= 0 or bucket_seconds % 60:
            raise ValueError(f"bucket_seconds must be whole minutes, not {bucket_seconds}")
        width = literal_column(str(int(bucket_seconds) * 1000), BigInteger)
        bucket = (send_counts.c.minute - send_counts.c.minute % width).label("bucket")
        result = await self._conn.execute(
            select(
                bucket,
                func.sum(send_counts.c.delivery_attempts),
                func.sum(send_counts.c.bounces),
                func.sum(send_counts.c.complaints),
                func.sum(send_counts.c.rejects),
            )
            .where(
                send_counts.c.account_id == account_id,
                send_counts.c.region == region,
                send_counts.c.minute >= rows.to_ms(since),
            )
            .group_by(bucket)
            .order_by(bucket)
        )
        return [
            (rows.from_ms(int(start)), int(sent), int(bounced), int(complained), int(rejected))
            for start, sent, bounced, complained, rejected in result.all()
        ]

    async def quota_recipients_between(
        self, account_id: str, region: str, first_minute: int, end_minute: int
    ) -> int:
        """Quota recipients of the ledger's minutes from ``first_minute`` up to, not
        including, ``end_minute`` (epoch ms)."""
        found = await self._rows(
            _SENT_BETWEEN,
            {
                "account_id": account_id,
                "region": region,
                "first_minute": first_minute,
                "end_minute": end_minute,
            },
        )
        return int(found[0]["sent"])

    async def lock_allowance(self, account_id: str, region: str, initial: RateBucket) -> Allowance:
        """The account's allowance in the region, locked until the transaction ends.

        A missing one is created with the bucket ``initial`` (and no window), and then locked
        as an existing one, so that concurrent first sends on PostgreSQL queue on the same row
        lock (SQLite's write lock already serializes them).
        """
        key = {"account_id": account_id, "region": region}
        row = await self._row(_LOCK_BUCKET, key)
        if row is None:
            await self._write(
                _CREATE_BUCKET, {**key, "tokens": initial.tokens, "updated_at": initial.updated_ms}
            )
            row = await self._row(_LOCK_BUCKET, key)
            assert row is not None  # created just above, or by a concurrent first send
        bucket = RateBucket(float(row["tokens"]), int(row["updated_at"]))
        start, sent = row["window_start"], row["window_sent"]
        window = None if start is None or sent is None else QuotaWindow(int(start), int(sent))
        return Allowance(bucket, window)

    async def save_allowance(self, account_id: str, region: str, allowance: Allowance) -> None:
        window = allowance.window
        await self._write(
            _SAVE_BUCKET,
            {
                "key_account_id": account_id,
                "key_region": region,
                "tokens": allowance.bucket.tokens,
                "updated_at": allowance.bucket.updated_ms,
                "window_start": None if window is None else window.start,
                "window_sent": None if window is None else window.sent,
            },
        )
