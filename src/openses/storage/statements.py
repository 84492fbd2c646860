"""The base of the storage transaction: its connection and the statements every area shares.

The few places where SQLite and PostgreSQL differ are spelled out here: upserts (``INSERT … ON
CONFLICT`` through each dialect's ``insert``), text ordering (PostgreSQL sorts by its ``"C"``
collation so that both backends order names by code point, as Python does), and telling a
duplicate key from other integrity errors.

Reads on the request paths use :class:`Prepared` statements: built once per backend with
``bindparam`` placeholders (building a SQLAlchemy select costs tens of microseconds, running
a ready one through SQLAlchemy about twenty, running its compiled SQL on the ``sqlite3``
connection two or three). On SQLite the statement's SQL is compiled once and run on the driver
connection of the transaction; on PostgreSQL the ready statement goes through SQLAlchemy (its
compiled cache then always hits). On SQLite, read-only transactions also answer the point
reads of accounts, keys, users, identities and policies from the store's
:class:`~openses.storage.read_cache.ReadCache` (:meth:`Statements._cached`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Executable,
    Insert,
    Select,
    Table,
    Update,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect, RowMapping
from sqlalchemy.exc import DBAPIError, IntegrityError

from openses.services.ports import Conflict
from openses.storage.inline_connection import InlineConnection
from openses.storage.read_cache import MISSING, CacheKey, Depends, ReadCache
from openses.storage.rows import Row, Values

_UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATE
_SQLITE_DUPLICATE = frozenset(
    {sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE}
)

T = TypeVar("T")


def is_duplicate_key(error: IntegrityError) -> bool:
    """Whether the integrity error is a unique/primary key clash (not, say, a foreign key)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return getattr(original, "sqlite_errorcode", None) in _SQLITE_DUPLICATE


class StatementConnection(Protocol):
    """What the statements need of a connection: SQLAlchemy's ``AsyncConnection`` on
    PostgreSQL, :class:`~openses.storage.inline_connection.InlineConnection` on SQLite."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> CursorResult[*tuple[Any, ...]]: ...

    def begin_nested(self) -> AbstractAsyncContextManager[Any]: ...


# ------------------------------------------------------------------ prepared statements


class _SqliteBinds:
    """A statement compiled once for ``sqlite3``: its SQL and how to order the parameters
    (through SQLAlchemy's own bind processors)."""

    __slots__ = ("names", "sql")

    def __init__(self, statement: Select[Any] | Insert | Update, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        names: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"prepared statements take no expanding parameters: {name}")
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            # A required bindparam is read from the call's parameters by its key; a literal
            # value of the statement (``kind == "send"``, ``LIMIT 1``) is fixed here.
            fixed = MISSING if bind.required else bind.effective_value
            names.append((bind.key, fixed, processor))
        self.names = tuple(names)

    def arguments(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        values = []
        for key, fixed, processor in self.names:
            value = parameters[key] if fixed is MISSING else fixed
            values.append(value if processor is None else processor(value))
        return tuple(values)

    def run(self, connection: sqlite3.Connection, parameters: Mapping[str, Any]) -> int:
        """Execute a data-changing statement; the number of rows it changed."""
        arguments = self.arguments(parameters)
        try:
            return connection.execute(self.sql, arguments).rowcount
        except sqlite3.IntegrityError as error:  # as SQLAlchemy would have raised them
            raise IntegrityError(self.sql, arguments, error) from error
        except sqlite3.Error as error:
            raise DBAPIError.instance(self.sql, arguments, error, sqlite3.Error) from error


class _SqliteQuery(_SqliteBinds):
    """A select compiled once for ``sqlite3``, and how to turn a result tuple into a row
    (SQLAlchemy's own result processors)."""

    __slots__ = ("columns", "converters")

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        super().__init__(statement, dialect)
        self.columns = tuple(statement.selected_columns.keys())
        self.converters = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        )

    def fetch(self, connection: sqlite3.Connection, parameters: Mapping[str, Any]) -> list[Row]:
        arguments = self.arguments(parameters)
        try:
            found = connection.execute(self.sql, arguments).fetchall()
        except sqlite3.Error as error:  # as SQLAlchemy would have raised it
            raise DBAPIError.instance(self.sql, arguments, error, sqlite3.Error) from error
        columns, converters = self.columns, self.converters
        if not any(converters):
            return [dict(zip(columns, values, strict=True)) for values in found]
        return [
            {
                column: value if convert is None else convert(value)
                for column, convert, value in zip(columns, converters, values, strict=True)
            }
            for values in found
        ]


class Prepared:
    """A select built once per backend from ``build(postgres)``, with ``bindparam`` values.

    ``build`` receives whether the backend is PostgreSQL (for its ``"C"`` collation); the
    parameters of a run are passed by bindparam key (:meth:`Statements._rows`).
    """

    __slots__ = ("_build", "_postgres", "_sqlite", "_sqlite_query")

    def __init__(self, build: Callable[[bool], Select[Any]]) -> None:
        self._build = build
        self._postgres: Select[Any] | None = None
        self._sqlite: Select[Any] | None = None
        self._sqlite_query: _SqliteQuery | None = None

    def statement(self, postgres: bool) -> Select[Any]:
        if postgres:
            if self._postgres is None:
                self._postgres = self._build(True)
            return self._postgres
        if self._sqlite is None:
            self._sqlite = self._build(False)
        return self._sqlite

    def sqlite_query(self, dialect: Dialect) -> _SqliteQuery:
        """The statement compiled for ``sqlite3`` (once: every SQLite engine's dialect is the
        same ``pysqlite`` one)."""
        if self._sqlite_query is None:
            self._sqlite_query = _SqliteQuery(self.statement(False), dialect)
        return self._sqlite_query


class PreparedWrite:
    """An INSERT, UPDATE or upsert of ``table`` built once per backend from ``build(postgres)``
    with ``bindparam`` values (see :meth:`Statements._write`)."""

    __slots__ = ("_build", "_postgres", "_sqlite", "table")

    def __init__(self, table: Table, build: Callable[[bool], Insert | Update]) -> None:
        self.table = table
        self._build = build
        self._postgres: Insert | Update | None = None
        self._sqlite: _SqliteBinds | None = None

    def statement(self) -> Insert | Update:
        """The PostgreSQL statement (SQLite runs :meth:`sqlite_binds` on the driver)."""
        if self._postgres is None:
            self._postgres = self._build(True)
        return self._postgres

    def sqlite_binds(self, dialect: Dialect) -> _SqliteBinds:
        if self._sqlite is None:
            self._sqlite = _SqliteBinds(self._build(False), dialect)
        return self._sqlite


def ordered(column: ColumnElement[Any], postgres: bool) -> ColumnElement[Any]:
    """``column`` for ORDER BY: by code point on both backends (``"C"`` on PostgreSQL)."""
    return column.collate("C") if postgres else column


# ------------------------------------------------------------------------- statements


class Statements:
    """One connection inside an open transaction, and helpers to run statements on it.

    ``_cache`` is the store's read cache when this is a read-only SQLite transaction (reads may
    be answered from it and fill it), else ``None`` (every read goes to the database).
    """

    def __init__(self, connection: StatementConnection) -> None:
        self._conn = connection
        self._postgres = connection.dialect.name == "postgresql"
        self._driver: sqlite3.Connection | None = None
        self._cache: ReadCache | None = None
        if isinstance(connection, InlineConnection):
            self._driver = connection.driver
            self._cache = connection.cache

    def _ordered(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return ordered(column, self._postgres)

    async def _rows(self, prepared: Prepared, parameters: Mapping[str, Any]) -> list[Row]:
        """The rows of a prepared select (as mappings of column name to value)."""
        if self._driver is not None:
            return prepared.sqlite_query(self._conn.dialect).fetch(self._driver, parameters)
        result = await self._conn.execute(prepared.statement(self._postgres), parameters)
        return list(result.mappings())

    async def _write(self, prepared: PreparedWrite, parameters: Mapping[str, Any]) -> int:
        """Run a prepared data-changing statement; the number of rows it changed. On SQLite it
        runs on the driver connection, and the table is noted as written (read cache)."""
        if self._driver is not None:
            assert isinstance(self._conn, InlineConnection)
            self._conn.written.add(prepared.table.name)
            return prepared.sqlite_binds(self._conn.dialect).run(self._driver, parameters)
        result = await self._conn.execute(prepared.statement(), parameters)
        return result.rowcount

    async def _row(self, prepared: Prepared, parameters: Mapping[str, Any]) -> Row | None:
        found = await self._rows(prepared, parameters)
        return found[0] if found else None

    async def _cached(self, depends: Depends, key: CacheKey, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, answered from the read cache when this transaction may use it.

        ``depends`` names the tables ``load`` reads. Values kept in the cache must be
        immutable (records, tuples, ``None``): every later reader gets the same object.
        """
        cache = self._cache
        if cache is None:
            return await load()
        found = cache.get(depends, key)
        if found is not MISSING:
            return cast(T, found)
        value = await load()
        cache.put(depends, key, value)
        return value

    async def _insert_unique(self, table: Table, values: Values, what: str) -> None:
        # In a savepoint, so that a clash leaves the transaction usable on PostgreSQL too.
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(table).values(values))
        except IntegrityError as error:
            if is_duplicate_key(error):
                raise Conflict(f"{what} already exists") from None
            raise

    async def _upsert(self, table: Table, values: Values, key: Sequence[str]) -> None:
        changed = [name for name in values if name not in key]
        if self._postgres:
            pg = postgresql.insert(table).values(values)
            await self._conn.execute(
                pg.on_conflict_do_update(
                    index_elements=list(key), set_={name: pg.excluded[name] for name in changed}
                )
            )
        else:
            lite = sqlite.insert(table).values(values)
            await self._conn.execute(
                lite.on_conflict_do_update(
                    index_elements=list(key), set_={name: lite.excluded[name] for name in changed}
                )
            )

    async def _deleted(self, table: Table, *where: ColumnElement[bool]) -> int:
        result = await self._conn.execute(delete(table).where(*where))
        return result.rowcount

    async def _count(self, table: Table, *where: ColumnElement[bool]) -> int:
        result = await self._conn.execute(select(func.count()).select_from(table).where(*where))
        return int(result.scalar_one())

    async def _first(self, table: Table, *where: ColumnElement[bool]) -> RowMapping | None:
        result = await self._conn.execute(select(table).where(*where))
        return result.mappings().first()
