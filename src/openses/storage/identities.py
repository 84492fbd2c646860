"""Statements of identities (addresses and domains) and their sending-authorization policies.

The reads a send or an identity operation makes (one identity, the identities among some
names, an identity's policies) are answered from the read cache in read-only SQLite
transactions (see :mod:`openses.storage.statements`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, update

from openses.domain.identities import Identity, IdentityKind, IdentityPolicy, VerificationStatus
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.schema import identities, identity_policies
from openses.storage.statements import Prepared, Statements, ordered

#: The tables each cached read depends on (see :mod:`openses.storage.read_cache`).
ON_IDENTITIES = Depends(identities)
ON_IDENTITY_POLICIES = Depends(identity_policies)

#: Names per ``IN (…)`` list: far below every driver's bound-parameter limit.
_IN_LIST_SIZE = 500

_IDENTITY = Prepared(
    lambda postgres: select(identities).where(
        identities.c.account_id == bindparam("account_id"),
        identities.c.region == bindparam("region"),
        identities.c.name == bindparam("name"),
    )
)
_IDENTITIES = Prepared(
    lambda postgres: (
        select(identities)
        .where(
            identities.c.account_id == bindparam("account_id"),
            identities.c.region == bindparam("region"),
        )
        .order_by(ordered(identities.c.name, postgres))
    )
)
_IDENTITIES_OF_KIND = Prepared(
    lambda postgres: (
        select(identities)
        .where(
            identities.c.account_id == bindparam("account_id"),
            identities.c.region == bindparam("region"),
            identities.c.kind == bindparam("kind"),
        )
        .order_by(ordered(identities.c.name, postgres))
    )
)
_IDENTITY_POLICIES = Prepared(
    lambda postgres: (
        select(identity_policies)
        .where(
            identity_policies.c.account_id == bindparam("account_id"),
            identity_policies.c.region == bindparam("region"),
            identity_policies.c.identity == bindparam("identity"),
        )
        .order_by(ordered(identity_policies.c.name, postgres))
    )
)


class IdentityStatements(Statements):
    """The identity and identity-policy methods of the transaction."""

    async def put_identity(self, identity: Identity) -> None:
        await self._upsert(
            identities, rows.identity_values(identity), ("account_id", "region", "name")
        )

    async def get_identity(self, account_id: str, region: str, name: str) -> Identity | None:
        async def load() -> Identity | None:
            row = await self._row(
                _IDENTITY, {"account_id": account_id, "region": region, "name": name}
            )
            return None if row is None else rows.identity_record(row)

        return await self._cached(ON_IDENTITIES, ("identity", account_id, region, name), load)

    async def get_identities(
        self, account_id: str, region: str, names: Sequence[str]
    ) -> list[Identity]:
        """The identities among ``names`` that exist, sorted by name."""
        wanted = tuple(sorted(set(names)))

        async def load() -> tuple[Identity, ...]:
            found: list[Identity] = []
            for start in range(0, len(wanted), _IN_LIST_SIZE):
                result = await self._conn.execute(
                    select(identities).where(
                        identities.c.account_id == account_id,
                        identities.c.region == region,
                        identities.c.name.in_(wanted[start : start + _IN_LIST_SIZE]),
                    )
                )
                found.extend(rows.identity_record(row) for row in result.mappings())
            return tuple(sorted(found, key=lambda identity: identity.name))

        return list(
            await self._cached(ON_IDENTITIES, ("identities", account_id, region, wanted), load)
        )

    async def list_identities(
        self, account_id: str, region: str, kind: IdentityKind | None = None
    ) -> list[Identity]:
        if kind is None:
            found = await self._rows(_IDENTITIES, {"account_id": account_id, "region": region})
        else:
            found = await self._rows(
                _IDENTITIES_OF_KIND,
                {"account_id": account_id, "region": region, "kind": kind.value},
            )
        return [rows.identity_record(row) for row in found]

    async def delete_identity(self, account_id: str, region: str, name: str) -> bool:
        await self._deleted(
            identity_policies,
            identity_policies.c.account_id == account_id,
            identity_policies.c.region == region,
            identity_policies.c.identity == name,
        )
        return bool(
            await self._deleted(
                identities,
                identities.c.account_id == account_id,
                identities.c.region == region,
                identities.c.name == name,
            )
        )

    async def clear_default_configuration_set(
        self, account_id: str, region: str, configuration_set: str
    ) -> None:
        await self._conn.execute(
            update(identities)
            .where(
                identities.c.account_id == account_id,
                identities.c.region == region,
                identities.c.default_configuration_set == configuration_set,
            )
            .values(default_configuration_set=None)
        )

    async def find_identity_by_token(self, token: str) -> Identity | None:
        result = await self._conn.execute(
            select(identities)
            .where(identities.c.token == token)
            .order_by(*self._identity_order())
            .limit(1)
        )
        row = result.mappings().first()
        return None if row is None else rows.identity_record(row)

    async def pending_domains(self, limit: int) -> list[Identity]:
        if limit <= 0:
            return []
        result = await self._conn.execute(
            select(identities)
            .where(
                identities.c.kind == IdentityKind.DOMAIN.value,
                identities.c.status == VerificationStatus.PENDING.value,
            )
            .order_by(identities.c.verification_started_at, *self._identity_order())
            .limit(limit)
        )
        return [rows.identity_record(row) for row in result.mappings()]

    def _identity_order(self) -> list[ColumnElement[Any]]:
        return [
            self._ordered(identities.c.account_id),
            self._ordered(identities.c.region),
            self._ordered(identities.c.name),
        ]

    # ----------------------------------------------------------- identity policies

    async def put_identity_policy(self, policy: IdentityPolicy) -> None:
        await self._upsert(
            identity_policies,
            rows.identity_policy_values(policy),
            ("account_id", "region", "identity", "name"),
        )

    async def list_identity_policies(
        self, account_id: str, region: str, identity: str
    ) -> list[IdentityPolicy]:
        async def load() -> tuple[IdentityPolicy, ...]:
            found = await self._rows(
                _IDENTITY_POLICIES,
                {"account_id": account_id, "region": region, "identity": identity},
            )
            return tuple(rows.identity_policy_record(row) for row in found)

        key = ("identity_policies", account_id, region, identity)
        return list(await self._cached(ON_IDENTITY_POLICIES, key, load))

    async def delete_identity_policy(
        self, account_id: str, region: str, identity: str, name: str
    ) -> bool:
        return bool(
            await self._deleted(
                identity_policies,
                identity_policies.c.account_id == account_id,
                identity_policies.c.region == region,
                identity_policies.c.identity == identity,
                identity_policies.c.name == name,
            )
        )
