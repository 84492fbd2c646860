"""Bringing a database's schema up to date with the Alembic migrations shipped in the package.

``migrate(url)`` is safe to run on every start: at the newest revision it changes nothing. The
upgrade runs in one transaction that first takes a lock, so concurrent starts do not race: on
PostgreSQL a transaction-scoped advisory lock, on SQLite the write lock of ``BEGIN IMMEDIATE``.
Schema changes are transactional on both backends, so a failed upgrade leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from openses.storage.engines import create_engine

MIGRATIONS = Path(__file__).with_name("migrations")
#: Key of the PostgreSQL advisory lock held while migrating (any constant bigint will do).
ADVISORY_LOCK_KEY = 0x4F50454E534553  # "OPENSES"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the package's migrations, on ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest revision (a no-op when it is there)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
