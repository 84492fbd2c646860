"""The migrations produce exactly ``schema.metadata``, run idempotently, and ship in the package."""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from openses.storage.engines import create_engine
from openses.storage.migrate import migrate
from openses.storage.schema import metadata
from openses.storage.store import open_store
from tests.contract.records import account

Schema = dict[str, dict[str, Any]]
#: The newest migration: every store is migrated to it.
HEAD = "0013"


def _describe(connection: Connection) -> Schema:
    """Tables with columns (type, nullability), primary key, indexes, uniques, foreign keys."""
    inspector = inspect(connection)
    described: Schema = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        primary_key = inspector.get_pk_constraint(table)
        described[table] = {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(table)
            ],
            "primary_key": (primary_key["name"], primary_key["constrained_columns"]),
            "indexes": sorted(
                (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                for index in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (str(unique["name"]), tuple(unique["column_names"]))
                for unique in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (
                    str(foreign["name"]),
                    tuple(foreign["constrained_columns"]),
                    foreign["referred_table"],
                    tuple(foreign["referred_columns"]),
                    tuple(sorted(foreign["options"].items())),
                )
                for foreign in inspector.get_foreign_keys(table)
            ),
        }
    return described


async def _schema(url: str) -> Schema:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_describe)
    finally:
        await engine.dispose()


def _differences(connection: Connection) -> list[Any]:
    """What Alembic's autogenerate would still change to reach ``schema.metadata``."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def _autogenerate_diff(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_differences)
    finally:
        await engine.dispose()


async def _revision(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return [str(value) for value in result.scalars()]
    finally:
        await engine.dispose()


async def _create_all(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
    finally:
        await engine.dispose()


async def test_migrating_an_empty_database_gives_the_schema_of_create_all(
    empty_databases: list[str],
) -> None:
    migrated_url, created_url, _ = empty_databases
    await migrate(migrated_url)
    await _create_all(created_url)
    migrated = await _schema(migrated_url)
    assert set(migrated) == {table.name for table in metadata.sorted_tables}
    assert migrated == await _schema(created_url)
    assert await _revision(migrated_url) == [HEAD]
    assert await _autogenerate_diff(migrated_url) == []


async def test_migrating_again_changes_nothing_and_keeps_the_data(
    empty_databases: list[str],
) -> None:
    url = empty_databases[0]
    store = await open_store(url)
    try:
        async with store.transaction() as tx:
            await tx.insert_account(account())
    finally:
        await store.close()
    before = await _schema(url)
    await migrate(url)
    store = await open_store(url)
    try:
        async with store.transaction() as tx:
            assert await tx.get_account(account().account_id) == account()
    finally:
        await store.close()
    assert await _schema(url) == before
    assert await _revision(url) == [HEAD]


async def test_concurrent_migrations_of_one_database_all_succeed(
    empty_databases: list[str],
) -> None:
    url = empty_databases[2]
    await asyncio.gather(*(migrate(url) for _ in range(4)))
    assert await _revision(url) == [HEAD]
    assert set(await _schema(url)) == {table.name for table in metadata.sorted_tables}


def test_the_migrations_are_package_data() -> None:
    migrations = resources.files("openses.storage") / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "versions" / "0001_initial.py").is_file()
