"""Statements of configuration sets and their event destinations (per account and region).

:meth:`ConfigurationSetStatements.get_configuration_set` is on the send path (every send that
names a set reads it) and on the notification fan-out's: in read-only SQLite transactions it
is answered from the read cache (see :mod:`openses.storage.statements`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from openses.domain.configuration_sets import (
    ConfigurationSet,
    EventDestination,
    EventType,
    TlsPolicy,
)
from openses.domain.feedback_settings import SuppressionReason
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.rows import Row, Values
from openses.storage.schema import configuration_sets, event_destinations
from openses.storage.statements import Prepared, Statements, ordered

ON_CONFIGURATION_SETS = Depends(configuration_sets, event_destinations)

_SET = Prepared(
    lambda postgres: select(configuration_sets).where(
        configuration_sets.c.account_id == bindparam("account_id"),
        configuration_sets.c.region == bindparam("region"),
        configuration_sets.c.name == bindparam("name"),
    )
)
_DESTINATIONS = Prepared(
    lambda postgres: (
        select(event_destinations)
        .where(
            event_destinations.c.account_id == bindparam("account_id"),
            event_destinations.c.region == bindparam("region"),
            event_destinations.c.configuration_set == bindparam("name"),
        )
        .order_by(ordered(event_destinations.c.name, postgres))
    )
)


def _set_values(configuration_set: ConfigurationSet) -> Values:
    """The settings columns (not the key, not the destinations)."""
    reasons = configuration_set.suppressed_reasons
    return {
        "sending_enabled": configuration_set.sending_enabled,
        "reputation_metrics_enabled": configuration_set.reputation_metrics_enabled,
        "last_fresh_start": rows.optional_ms(configuration_set.last_fresh_start),
        "tls_policy": configuration_set.tls_policy.value,
        "max_delivery_seconds": configuration_set.max_delivery_seconds,
        "suppressed_reasons": None
        if reasons is None
        else rows.json_text(sorted(reason.value for reason in reasons)),
    }


def _destination_values(destination: EventDestination) -> Values:
    return {
        "enabled": destination.enabled,
        "matching_types": rows.json_text(sorted(kind.value for kind in destination.matching_types)),
        "sns_topic_arn": destination.sns_topic_arn,
    }


def _destination(row: Row) -> EventDestination:
    return EventDestination(
        name=row["name"],
        enabled=bool(row["enabled"]),
        matching_types=frozenset(
            EventType(v) for v in rows.json_string_list(row["matching_types"])
        ),
        sns_topic_arn=row["sns_topic_arn"],
    )


def _configuration_set(row: Row, destinations: list[Row]) -> ConfigurationSet:
    reasons: str | None = row["suppressed_reasons"]
    return ConfigurationSet(
        name=row["name"],
        sending_enabled=bool(row["sending_enabled"]),
        reputation_metrics_enabled=bool(row["reputation_metrics_enabled"]),
        last_fresh_start=rows.optional_time(row["last_fresh_start"]),
        tls_policy=TlsPolicy(row["tls_policy"]),
        max_delivery_seconds=row["max_delivery_seconds"],
        suppressed_reasons=None
        if reasons is None
        else frozenset(SuppressionReason(v) for v in rows.json_string_list(reasons)),
        event_destinations=tuple(_destination(d) for d in destinations),
    )


class ConfigurationSetStatements(Statements):
    """The configuration-set methods of the transaction."""

    async def insert_configuration_set(
        self,
        account_id: str,
        region: str,
        configuration_set: ConfigurationSet,
        created_at: datetime,
    ) -> None:
        """Inserts the set with its destinations; :class:`Conflict` if the name is taken."""
        await self._insert_unique(
            configuration_sets,
            {
                "account_id": account_id,
                "region": region,
                "name": configuration_set.name,
                "created_at": rows.to_ms(created_at),
                **_set_values(configuration_set),
            },
            f"configuration set {configuration_set.name}",
        )
        for destination in configuration_set.event_destinations:
            await self.insert_event_destination(
                account_id, region, configuration_set.name, destination
            )

    async def get_configuration_set(
        self, account_id: str, region: str, name: str
    ) -> ConfigurationSet | None:
        async def load() -> ConfigurationSet | None:
            key = {"account_id": account_id, "region": region, "name": name}
            row = await self._row(_SET, key)
            if row is None:
                return None
            return _configuration_set(row, await self._rows(_DESTINATIONS, key))

        return await self._cached(
            ON_CONFIGURATION_SETS, ("configuration_set", account_id, region, name), load
        )

    async def list_configuration_set_names(self, account_id: str, region: str) -> list[str]:
        result = await self._conn.execute(
            select(configuration_sets.c.name)
            .where(
                configuration_sets.c.account_id == account_id,
                configuration_sets.c.region == region,
            )
            .order_by(self._ordered(configuration_sets.c.name))
        )
        return [name for (name,) in result.all()]

    async def count_configuration_sets(self, account_id: str, region: str) -> int:
        return await self._count(
            configuration_sets,
            configuration_sets.c.account_id == account_id,
            configuration_sets.c.region == region,
        )

    async def update_configuration_set(
        self, account_id: str, region: str, configuration_set: ConfigurationSet
    ) -> bool:
        """Replaces the set's settings (not its destinations); False if there is no such set."""
        result = await self._conn.execute(
            update(configuration_sets)
            .where(
                configuration_sets.c.account_id == account_id,
                configuration_sets.c.region == region,
                configuration_sets.c.name == configuration_set.name,
            )
            .values(_set_values(configuration_set))
        )
        return result.rowcount > 0

    async def delete_configuration_set(self, account_id: str, region: str, name: str) -> bool:
        """Also deletes the set's event destinations."""
        await self._deleted(
            event_destinations,
            event_destinations.c.account_id == account_id,
            event_destinations.c.region == region,
            event_destinations.c.configuration_set == name,
        )
        deleted = await self._deleted(
            configuration_sets,
            configuration_sets.c.account_id == account_id,
            configuration_sets.c.region == region,
            configuration_sets.c.name == name,
        )
        return deleted > 0

    async def insert_event_destination(
        self, account_id: str, region: str, configuration_set: str, destination: EventDestination
    ) -> None:
        """:class:`Conflict` if the set has a destination of that name."""
        await self._insert_unique(
            event_destinations,
            {
                "account_id": account_id,
                "region": region,
                "configuration_set": configuration_set,
                "name": destination.name,
                **_destination_values(destination),
            },
            f"event destination {destination.name}",
        )

    async def update_event_destination(
        self, account_id: str, region: str, configuration_set: str, destination: EventDestination
    ) -> bool:
        result = await self._conn.execute(
            update(event_destinations)
            .where(
                event_destinations.c.account_id == account_id,
                event_destinations.c.region == region,
                event_destinations.c.configuration_set == configuration_set,
                event_destinations.c.name == destination.name,
            )
            .values(_destination_values(destination))
        )
        return result.rowcount > 0

    async def delete_event_destination(
        self, account_id: str, region: str, configuration_set: str, name: str
    ) -> bool:
        deleted = await self._deleted(
            event_destinations,
            event_destinations.c.account_id == account_id,
            event_destinations.c.region == region,
            event_destinations.c.configuration_set == configuration_set,
            event_destinations.c.name == name,
        )
        return deleted > 0
