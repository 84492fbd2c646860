"""Statements of the delivery queue and of message events.

Claiming is one ``UPDATE … WHERE job_id IN (SELECT … LIMIT n) RETURNING``: on PostgreSQL the
inner select takes ``FOR UPDATE SKIP LOCKED``, so concurrent workers (other processes, other
machines) each get different jobs without waiting for one another; on SQLite the statement runs
under the single writer lock, which gives the same guarantee. Taking messages to plan is the
same shape (``DELETE … RETURNING`` of their ``unplanned_messages`` rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from openses.domain.message_events import RecordedEvent
from openses.domain.queue import ClaimedJob, DeliveryJob, Unplanned
from openses.storage import rows
from openses.storage.schema import delivery_jobs, message_events, messages, unplanned_messages
from openses.storage.statements import PreparedWrite, Statements, is_duplicate_key

_INSERT_JOB = PreparedWrite(
    delivery_jobs,
    lambda postgres: insert(delivery_jobs).values(
        {column.name: bindparam(column.name) for column in delivery_jobs.columns}
    ),
)
_QUEUE_FOR_PLANNING = PreparedWrite(
    unplanned_messages,
    lambda postgres: insert(unplanned_messages).values(message_id=bindparam("message_id")),
)
_INSERT_EVENT = PreparedWrite(
    message_events,
    lambda postgres: insert(message_events).values(
        {column.name: bindparam(column.name) for column in message_events.columns}
    ),
)


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else rows.to_ms(moment)


def _job_values(job: DeliveryJob) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "message_id": job.message_id,
        "account_id": job.account_id,
        "region": job.region,
        "domain": job.domain,
        "recipients": rows.json_text(list(job.recipients)),
        "run_at": rows.to_ms(job.run_at),
        "created_at": rows.to_ms(job.created_at),
        "attempts": job.attempts,
        "first_attempt_at": _ms(job.first_attempt_at),
        "lease_owner": job.lease_owner,
        "lease_until": _ms(job.lease_until),
    }


def _job(row: Any) -> DeliveryJob:
    return DeliveryJob(
        job_id=row["job_id"],
        message_id=row["message_id"],
        account_id=row["account_id"],
        region=row["region"],
        domain=row["domain"],
        recipients=rows.json_string_list(row["recipients"]),
        run_at=rows.from_ms(row["run_at"]),
        created_at=rows.from_ms(row["created_at"]),
        attempts=row["attempts"],
        first_attempt_at=(
            None if row["first_attempt_at"] is None else rows.from_ms(row["first_attempt_at"])
        ),
        lease_owner=row["lease_owner"],
        lease_until=None if row["lease_until"] is None else rows.from_ms(row["lease_until"]),
    )


def _event_values(event: RecordedEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "message_id": event.message_id,
        "account_id": event.account_id,
        "region": event.region,
        "event_type": event.event_type,
        "at": rows.to_ms(event.at),
        "recipients": rows.json_text(list(event.recipients)),
        "detail": rows.json_text(event.detail),
        "dedupe_key": event.dedupe_key,
    }


def _event(row: Any) -> RecordedEvent:
    return RecordedEvent(
        event_id=row["event_id"],
        message_id=row["message_id"],
        account_id=row["account_id"],
        region=row["region"],
        event_type=row["event_type"],
        at=rows.from_ms(row["at"]),
        recipients=rows.json_string_list(row["recipients"]),
        detail=rows.json_object(row["detail"]),
        dedupe_key=row["dedupe_key"],
    )


class DeliveryStatements(Statements):
    """The delivery-queue and message-event methods of the transaction."""

    async def insert_jobs(self, jobs: Sequence[DeliveryJob]) -> None:
        for job in jobs:
            await self._write(_INSERT_JOB, _job_values(job))

    async def queue_for_planning(self, message_id: str) -> None:
        await self._write(_QUEUE_FOR_PLANNING, {"message_id": message_id})

    async def take_unplanned(self, limit: int) -> list[Unplanned]:
        oldest = (
            select(unplanned_messages.c.message_id)
            .order_by(unplanned_messages.c.message_id)
            .limit(limit)
        )
        if self._postgres:
            oldest = oldest.with_for_update(skip_locked=True)
        taken = await self._conn.execute(
            delete(unplanned_messages)
            .where(unplanned_messages.c.message_id.in_(oldest.scalar_subquery()))
            .returning(unplanned_messages.c.message_id)
        )
        ids = [row[0] for row in taken]
        if not ids:
            return []
        found = await self._conn.execute(
            select(
                messages.c.message_id,
                messages.c.account_id,
                messages.c.region,
                messages.c.recipients,
                messages.c.created_at,
            )
            .where(messages.c.message_id.in_(ids))
            .order_by(messages.c.message_id)
        )
        return [
            Unplanned(
                message_id=row["message_id"],
                account_id=row["account_id"],
                region=row["region"],
                recipients=rows.json_string_list(row["recipients"]),
                accepted_at=rows.from_ms(row["created_at"]),
            )
            for row in found.mappings()
        ]

    async def awaiting_plan(self, message_id: str) -> bool:
        found = await self._conn.execute(
            select(unplanned_messages.c.message_id).where(
                unplanned_messages.c.message_id == message_id
            )
        )
        return found.first() is not None

    async def claim_jobs(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedJob]:
        now_ms = rows.to_ms(now)
        due = (
            select(delivery_jobs.c.job_id)
            .where(
                delivery_jobs.c.run_at <= now_ms,
                or_(delivery_jobs.c.lease_until.is_(None), delivery_jobs.c.lease_until < now_ms),
            )
            .order_by(delivery_jobs.c.run_at, delivery_jobs.c.job_id)
            .limit(limit)
        )
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        result = await self._conn.execute(
            update(delivery_jobs)
            .where(delivery_jobs.c.job_id.in_(due.scalar_subquery()))
            .values(
                lease_owner=owner,
                lease_until=rows.to_ms(lease_until),
                attempts=delivery_jobs.c.attempts + 1,
            )
            .returning(*delivery_jobs.columns)
        )
        jobs = [_job(row) for row in result.mappings()]
        if not jobs:
            return []
        found = await self._conn.execute(
            select(messages).where(messages.c.message_id.in_({job.message_id for job in jobs}))
        )
        by_id = {row["message_id"]: rows.message_record(row) for row in found.mappings()}
        jobs.sort(key=lambda job: (job.run_at, job.job_id))
        return [ClaimedJob(job, by_id[job.message_id]) for job in jobs if job.message_id in by_id]

    async def update_job(self, job: DeliveryJob, *, owner: str) -> bool:
        """Save ``job`` (recipients left, next run, lease cleared) if ``owner`` still holds it."""
        result = await self._conn.execute(
            update(delivery_jobs)
            .where(delivery_jobs.c.job_id == job.job_id, delivery_jobs.c.lease_owner == owner)
            .values({k: v for k, v in _job_values(job).items() if k != "job_id"})
        )
        return bool(result.rowcount)

    async def delete_job(self, job_id: str, *, owner: str) -> bool:
        """Remove a finished job, if ``owner`` still holds it."""
        result = await self._conn.execute(
            delete(delivery_jobs).where(
                delivery_jobs.c.job_id == job_id, delivery_jobs.c.lease_owner == owner
            )
        )
        return bool(result.rowcount)

    async def list_jobs(self, message_id: str | None = None) -> list[DeliveryJob]:
        statement = select(delivery_jobs).order_by(delivery_jobs.c.run_at, delivery_jobs.c.job_id)
        if message_id is not None:
            statement = statement.where(delivery_jobs.c.message_id == message_id)
        result = await self._conn.execute(statement)
        return [_job(row) for row in result.mappings()]

    async def insert_event(self, event: RecordedEvent) -> bool:
        """Record ``event``; False (and nothing written) if its ``dedupe_key`` was seen."""
        if event.dedupe_key is None:
            await self._write(_INSERT_EVENT, _event_values(event))
            return True
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(message_events).values(_event_values(event)))
        except IntegrityError as error:
            if is_duplicate_key(error):
                return False
            raise
        return True

    async def list_events(
        self, *, message_id: str | None = None, account_id: str | None = None, limit: int = 1000
    ) -> list[RecordedEvent]:
        """Oldest first."""
        statement = select(message_events).order_by(
            message_events.c.at, self._ordered(message_events.c.event_id)
        )
        if message_id is not None:
            statement = statement.where(message_events.c.message_id == message_id)
        if account_id is not None:
            statement = statement.where(message_events.c.account_id == account_id)
        result = await self._conn.execute(statement.limit(limit))
        return [_event(row) for row in result.mappings()]
