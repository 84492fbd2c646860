"""SQLite executed on the event loop: one connection, one transaction at a time.

SQLite answers the store's point reads in microseconds; handing each statement to a worker
thread (aiosqlite under SQLAlchemy's async layer) cost about fifty times that in thread
hand-offs. So the SQLite store runs its statements synchronously, inline, on a single
connection, and an :class:`asyncio.Lock` lets one transaction at a time use it. A transaction
is short and never awaits anything but its own statements, so holding the loop for it is
cheaper than any hand-off. Commits stay synchronous (WAL, ``synchronous=FULL``): success is
answered only once the transaction is on disk.

Read-only transactions (``transaction(read_only=True)``) start with a plain ``BEGIN``, so they
never wait for another process's writer; every other transaction takes the write lock up front
with ``BEGIN IMMEDIATE`` (see :mod:`openses.storage.engines`).

:class:`InlineConnection` gives the synchronous connection the small async surface the
statement classes use (``execute``, ``begin_nested``, ``dialect``), so one set of statements
serves this path and the asyncpg one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Executable
from sqlalchemy.engine import CursorResult, Dialect

from openses.storage.engines import READ_ONLY, create_sqlite_engine


class InlineConnection:
    """The async statement surface over a synchronous connection (no thread, no await)."""

    def __init__(self, connection: Connection) -> None:
        self._sync = connection
        self.dialect: Dialect = connection.dialect

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> CursorResult[*tuple[Any, ...]]:
        return self._sync.execute(statement, parameters)

    @contextlib.asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self._sync.begin_nested():
            yield


class InlineSqlite:
    """One SQLite connection shared by the store's transactions, one at a time."""

    def __init__(self, url: str) -> None:
        self._engine: Engine = create_sqlite_engine(url)
        self._connection: Connection | None = None
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[InlineConnection]:
        async with self._lock:
            connection = self._connect()
            with self._begin(connection, read_only):
                yield InlineConnection(connection)

    def _connect(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = self._engine.connect()
        return self._connection

    @staticmethod
    @contextlib.contextmanager
    def _begin(connection: Connection, read_only: bool) -> Iterator[None]:
        if read_only:
            connection.info[READ_ONLY] = True
        try:
            with connection.begin():
                yield
        finally:
            connection.info.pop(READ_ONLY, None)

    async def close(self) -> None:
        async with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._engine.dispose()
