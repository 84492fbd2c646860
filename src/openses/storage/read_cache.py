"""The SQLite store's read cache: records read by read-only transactions, exact at all times.

Every request reads the same few rows (its access key, account, IAM user and policies; the
identities and policies a send checks) and they change rarely. The cache keeps what read-only
transactions read, keyed by what was asked (``("access_key", key_id)``; absent rows too, as
``None``) and grouped by the tables the read depends on, and throws values away whenever the
database may have changed under them:

- another connection committed (another process — the ``openses admin`` commands — or another
  store in this one): SQLite's ``PRAGMA data_version`` on the store's connection changes. The
  store reads it first thing in every read-only transaction, inside that transaction's
  snapshot, and :meth:`ReadCache.check` empties the whole cache when it differs from the value
  the cache was filled under (what the other connection wrote is unknown). So a cached value
  is only ever served to a transaction whose snapshot holds exactly the data it was read from;
- this connection wrote: a read-write transaction reports the tables its statements wrote
  (:meth:`ReadCache.forget`), and every group depending on one of them, or on a table whose
  deletion or update cascades into one of them (foreign keys), is dropped, whether the
  transaction committed or not. A statement whose table is unknown (raw SQL, DDL) drops
  everything, and so does a read-only transaction that changed rows anyway;
- the connection was reopened (``data_version`` values of two connections are not comparable).

So a send (which writes the outbox, the send counters and the rate bucket) keeps the cached
keys, users and policies, while any change to those drops them at once.

Read-write transactions never read from or fill the cache. PostgreSQL stores have no cache:
other nodes commit without this one being told (see ``docs/decisions/0007-sqlite-read-cache.md``).

Cached values must be immutable (the domain's frozen records, tuples, ``None``), because every
later reader gets the same object. The cache holds at most ``max_entries`` values and starts
over when full, so unknown access key ids cannot grow it without bound.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Final

from sqlalchemy import Table

CacheKey = tuple[Hashable, ...]

MISSING: Final = object()
"""What :meth:`ReadCache.get` answers for a key it does not hold (``None`` is a value)."""

EVERY_TABLE: Final = "*"
"""A written "table" name meaning: any table may have changed."""

DEFAULT_MAX_ENTRIES: Final = 50_000


class Depends:
    """The tables a cached read depends on: those it reads, and (found through the foreign
    keys) every table whose writes can cascade into them."""

    __slots__ = ("names", "reads")

    def __init__(self, *tables: Table) -> None:
        self.reads = frozenset(table.name for table in tables)
        names: set[str] = set()
        pending = list(tables)
        while pending:
            table = pending.pop()
            if table.name not in names:
                names.add(table.name)
                pending.extend(key.column.table for key in table.foreign_keys)
        self.names = frozenset(names)

    def __repr__(self) -> str:
        return f"Depends({', '.join(sorted(self.reads))})"


class ReadCache:
    """Values read under one ``data_version`` of one connection (see the module docstring)."""

    __slots__ = ("_groups", "_size", "max_entries", "version")

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.version: int | None = None
        self._groups: dict[Depends, dict[CacheKey, object]] = {}
        self._size = 0

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._groups.values())

    def check(self, version: int) -> None:
        """Keep the entries only if they were read under ``data_version`` ``version``."""
        if version != self.version:
            self.clear()
            self.version = version

    def get(self, depends: Depends, key: CacheKey) -> object:
        entries = self._groups.get(depends)
        return MISSING if entries is None else entries.get(key, MISSING)

    def put(self, depends: Depends, key: CacheKey, value: object) -> None:
        if self._size >= self.max_entries:
            self.clear()
        entries = self._groups.get(depends)
        if entries is None:
            entries = self._groups[depends] = {}
        if key not in entries:
            self._size += 1
        entries[key] = value

    def forget(self, written: Collection[str]) -> None:
        """Drop what depends on the ``written`` tables (:data:`EVERY_TABLE`: everything)."""
        if not written:
            return
        if EVERY_TABLE in written:
            self.clear()
            return
        for depends in [d for d in self._groups if not d.names.isdisjoint(written)]:
            self._size -= len(self._groups.pop(depends))

    def clear(self) -> None:
        """Forget every value (the version stays: the next check still compares with it)."""
        self._groups.clear()
        self._size = 0

    def reset(self) -> None:
        """Forget every value and the version (a new connection)."""
        self.clear()
        self.version = None
