"""The SQL store: an engine, transactions over it, and opening a migrated store from a URL.

``open_store(database_url(data_dir, url))`` is how the composition root gets its store: the
URL helper picks SQLite in the data directory or the operator's PostgreSQL, ``open_store``
brings the schema up to date and hands back a :class:`SqlStore`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine

from openses.storage.engines import create_engine
from openses.storage.inline import InlineSqlite
from openses.storage.migrate import migrate
from openses.storage.tx import SqlTx
from openses.storage.urls import DatabaseUrlError, async_url, database_url, is_sqlite, sqlite_path

__all__ = ["DatabaseUrlError", "SqlStore", "database_url", "open_store"]


class SqlStore:
    """A :class:`~openses.services.ports.Store` on SQLite or PostgreSQL.

    Each ``transaction()`` commits when the block ends normally and rolls back when it raises.
    On PostgreSQL it runs on its own pooled asyncpg connection; on SQLite the store's one
    connection runs it inline on the event loop (:mod:`openses.storage.inline`), and read-only
    transactions may be answered from the store's read cache, which is exact: it is dropped
    whenever another connection commits or this one writes (:mod:`openses.storage.read_cache`).
    PostgreSQL reads always go to the database. The store does not create or migrate the
    schema; use :func:`open_store` for that.
    """

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self._sqlite: InlineSqlite | None = None
        self._engine: AsyncEngine | None = None
        if is_sqlite(self.url):
            self._sqlite = InlineSqlite(self.url)
        else:
            self._engine = create_engine(self.url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "sqlite" if self._engine is None else self._engine.dialect.name

    def transaction(self, *, read_only: bool = False) -> AbstractAsyncContextManager[SqlTx]:
        """A transaction; ``read_only`` ones must not write (on SQLite they take no lock, and
        may be answered from the read cache, see :mod:`openses.storage.read_cache`)."""
        if self._sqlite is not None:
            return self._sqlite.transaction(SqlTx, read_only=read_only)
        return self._postgres_transaction()

    @contextlib.asynccontextmanager
    async def _postgres_transaction(self) -> AsyncIterator[SqlTx]:
        assert self._engine is not None
        async with self._engine.begin() as connection:
            yield SqlTx(connection)

    async def close(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.close()
        if self._engine is not None:
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
