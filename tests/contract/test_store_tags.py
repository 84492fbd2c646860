"""The storage contract: resource tags, per account, region and resource, in the order given;
and migration 0012 moving the tags configuration sets and custom verification templates kept
in their own rows into the one tags table."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from openses.domain.tags import ResourceType, TaggedResource
from openses.services.ports import Store
from openses.storage.engines import create_engine
from openses.storage.migrate import alembic_config, migrate
from openses.storage.store import open_store
from tests.contract.records import ACCOUNT, OTHER_ACCOUNT, OTHER_REGION, REGION, account

SET = TaggedResource(ResourceType.CONFIGURATION_SET, "marketing")
IDENTITY = TaggedResource(ResourceType.IDENTITY, "example.com")


async def _accounts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))


async def _tags(store: Store, resource: TaggedResource, account_id: str = ACCOUNT) -> object:
    async with store.transaction(read_only=True) as tx:
        return await tx.list_resource_tags(account_id, REGION, resource)


async def test_tags_keep_their_order_and_take_new_values_in_place(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_resource_tags(ACCOUNT, REGION, SET, [("team", "Grüße ✓"), ("env", "")])
    async with store.transaction() as tx:
        await tx.put_resource_tags(ACCOUNT, REGION, SET, [("cost", "42"), ("team", "ops")])
    assert await _tags(store, SET) == (("team", "ops"), ("env", ""), ("cost", "42"))


async def test_tags_belong_to_one_resource_account_and_region(store: Store) -> None:
    await _accounts(store)
    same_name = TaggedResource(ResourceType.TEMPLATE, "marketing")
    async with store.transaction() as tx:
        await tx.put_resource_tags(ACCOUNT, REGION, SET, [("a", "1")])
        await tx.put_resource_tags(ACCOUNT, REGION, same_name, [("b", "2")])
        await tx.put_resource_tags(OTHER_ACCOUNT, REGION, SET, [("c", "3")])
        await tx.put_resource_tags(ACCOUNT, OTHER_REGION, SET, [("d", "4")])
    async with store.transaction(read_only=True) as tx:
        found = [
            await tx.list_resource_tags(ACCOUNT, REGION, SET),
            await tx.list_resource_tags(ACCOUNT, REGION, same_name),
            await tx.list_resource_tags(OTHER_ACCOUNT, REGION, SET),
            await tx.list_resource_tags(ACCOUNT, OTHER_REGION, SET),
            await tx.list_resource_tags(ACCOUNT, REGION, IDENTITY),
        ]
    assert found == [(("a", "1"),), (("b", "2"),), (("c", "3"),), (("d", "4"),), ()]


async def test_deleting_some_keys_or_all_of_them(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_resource_tags(ACCOUNT, REGION, SET, [("a", "1"), ("b", "2"), ("c", "3")])
        await tx.put_resource_tags(ACCOUNT, REGION, IDENTITY, [("a", "kept")])
    async with store.transaction() as tx:
        await tx.delete_resource_tags(ACCOUNT, REGION, SET, {"b", "absent"})
        await tx.delete_resource_tags(ACCOUNT, REGION, SET, set())
    assert await _tags(store, SET) == (("a", "1"), ("c", "3"))
    async with store.transaction() as tx:
        await tx.delete_resource_tags(ACCOUNT, REGION, SET)
    assert await _tags(store, SET) == ()
    assert await _tags(store, IDENTITY) == (("a", "kept"),)


async def test_the_longest_keys_values_and_identity_names_are_kept_whole(store: Store) -> None:
    await _accounts(store)
    address = TaggedResource(ResourceType.IDENTITY, f"{'a' * 64}@{'b' * 247}.example")
    async with store.transaction() as tx:
        await tx.put_resource_tags(ACCOUNT, REGION, address, [("ké" * 64, "vé" * 128)])
    assert await _tags(store, address) == (("ké" * 64, "vé" * 128),)


# ---------------------------------------------------------------------- migration 0012

_OLD_ROWS = (
    "INSERT INTO accounts (account_id, created_at, production, sending_enabled, "
    "max_24_hour_send, max_send_rate) VALUES ('111122223333', 0, true, true, 200, 1)",
    "INSERT INTO configuration_sets (account_id, region, name, created_at, sending_enabled, "
    "reputation_metrics_enabled, tls_policy, tags) VALUES ('111122223333', 'us-east-1', "
    "'marketing', 0, true, false, 'OPTIONAL', :set_tags)",
    "INSERT INTO configuration_sets (account_id, region, name, created_at, sending_enabled, "
    "reputation_metrics_enabled, tls_policy, tags) VALUES ('111122223333', 'us-east-1', "
    "'plain', 0, true, false, 'OPTIONAL', '[]')",
    "INSERT INTO custom_verification_templates (account_id, region, name, from_address, "
    "subject, content, success_url, failure_url, tags, created_at) VALUES ('111122223333', "
    "'eu-west-1', 'welcome', 'verify@brand.example', 's', 'c', 'https://a.example/', "
    "'https://b.example/', :template_tags, 0)",
)


def _at_0011_with_tagged_rows(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "0011")
    values = {
        "set_tags": json.dumps([["team", "Grüße ✓"], ["env", ""]], ensure_ascii=False),
        "template_tags": json.dumps([["owner", "growth"]]),
    }
    for statement in _OLD_ROWS:
        connection.execute(text(statement), values)


async def test_migration_moves_the_tags_rows_kept(empty_databases: list[str]) -> None:
    url = empty_databases[0]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_at_0011_with_tagged_rows)
    finally:
        await engine.dispose()
    await migrate(url)
    store = await open_store(url)
    try:
        async with store.transaction(read_only=True) as tx:
            moved = [
                await tx.list_resource_tags(ACCOUNT, REGION, SET),
                await tx.list_resource_tags(
                    ACCOUNT, REGION, TaggedResource(ResourceType.CONFIGURATION_SET, "plain")
                ),
                await tx.list_resource_tags(
                    ACCOUNT,
                    OTHER_REGION,
                    TaggedResource(ResourceType.CUSTOM_VERIFICATION_EMAIL_TEMPLATE, "welcome"),
                ),
            ]
            kept = await tx.get_configuration_set(ACCOUNT, REGION, "marketing")
    finally:
        await store.close()
    assert moved == [(("team", "Grüße ✓"), ("env", "")), (), (("owner", "growth"),)]
    assert kept is not None
    assert kept.name == "marketing"
