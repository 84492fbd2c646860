"""The async statement surface the statement classes use, over the inline store's synchronous
SQLite connection (:mod:`openses.storage.inline`): ``execute``, ``begin_nested``, ``dialect``,
plus the driver connection, the read cache of a read-only transaction, and the tables written."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Mapping
from typing import Any

from sqlalchemy import Connection, Executable, Table
from sqlalchemy.engine import CursorResult, Dialect

from openses.storage.read_cache import EVERY_TABLE, ReadCache


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
