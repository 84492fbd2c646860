"""Statements of the send ledger (quota and statistics) and the send-rate buckets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, bindparam, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite

from openses.domain.sending import RateBucket
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.schema import send_counts, send_rates
from openses.storage.statements import Prepared, Statements

ON_SEND_COUNTS = Depends(send_counts)

_SENT_SINCE = Prepared(
    lambda postgres: select(
        func.coalesce(func.sum(send_counts.c.quota_recipients), 0).label("sent")
    ).where(
        send_counts.c.account_id == bindparam("account_id"),
        send_counts.c.region == bindparam("region"),
        send_counts.c.minute >= bindparam("first_minute"),
    )
)

_MINUTE_MS = 60_000
_COUNTERS = ("delivery_attempts", "quota_recipients", "bounces", "complaints", "rejects")


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
        dialect = postgresql if self._postgres else sqlite
        statement = dialect.insert(send_counts).values(values)
        await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=["account_id", "region", "minute"],
                set_={name: send_counts.c[name] + statement.excluded[name] for name in _COUNTERS},
            )
        )

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

    async def lock_rate_bucket(
        self, account_id: str, region: str, initial: RateBucket
    ) -> RateBucket:
        """The account's bucket in the region, locked until the transaction ends.

        A missing bucket is created as ``initial`` first, so that concurrent first sends on
        PostgreSQL queue on the same row lock (SQLite's write lock already serializes them).
        """
        dialect = postgresql if self._postgres else sqlite
        await self._conn.execute(
            dialect.insert(send_rates)
            .values(
                account_id=account_id,
                region=region,
                tokens=initial.tokens,
                updated_at=initial.updated_ms,
            )
            .on_conflict_do_nothing(index_elements=["account_id", "region"])
        )
        result = await self._conn.execute(
            select(send_rates.c.tokens, send_rates.c.updated_at)
            .where(send_rates.c.account_id == account_id, send_rates.c.region == region)
            .with_for_update()
        )
        tokens, updated = result.one()
        return RateBucket(float(tokens), int(updated))

    async def save_rate_bucket(self, account_id: str, region: str, bucket: RateBucket) -> None:
        await self._conn.execute(
            update(send_rates)
            .where(send_rates.c.account_id == account_id, send_rates.c.region == region)
            .values(tokens=bucket.tokens, updated_at=bucket.updated_ms)
        )
