"""Statements of identity feedback settings, custom MAIL FROM setups and the suppression list.

None of these reads is served from the read cache: they are made by the API operations that
manage them and, per message, by the delivery side (where a stale answer would matter).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping

from openses.domain.feedback_settings import (
    DEFAULT_SUPPRESSED_REASONS,
    BehaviorOnMxFailure,
    IdentityFeedbackSettings,
    MailFromSettings,
    MailFromStatus,
    Suppression,
    SuppressionReason,
)
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.rows import Row
from openses.storage.schema import (
    account_suppression,
    identity_feedback,
    identity_mail_from,
    suppressed_destinations,
)
from openses.storage.statements import Prepared, Statements

_IN_LIST_SIZE = 500


#: The per-identity settings the send and notification paths read: prepared, and answered from
#: the read cache in read-only transactions (:mod:`openses.storage.read_cache`).
ON_FEEDBACK = Depends(identity_feedback)
ON_MAIL_FROM = Depends(identity_mail_from)


def _by_identity(table: Table) -> Prepared:
    return Prepared(
        lambda postgres: select(table).where(
            table.c.account_id == bindparam("account_id"),
            table.c.region == bindparam("region"),
            table.c.identity == bindparam("identity"),
        )
    )


_FEEDBACK = _by_identity(identity_feedback)
_MAIL_FROM = _by_identity(identity_mail_from)


def _feedback_record(row: Row) -> IdentityFeedbackSettings:
    return IdentityFeedbackSettings(
        bounce_topic=row["bounce_topic"],
        complaint_topic=row["complaint_topic"],
        delivery_topic=row["delivery_topic"],
        forwarding_enabled=bool(row["forwarding_enabled"]),
        headers_in_bounce=bool(row["headers_in_bounce"]),
        headers_in_complaint=bool(row["headers_in_complaint"]),
        headers_in_delivery=bool(row["headers_in_delivery"]),
    )


def _mail_from_record(row: Row) -> MailFromSettings:
    status = row["status"]
    return MailFromSettings(
        account_id=row["account_id"],
        region=row["region"],
        identity=row["identity"],
        domain=row["domain"],
        behavior=BehaviorOnMxFailure(row["behavior"]),
        status=None if status is None else MailFromStatus(status),
        window_started_at=rows.optional_time(row["window_started_at"]),
        checked_at=rows.optional_time(row["checked_at"]),
    )


def _suppression_record(row: RowMapping) -> Suppression:
    return Suppression(
        account_id=row["account_id"],
        region=row["region"],
        email_address=row["email_address"],
        reason=SuppressionReason(row["reason"]),
        last_update_time=rows.from_ms(row["last_update_time"]),
        message_id=row["message_id"],
        feedback_id=row["feedback_id"],
    )


class FeedbackSettingsStatements(Statements):
    """The feedback-settings, MAIL FROM and suppression methods of the transaction."""

    # ------------------------------------------------------------ notification settings

    async def get_feedback_settings(
        self, account_id: str, region: str, identity: str
    ) -> IdentityFeedbackSettings | None:
        key = {"account_id": account_id, "region": region, "identity": identity}

        async def load() -> IdentityFeedbackSettings | None:
            row = await self._row(_FEEDBACK, key)
            return None if row is None else _feedback_record(row)

        return await self._cached(ON_FEEDBACK, ("feedback", account_id, region, identity), load)

    async def put_feedback_settings(
        self, account_id: str, region: str, identity: str, settings: IdentityFeedbackSettings
    ) -> None:
        await self._upsert(
            identity_feedback,
            {
                "account_id": account_id,
                "region": region,
                "identity": identity,
                "bounce_topic": settings.bounce_topic,
                "complaint_topic": settings.complaint_topic,
                "delivery_topic": settings.delivery_topic,
                "forwarding_enabled": settings.forwarding_enabled,
                "headers_in_bounce": settings.headers_in_bounce,
                "headers_in_complaint": settings.headers_in_complaint,
                "headers_in_delivery": settings.headers_in_delivery,
            },
            ("account_id", "region", "identity"),
        )

    # ------------------------------------------------------------------- MAIL FROM

    async def get_mail_from(
        self, account_id: str, region: str, identity: str
    ) -> MailFromSettings | None:
        key = {"account_id": account_id, "region": region, "identity": identity}

        async def load() -> MailFromSettings | None:
            row = await self._row(_MAIL_FROM, key)
            return None if row is None else _mail_from_record(row)

        return await self._cached(ON_MAIL_FROM, ("mail-from", account_id, region, identity), load)

    async def put_mail_from(self, settings: MailFromSettings) -> None:
        await self._upsert(
            identity_mail_from,
            {
                "account_id": settings.account_id,
                "region": settings.region,
                "identity": settings.identity,
                "domain": settings.domain,
                "behavior": settings.behavior.value,
                "status": None if settings.status is None else settings.status.value,
                "window_started_at": rows.optional_ms(settings.window_started_at),
                "checked_at": rows.optional_ms(settings.checked_at),
            },
            ("account_id", "region", "identity"),
        )

    async def mail_from_due(
        self, success_checked_before: datetime, limit: int
    ) -> list[MailFromSettings]:
        """Setups to look up now: every pending or temporarily failing one, and successful
        ones last checked before ``success_checked_before``; least recently checked first."""
        if limit <= 0:
            return []
        table = identity_mail_from
        awaiting = (MailFromStatus.PENDING.value, MailFromStatus.TEMPORARY_FAILURE.value)
        result = await self._conn.execute(
            select(table)
            .where(
                table.c.domain.is_not(None),
                or_(
                    table.c.status.in_(awaiting),
                    and_(
                        table.c.status == MailFromStatus.SUCCESS.value,
                        or_(
                            table.c.checked_at.is_(None),
                            table.c.checked_at < rows.to_ms(success_checked_before),
                        ),
                    ),
                ),
            )
            .order_by(
                table.c.checked_at.is_not(None),
                table.c.checked_at,
                self._ordered(table.c.account_id),
                self._ordered(table.c.region),
                self._ordered(table.c.identity),
            )
            .limit(limit)
        )
        return [_mail_from_record(row) for row in result.mappings()]

    # ----------------------------------------------------------------- suppression

    async def put_suppression(self, entry: Suppression) -> None:
        """Adds the entry, or replaces the one with its address unless that one is newer."""
        table = suppressed_destinations
        values = {
            "account_id": entry.account_id,
            "region": entry.region,
            "email_address": entry.email_address,
            "address_lower": entry.email_address.lower(),
            "reason": entry.reason.value,
            "last_update_time": rows.to_ms(entry.last_update_time),
            "message_id": entry.message_id,
            "feedback_id": entry.feedback_id,
        }
        key = ["account_id", "region", "email_address"]
        changed = ["reason", "last_update_time", "message_id", "feedback_id"]
        if self._postgres:
            pg = postgresql.insert(table).values(values)
            statement: Any = pg.on_conflict_do_update(
                index_elements=key,
                set_={name: pg.excluded[name] for name in changed},
                where=table.c.last_update_time <= pg.excluded.last_update_time,
            )
        else:
            lite = sqlite.insert(table).values(values)
            statement = lite.on_conflict_do_update(
                index_elements=key,
                set_={name: lite.excluded[name] for name in changed},
                where=table.c.last_update_time <= lite.excluded.last_update_time,
            )
        await self._conn.execute(statement)

    async def get_suppression(
        self, account_id: str, region: str, email_address: str
    ) -> Suppression | None:
        row = await self._first(
            suppressed_destinations,
            suppressed_destinations.c.account_id == account_id,
            suppressed_destinations.c.region == region,
            suppressed_destinations.c.email_address == email_address,
        )
        return None if row is None else _suppression_record(row)

    async def delete_suppression(self, account_id: str, region: str, email_address: str) -> bool:
        deleted = await self._deleted(
            suppressed_destinations,
            suppressed_destinations.c.account_id == account_id,
            suppressed_destinations.c.region == region,
            suppressed_destinations.c.email_address == email_address,
        )
        return deleted > 0

    async def list_suppressions(
        self,
        account_id: str,
        region: str,
        *,
        reasons: Collection[SuppressionReason] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int = 1000,
    ) -> list[Suppression]:
        """Entries by last update time, then address; only those after ``after`` (a time and
        address, as the last entry of the previous page) and within ``start``..``end``."""
        table = suppressed_destinations
        where: list[ColumnElement[bool]] = [
            table.c.account_id == account_id,
            table.c.region == region,
        ]
        if reasons is not None:
            where.append(table.c.reason.in_(sorted(reason.value for reason in reasons)))
        if start is not None:
            where.append(table.c.last_update_time >= rows.to_ms(start))
        if end is not None:
            where.append(table.c.last_update_time <= rows.to_ms(end))
        if after is not None:
            after_ms = rows.to_ms(after[0])
            where.append(
                or_(
                    table.c.last_update_time > after_ms,
                    and_(
                        table.c.last_update_time == after_ms,
                        self._ordered(table.c.email_address) > after[1],
                    ),
                )
            )
        result = await self._conn.execute(
            select(table)
            .where(*where)
            .order_by(table.c.last_update_time, self._ordered(table.c.email_address))
            .limit(limit)
        )
        return [_suppression_record(row) for row in result.mappings()]

    async def suppressed(
        self, account_id: str, region: str, addresses: Sequence[str]
    ) -> dict[str, Suppression]:
        """The entries matching ``addresses`` ignoring case, by the address as given (the
        newest entry where several spellings are listed)."""
        wanted = sorted({address.strip().lower() for address in addresses})
        found: dict[str, Suppression] = {}
        table = suppressed_destinations
        for first in range(0, len(wanted), _IN_LIST_SIZE):
            result = await self._conn.execute(
                select(table).where(
                    table.c.account_id == account_id,
                    table.c.region == region,
                    table.c.address_lower.in_(wanted[first : first + _IN_LIST_SIZE]),
                )
            )
            for row in result.mappings():
                entry = _suppression_record(row)
                known = found.get(row["address_lower"])
                if known is None or known.last_update_time < entry.last_update_time:
                    found[row["address_lower"]] = entry
        matched = {address: found.get(address.strip().lower()) for address in addresses}
        return {address: entry for address, entry in matched.items() if entry is not None}

    async def get_suppression_reasons(
        self, account_id: str, region: str
    ) -> frozenset[SuppressionReason]:
        row = await self._first(
            account_suppression,
            account_suppression.c.account_id == account_id,
            account_suppression.c.region == region,
        )
        if row is None:
            return DEFAULT_SUPPRESSED_REASONS
        return frozenset(SuppressionReason(value) for value in json.loads(row["reasons"]))

    async def set_suppression_reasons(
        self, account_id: str, region: str, reasons: Collection[SuppressionReason]
    ) -> None:
        await self._upsert(
            account_suppression,
            {
                "account_id": account_id,
                "region": region,
                "reasons": rows.json_text(sorted(reason.value for reason in reasons)),
            },
            ("account_id", "region"),
        )
