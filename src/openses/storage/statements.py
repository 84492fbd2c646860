"""The base of the storage transaction: its connection and the statements every area shares.

The few places where SQLite and PostgreSQL differ are spelled out here: upserts (``INSERT … ON
CONFLICT`` through each dialect's ``insert``), text ordering (PostgreSQL sorts by its ``"C"``
collation so that both backends order names by code point, as Python does), and telling a
duplicate key from other integrity errors.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Executable, Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Dialect, RowMapping
from sqlalchemy.exc import IntegrityError

from openses.services.ports import Conflict
from openses.storage.rows import Values

_UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATE
_SQLITE_DUPLICATE = frozenset(
    {sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE}
)


def is_duplicate_key(error: IntegrityError) -> bool:
    """Whether the integrity error is a unique/primary key clash (not, say, a foreign key)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return getattr(original, "sqlite_errorcode", None) in _SQLITE_DUPLICATE


class StatementConnection(Protocol):
    """What the statements need of a connection: SQLAlchemy's ``AsyncConnection`` on
    PostgreSQL, :class:`~openses.storage.inline.InlineConnection` on SQLite."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> CursorResult[*tuple[Any, ...]]: ...

    def begin_nested(self) -> AbstractAsyncContextManager[Any]: ...


class Statements:
    """One connection inside an open transaction, and helpers to run statements on it."""

    def __init__(self, connection: StatementConnection) -> None:
        self._conn = connection
        self._postgres = connection.dialect.name == "postgresql"

    def _ordered(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column.collate("C") if self._postgres else column

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

    async def _first(self, table: Table, *where: ColumnElement[bool]) -> RowMapping | None:
        result = await self._conn.execute(select(table).where(*where))
        return result.mappings().first()
