"""The SQL store: an engine, transactions over it, and opening a migrated store from a URL.

``open_store(database_url(data_dir, url))`` is how the composition root gets its store: the
URL helper picks SQLite in the data directory or the operator's PostgreSQL, ``open_store``
brings the schema up to date and hands back a :class:`SqlStore`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from openses.storage.engines import create_engine
from openses.storage.migrate import migrate
from openses.storage.tx import SqlTx
from openses.storage.urls import DatabaseUrlError, async_url, database_url, sqlite_path

__all__ = ["DatabaseUrlError", "SqlStore", "database_url", "open_store"]


class SqlStore:
    """A :class:`~openses.services.ports.Store` on SQLite or PostgreSQL.

    Each ``transaction()`` runs on its own pooled connection, commits when the block ends
    normally and rolls back when it raises. The store does not create or migrate the schema;
    use :func:`open_store` for that.
    """

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self._engine = create_engine(self.url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTx]:
        async with self._engine.begin() as connection:
            yield SqlTx(connection)

    async def close(self) -> None:
        await self._engine.dispose()


async def open_store(url: str) -> SqlStore:
    """Migrate the database at ``url`` to the newest schema and open a store on it.

    For SQLite the directory of the database file is created if it is missing.
    """
    url = async_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    await migrate(url)
    return SqlStore(url)
