"""Statements of identities (addresses and domains) and their sending-authorization policies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select

from openses.domain.identities import Identity, IdentityKind, IdentityPolicy, VerificationStatus
from openses.storage import rows
from openses.storage.schema import identities, identity_policies
from openses.storage.statements import Statements

#: Names per ``IN (…)`` list: far below every driver's bound-parameter limit.
_IN_LIST_SIZE = 500


class IdentityStatements(Statements):
    """The identity and identity-policy methods of the transaction."""

    async def put_identity(self, identity: Identity) -> None:
        await self._upsert(
            identities, rows.identity_values(identity), ("account_id", "region", "name")
        )

    async def get_identity(self, account_id: str, region: str, name: str) -> Identity | None:
        row = await self._first(
            identities,
            identities.c.account_id == account_id,
            identities.c.region == region,
            identities.c.name == name,
        )
        return None if row is None else rows.identity_record(row)

    async def get_identities(
        self, account_id: str, region: str, names: Sequence[str]
    ) -> list[Identity]:
        """The identities among ``names`` that exist, sorted by name."""
        wanted = sorted(set(names))
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
        return sorted(found, key=lambda identity: identity.name)

    async def list_identities(
        self, account_id: str, region: str, kind: IdentityKind | None = None
    ) -> list[Identity]:
        where = [identities.c.account_id == account_id, identities.c.region == region]
        if kind is not None:
            where.append(identities.c.kind == kind.value)
        result = await self._conn.execute(
            select(identities).where(*where).order_by(self._ordered(identities.c.name))
        )
        return [rows.identity_record(row) for row in result.mappings()]

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
        result = await self._conn.execute(
            select(identity_policies)
            .where(
                identity_policies.c.account_id == account_id,
                identity_policies.c.region == region,
                identity_policies.c.identity == identity,
            )
            .order_by(self._ordered(identity_policies.c.name))
        )
        return [rows.identity_policy_record(row) for row in result.mappings()]

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
