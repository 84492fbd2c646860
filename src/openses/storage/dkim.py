"""Statements of identities' DKIM settings and the Easy DKIM token index.

The settings of the identities that could cover a From address are read on the delivery path
(:meth:`DkimStatements.get_dkims`), so in read-only SQLite transactions they come from the read
cache (see :mod:`openses.storage.statements`). ``dkim_tokens`` is rewritten with the settings:
it holds exactly the tokens of every Easy DKIM identity, which the DKIM zone responder looks up.
Both tables go with their identity (foreign keys with ``ON DELETE CASCADE``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, func, insert, select

from openses.domain.dkim.settings import CHECKED_STATUSES, EASY_DKIM, DkimSettings, DkimStatus
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.rows import Row, Values
from openses.storage.schema import dkim_tokens, identity_dkim
from openses.storage.statements import Prepared, Statements

ON_DKIM = Depends(identity_dkim)

_IN_LIST_SIZE = 500

_DKIM = Prepared(
    lambda postgres: select(identity_dkim).where(
        identity_dkim.c.account_id == bindparam("account_id"),
        identity_dkim.c.region == bindparam("region"),
        identity_dkim.c.identity == bindparam("identity"),
    )
)
_LOCK_DKIM = Prepared(
    lambda postgres: (
        select(identity_dkim)
        .where(
            identity_dkim.c.account_id == bindparam("account_id"),
            identity_dkim.c.region == bindparam("region"),
            identity_dkim.c.identity == bindparam("identity"),
        )
        .with_for_update()
    )
)
_BY_TOKEN = Prepared(
    lambda postgres: (
        select(identity_dkim)
        .join(
            dkim_tokens,
            (dkim_tokens.c.account_id == identity_dkim.c.account_id)
            & (dkim_tokens.c.region == identity_dkim.c.region)
            & (dkim_tokens.c.identity == identity_dkim.c.identity),
        )
        .where(dkim_tokens.c.token == bindparam("token"))
    )
)


def dkim_values(settings: DkimSettings) -> Values:
    if len(settings.private_keys) != len(settings.selectors):
        raise ValueError("DKIM selectors and private keys must be aligned")
    return {
        "account_id": settings.account_id,
        "region": settings.region,
        "identity": settings.identity,
        "signing_enabled": settings.signing_enabled,
        "origin": settings.origin,
        "status": settings.status.value,
        "selectors": rows.json_text(list(settings.selectors)),
        "private_keys": rows.json_text(list(settings.private_keys)),
        "active": settings.active,
        "current_key_length": settings.current_key_length,
        "next_key_length": settings.next_key_length,
        "key_generated_at": rows.optional_ms(settings.key_generated_at),
        "length_changed_at": rows.optional_ms(settings.length_changed_at),
        "downgraded_at": rows.optional_ms(settings.downgraded_at),
        "check_started_at": rows.optional_ms(settings.check_started_at),
        "checked_at": rows.optional_ms(settings.checked_at),
        "succeeded_at": rows.optional_ms(settings.succeeded_at),
        "updated_at": rows.to_ms(settings.updated_at),
    }


def dkim_record(row: Row) -> DkimSettings:
    keys = json.loads(row["private_keys"])
    if not isinstance(keys, list) or not all(key is None or isinstance(key, str) for key in keys):
        raise ValueError("stored DKIM private keys are not a JSON list of text or null")
    return DkimSettings(
        account_id=row["account_id"],
        region=row["region"],
        identity=row["identity"],
        signing_enabled=bool(row["signing_enabled"]),
        updated_at=rows.from_ms(row["updated_at"]),
        origin=row["origin"],
        status=DkimStatus(row["status"]),
        selectors=rows.json_string_list(row["selectors"]),
        private_keys=tuple(keys),
        active=int(row["active"]),
        current_key_length=row["current_key_length"],
        next_key_length=row["next_key_length"],
        key_generated_at=rows.optional_time(row["key_generated_at"]),
        length_changed_at=rows.optional_time(row["length_changed_at"]),
        downgraded_at=rows.optional_time(row["downgraded_at"]),
        check_started_at=rows.optional_time(row["check_started_at"]),
        checked_at=rows.optional_time(row["checked_at"]),
        succeeded_at=rows.optional_time(row["succeeded_at"]),
    )


class DkimStatements(Statements):
    """The DKIM methods of the transaction."""

    async def put_dkim(self, settings: DkimSettings) -> None:
        """Creates or replaces the settings, and the identity's rows in the token index."""
        values = dkim_values(settings)
        if "\x00" in values["private_keys"] or "\x00" in values["selectors"]:
            raise ValueError("DKIM settings cannot hold NUL (U+0000)")
        await self._upsert(identity_dkim, values, ("account_id", "region", "identity"))
        await self._conn.execute(
            delete(dkim_tokens).where(
                dkim_tokens.c.account_id == settings.account_id,
                dkim_tokens.c.region == settings.region,
                dkim_tokens.c.identity == settings.identity,
            )
        )
        if settings.origin == EASY_DKIM and settings.selectors:
            await self._conn.execute(
                insert(dkim_tokens).values(
                    [
                        {
                            "token": token,
                            "account_id": settings.account_id,
                            "region": settings.region,
                            "identity": settings.identity,
                        }
                        for token in settings.selectors
                    ]
                )
            )

    async def get_dkim(self, account_id: str, region: str, identity: str) -> DkimSettings | None:
        async def load() -> DkimSettings | None:
            row = await self._row(
                _DKIM, {"account_id": account_id, "region": region, "identity": identity}
            )
            return None if row is None else dkim_record(row)

        return await self._cached(ON_DKIM, ("dkim", account_id, region, identity), load)

    async def lock_dkim(self, account_id: str, region: str, identity: str) -> DkimSettings | None:
        """The settings, read for update (never from the read cache)."""
        row = await self._row(
            _LOCK_DKIM, {"account_id": account_id, "region": region, "identity": identity}
        )
        return None if row is None else dkim_record(row)

    async def get_dkims(
        self, account_id: str, region: str, names: Sequence[str]
    ) -> list[DkimSettings]:
        """The settings of the identities among ``names`` that have some, sorted by name."""
        wanted = tuple(sorted(set(names)))

        async def load() -> tuple[DkimSettings, ...]:
            found: list[DkimSettings] = []
            for start in range(0, len(wanted), _IN_LIST_SIZE):
                result = await self._conn.execute(
                    select(identity_dkim).where(
                        identity_dkim.c.account_id == account_id,
                        identity_dkim.c.region == region,
                        identity_dkim.c.identity.in_(wanted[start : start + _IN_LIST_SIZE]),
                    )
                )
                found.extend(dkim_record(row) for row in result.mappings())
            return tuple(sorted(found, key=lambda settings: settings.identity))

        return list(await self._cached(ON_DKIM, ("dkims", account_id, region, wanted), load))

    async def find_dkim_by_token(self, token: str) -> DkimSettings | None:
        """The Easy DKIM settings one of whose tokens is ``token``."""
        row = await self._row(_BY_TOKEN, {"token": token})
        return None if row is None else dkim_record(row)

    async def pending_dkim(self, limit: int) -> list[DkimSettings]:
        """Settings whose DNS check is pending, of every account and region, least recently
        checked first."""
        if limit <= 0:
            return []
        result = await self._conn.execute(
            select(identity_dkim)
            .where(
                identity_dkim.c.status.in_([status.value for status in CHECKED_STATUSES]),
                identity_dkim.c.origin.is_not(None),
            )
            .order_by(
                func.coalesce(identity_dkim.c.checked_at, 0),
                identity_dkim.c.check_started_at,
                self._ordered(identity_dkim.c.account_id),
                self._ordered(identity_dkim.c.region),
                self._ordered(identity_dkim.c.identity),
            )
            .limit(limit)
        )
        return [dkim_record(row) for row in result.mappings()]

    async def delete_dkim(self, account_id: str, region: str, identity: str) -> bool:
        return bool(
            await self._deleted(
                identity_dkim,
                identity_dkim.c.account_id == account_id,
                identity_dkim.c.region == region,
                identity_dkim.c.identity == identity,
            )
        )
