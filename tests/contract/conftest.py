"""Fixtures of the storage contract suite: one store per backend, every test on a clean database.

Every test that asks for ``store`` (or ``backend``) runs twice: on SQLite in the test's temporary
directory, and on PostgreSQL at ``OPENSES_TEST_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``). The PostgreSQL tests never touch that database
itself: the session creates ``openses_test_<random>`` databases next to it, empties their tables
before each test (``TRUNCATE … CASCADE``), and drops them at the end. Without a reachable
PostgreSQL those tests are skipped, saying so, unless ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from openses.services.ports import Store
from openses.storage.migrate import migrate
from openses.storage.schema import metadata
from openses.storage.store import SqlStore, open_store
from openses.storage.urls import async_url, database_url

POSTGRES_URL = os.environ.get(
    "OPENSES_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


async def _admin(*statements: str) -> None:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on the admin database."""
    engine = create_async_engine(
        async_url(POSTGRES_URL),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"timeout": 5},
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


class PostgresDatabases:
    """Creates uniquely named databases on the test server and drops them all at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def create(self) -> str:
        name = f"openses_test_{secrets.token_hex(6)}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return make_url(async_url(POSTGRES_URL)).set(database=name).render_as_string(False)

    def drop_all(self) -> None:
        statements = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.names]
        if statements:
            asyncio.run(_admin(*statements))
        self.names.clear()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    try:
        asyncio.run(_admin("SELECT 1"))
    except Exception as error:  # whatever stops us connecting means: not reachable
        shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        message = f"PostgreSQL was not reachable at {shown} ({type(error).__name__}: {error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires the PostgreSQL contract tests to run")
        pytest.skip(message)
    databases = PostgresDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture(scope="session")
def postgres_store_url(postgres_databases: PostgresDatabases) -> str:
    """The session's migrated PostgreSQL database for the behaviour tests."""
    url = postgres_databases.create()
    asyncio.run(migrate(url))
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        return database_url(tmp_path / "data", None)
    url: str = request.getfixturevalue("postgres_store_url")
    return url


@pytest.fixture
async def store(backend: str, store_url: str) -> AsyncIterator[Store]:
    """A migrated store with no rows in any table."""
    if backend == "sqlite":
        opened = await open_store(store_url)
    else:
        opened = SqlStore(store_url)
        await _truncate(opened)
    try:
        yield opened
    finally:
        await opened.close()


async def _truncate(store: SqlStore) -> None:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    engine = create_async_engine(store.url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture
def empty_databases(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    """Three URLs of fresh, empty databases on the backend (nothing created in them yet)."""
    if backend == "sqlite":
        directories = [tmp_path / f"db{index}" for index in range(3)]
        for directory in directories:
            directory.mkdir()
        return [database_url(directory, None) for directory in directories]
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return [databases.create() for _ in range(3)]
