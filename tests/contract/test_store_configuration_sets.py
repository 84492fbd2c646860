"""The storage contract: configuration sets, their event destinations, and message tags."""

from __future__ import annotations

from dataclasses import replace

import pytest

from openses.domain.configuration_sets import (
    ConfigurationSet,
    EventDestination,
    EventType,
    TlsPolicy,
)
from openses.domain.feedback_settings import SuppressionReason
from openses.services.ports import Conflict, Store
from tests.contract.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_REGION,
    REGION,
    T0,
    account,
    at,
    message,
)

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:events"
BOUNCES = EventDestination(
    "bounces", True, frozenset({EventType.BOUNCE, EventType.COMPLAINT}), TOPIC
)
SENDS = EventDestination("all-sends", False, frozenset({EventType.SEND}), TOPIC)


async def _accounts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))


async def test_a_set_round_trips_with_every_field(store: Store) -> None:
    await _accounts(store)
    full = ConfigurationSet(
        name="marketing",
        sending_enabled=False,
        reputation_metrics_enabled=True,
        last_fresh_start=at(12.345),
        tls_policy=TlsPolicy.REQUIRE,
        max_delivery_seconds=600,
        suppressed_reasons=frozenset({SuppressionReason.BOUNCE}),
        event_destinations=(BOUNCES, SENDS),
    )
    plain = ConfigurationSet("plain")
    suppress_nothing = ConfigurationSet("open", suppressed_reasons=frozenset())
    async with store.transaction() as tx:
        await tx.insert_configuration_set(ACCOUNT, REGION, full, T0)
        await tx.insert_configuration_set(ACCOUNT, REGION, plain, T0)
        await tx.insert_configuration_set(ACCOUNT, REGION, suppress_nothing, T0)
    async with store.transaction(read_only=True) as tx:
        stored = await tx.get_configuration_set(ACCOUNT, REGION, "marketing")
        assert stored == replace(full, event_destinations=(SENDS, BOUNCES))  # sorted by name
        assert await tx.get_configuration_set(ACCOUNT, REGION, "plain") == plain
        assert await tx.get_configuration_set(ACCOUNT, REGION, "open") == suppress_nothing
        assert await tx.get_configuration_set(ACCOUNT, REGION, "missing") is None


async def test_sets_belong_to_one_account_and_region(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("mine"), T0)
        await tx.insert_configuration_set(OTHER_ACCOUNT, REGION, ConfigurationSet("theirs"), T0)
        await tx.insert_configuration_set(ACCOUNT, OTHER_REGION, ConfigurationSet("mine"), T0)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_configuration_set(OTHER_ACCOUNT, REGION, "mine") is None
        assert await tx.get_configuration_set(ACCOUNT, REGION, "theirs") is None
        assert await tx.list_configuration_set_names(ACCOUNT, REGION) == ["mine"]
        assert await tx.count_configuration_sets(ACCOUNT, OTHER_REGION) == 1


async def test_a_taken_name_is_a_conflict(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("dup"), T0)
    async with store.transaction() as tx:
        with pytest.raises(Conflict):
            await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("dup"), T0)
        # the transaction stays usable after the clash
        await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("other"), T0)
    async with store.transaction() as tx:
        assert await tx.list_configuration_set_names(ACCOUNT, REGION) == ["dup", "other"]


async def test_names_are_listed_by_code_point(store: Store) -> None:
    await _accounts(store)
    names = ["b", "B", "a-1", "a_1", "A", "_x", "-y"]
    async with store.transaction() as tx:
        for name in names:
            await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet(name), T0)
    async with store.transaction(read_only=True) as tx:
        assert await tx.list_configuration_set_names(ACCOUNT, REGION) == sorted(names)


async def test_update_replaces_settings_but_keeps_destinations(store: Store) -> None:
    await _accounts(store)
    original = ConfigurationSet("s", event_destinations=(BOUNCES,))
    async with store.transaction() as tx:
        await tx.insert_configuration_set(ACCOUNT, REGION, original, T0)
    changed = replace(
        original,
        sending_enabled=False,
        tls_policy=TlsPolicy.REQUIRE,
        suppressed_reasons=frozenset(SuppressionReason),
        event_destinations=(),
    )
    async with store.transaction() as tx:
        assert await tx.update_configuration_set(ACCOUNT, REGION, changed)
        assert not await tx.update_configuration_set(ACCOUNT, REGION, replace(changed, name="no"))
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_configuration_set(ACCOUNT, REGION, "s") == replace(
            changed, event_destinations=(BOUNCES,)
        )


async def test_event_destinations_are_added_replaced_and_deleted(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("s"), T0)
        await tx.insert_event_destination(ACCOUNT, REGION, "s", BOUNCES)
    async with store.transaction() as tx:
        with pytest.raises(Conflict):
            await tx.insert_event_destination(ACCOUNT, REGION, "s", BOUNCES)
        await tx.insert_event_destination(ACCOUNT, REGION, "s", SENDS)
    disabled = replace(BOUNCES, enabled=False, matching_types=frozenset({EventType.DELIVERY}))
    async with store.transaction() as tx:
        assert await tx.update_event_destination(ACCOUNT, REGION, "s", disabled)
        assert not await tx.update_event_destination(
            ACCOUNT, REGION, "s", replace(disabled, name="missing")
        )
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_configuration_set(ACCOUNT, REGION, "s")
        assert found is not None
        assert found.event_destinations == (SENDS, disabled)
    async with store.transaction() as tx:
        assert await tx.delete_event_destination(ACCOUNT, REGION, "s", "all-sends")
        assert not await tx.delete_event_destination(ACCOUNT, REGION, "s", "all-sends")
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_configuration_set(ACCOUNT, REGION, "s")
        assert found is not None
        assert found.event_destinations == (disabled,)


async def test_deleting_a_set_deletes_its_destinations(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_configuration_set(
            ACCOUNT, REGION, ConfigurationSet("s", event_destinations=(BOUNCES,)), T0
        )
    async with store.transaction() as tx:
        assert await tx.delete_configuration_set(ACCOUNT, REGION, "s")
        assert not await tx.delete_configuration_set(ACCOUNT, REGION, "s")
    async with store.transaction() as tx:
        # a new set of the same name starts without the old destinations
        await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("s"), T0)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_configuration_set(ACCOUNT, REGION, "s") == ConfigurationSet("s")


async def test_reads_see_every_change_at_once(store: Store) -> None:
    """A read-only transaction (answered from the read cache on SQLite) sees each write."""
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_configuration_set(ACCOUNT, REGION, ConfigurationSet("s"), T0)
    for sending, reputation in ((False, False), (True, True)):
        async with store.transaction(read_only=True) as tx:
            before = await tx.get_configuration_set(ACCOUNT, REGION, "s")
        assert before is not None
        after = replace(before, sending_enabled=sending, reputation_metrics_enabled=reputation)
        async with store.transaction() as tx:
            await tx.update_configuration_set(ACCOUNT, REGION, after)
        async with store.transaction(read_only=True) as tx:
            assert await tx.get_configuration_set(ACCOUNT, REGION, "s") == after
    async with store.transaction() as tx:
        await tx.insert_event_destination(ACCOUNT, REGION, "s", SENDS)
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_configuration_set(ACCOUNT, REGION, "s")
        assert found is not None
        assert found.event_destinations == (SENDS,)


async def test_messages_keep_their_configuration_set_and_tags(store: Store) -> None:
    tagged = message(
        "m-tagged",
        configuration_set="marketing",
        tags=(("campaign", "spring"), ("ses:feedback-id-a", "list_7"), ("campaign", "again")),
    )
    untagged = message("m-untagged")
    async with store.transaction() as tx:
        await tx.insert_message(tagged)
        await tx.insert_message(untagged)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_message("m-tagged") == tagged
        found = await tx.get_message("m-untagged")
        assert found == untagged
        assert found is not None
        assert found.configuration_set is None
        assert found.tags == ()
