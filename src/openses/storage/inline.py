"""SQLite executed on the event loop: one connection, one transaction at a time.

SQLite answers the store's point reads in microseconds; handing each statement to a worker
thread (aiosqlite under SQLAlchemy's async layer) cost about fifty times that in thread
hand-offs. So the SQLite store runs its statements synchronously, inline, on a single
connection, and an :class:`asyncio.Lock` lets one transaction at a time use it. A transaction
is short and never awaits anything but its own statements, so holding the loop for it is
cheaper than any hand-off. Commits stay synchronous (WAL, ``synchronous=FULL``): success is
answered only once the transaction is on disk.

The transaction itself is run on the ``sqlite3`` connection directly (``BEGIN`` … ``COMMIT``),
not through SQLAlchemy's transaction objects, which cost more than the reads they wrap:

- read-only transactions (``transaction(read_only=True)``) start with a plain ``BEGIN``, so
  they never wait for another process's writer, and then read ``PRAGMA data_version``: the
  first read fixes the transaction's snapshot, and the value tells whether another connection
  committed since the store's read cache was filled (:mod:`openses.storage.read_cache`). Their
  reads may be answered from the cache;
- every other transaction takes the write lock up front with ``BEGIN IMMEDIATE`` (see
  :mod:`openses.storage.engines`), reads from the database only, and when it ends drops the
  cached reads that depend on the tables it wrote.

Statements given as SQLAlchemy constructs still run through SQLAlchemy's ``Connection`` (on the
same driver connection, inside the same transaction: SQLAlchemy's own ``BEGIN`` is switched off
for this connection, see :data:`~openses.storage.engines.RAW_TRANSACTIONS`).

:class:`InlineConnection` gives the synchronous connection the small async surface the
statement classes use (``execute``, ``begin_nested``, ``dialect``), so one set of statements
serves this path and the asyncpg one; it also hands them the driver connection and, in a
read-only transaction, the read cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, Executable, Table
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.exc import DBAPIError

from openses.storage.engines import RAW_TRANSACTIONS, create_sqlite_engine
from openses.storage.read_cache import EVERY_TABLE, ReadCache

T = TypeVar("T")


class InlineConnection:
    """The async statement surface over a synchronous connection (no thread, no await).

    It also notes the tables its statements write (``written``; :data:`EVERY_TABLE` for a
    statement that is neither a select nor an insert, update or delete of one table), so that
    the transaction can drop exactly the cached reads that depended on them.
    """

    __slots__ = ("_sync", "cache", "dialect", "driver", "written")

    def __init__(
        self, connection: Connection, driver: sqlite3.Connection, cache: ReadCache | None
    ) -> None:
        self._sync = connection
        self.dialect: Dialect = connection.dialect
        self.driver = driver
        #: The store's read cache in a read-only transaction, else None.
        self.cache = cache
        self.written: set[str] = set()

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> CursorResult[*tuple[Any, ...]]:
        if not statement.is_select:
            self.written.add(_written_table(statement))
        return self._sync.execute(statement, parameters)

    @contextlib.asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self._sync.begin_nested():
            yield


def _written_table(statement: Executable) -> str:
    table = getattr(statement, "table", None) if statement.is_dml else None
    return table.name if isinstance(table, Table) else EVERY_TABLE


class InlineSqlite:
    """One SQLite connection shared by the store's transactions, one at a time."""

    def __init__(self, url: str, *, cache: ReadCache | None = None) -> None:
        self._engine: Engine = create_sqlite_engine(url)
        self._connection: Connection | None = None
        self._driver: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self.cache = ReadCache() if cache is None else cache

    def transaction(
        self, wrap: Callable[[InlineConnection], T], *, read_only: bool = False
    ) -> InlineTransaction[T]:
        """``async with`` it for ``wrap(connection)`` inside a transaction (see the module)."""
        return InlineTransaction(self, wrap, read_only)

    def _connect(self) -> tuple[Connection, sqlite3.Connection]:
        if self._connection is None or self._connection.closed or self._driver is None:
            connection = self._engine.connect()
            connection.info[RAW_TRANSACTIONS] = True
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            self._connection, self._driver = connection, driver
            self.cache.reset()  # another connection: its data_version starts afresh
        return self._connection, self._driver

    async def close(self) -> None:
        async with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
                self._driver = None
            self._engine.dispose()


class InlineTransaction(Generic[T]):
    """One transaction of an :class:`InlineSqlite`: commits when the block ends normally,
    rolls back when it raises. (A class rather than a generator-based context manager: this
    runs twice per API request, and the generator machinery cost more than the transaction.)
    """

    __slots__ = (
        "_changes",
        "_connection",
        "_driver",
        "_inline",
        "_owner",
        "_read_only",
        "_wrap",
    )
    _connection: Connection
    _driver: sqlite3.Connection
    _inline: InlineConnection

    def __init__(
        self, owner: InlineSqlite, wrap: Callable[[InlineConnection], T], read_only: bool
    ) -> None:
        self._owner = owner
        self._wrap = wrap
        self._read_only = read_only
        self._changes = 0

    async def __aenter__(self) -> T:
        owner = self._owner
        await owner._lock.acquire()
        try:
            connection, driver = owner._connect()
            self._connection, self._driver = connection, driver
            read_only = self._read_only
            _run(driver, "BEGIN" if read_only else "BEGIN IMMEDIATE")
            try:
                self._changes = driver.total_changes
                cache = owner.cache
                if read_only:
                    # The first read: it fixes the snapshot, which the version describes.
                    cache.check(_run(driver, "PRAGMA data_version").fetchone()[0])
                inline = InlineConnection(connection, driver, cache if read_only else None)
                self._inline = inline
                return self._wrap(inline)
            except BaseException:
                _end(connection, driver, commit=False)
                raise
        except BaseException:
            owner._lock.release()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        owner, connection, driver = self._owner, self._connection, self._driver
        try:
            if exc_type is None:
                try:
                    _end(connection, driver, commit=True)
                except BaseException:
                    _end(connection, driver, commit=False)
                    raise
            else:
                _end(connection, driver, commit=False)
        finally:
            try:
                written = self._inline.written
                if not written and driver.total_changes != self._changes:
                    written = {EVERY_TABLE}  # rows changed, by statements we did not see
                owner.cache.forget(written)
            finally:
                owner._lock.release()


def _run(driver: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    try:
        return driver.execute(sql)
    except sqlite3.Error as error:  # as SQLAlchemy would have raised it
        raise DBAPIError.instance(sql, (), error, sqlite3.Error) from error


def _end(connection: Connection, driver: sqlite3.Connection, *, commit: bool) -> None:
    """Commit or roll back, on the driver and in SQLAlchemy's bookkeeping alike.

    SQLAlchemy begins its own (bookkeeping-only) transaction when a statement runs through it;
    its commit/rollback ends the driver's transaction too (``sqlite3`` then issues ``COMMIT``
    or ``ROLLBACK``). Whatever is still open on the driver after that is ended directly.
    """
    if commit:
        if connection.in_transaction():
            connection.commit()
        if driver.in_transaction:
            _run(driver, "COMMIT")
        return
    try:
        if connection.in_transaction():
            connection.rollback()
    finally:
        if driver.in_transaction:
            _run(driver, "ROLLBACK")
