"""Engines set up the way the store relies on, for SQLite and PostgreSQL alike.

SQLite: every connection runs in WAL mode with a busy timeout and foreign keys enforced, and
SQLAlchemy (not the ``sqlite3`` module) issues ``BEGIN IMMEDIATE`` for every transaction. Taking
the write lock up front means a transaction that reads and then writes waits its turn (for up to
the busy timeout) instead of failing with ``SQLITE_BUSY_SNAPSHOT`` when another writer committed
in between; it also makes savepoints and DDL transactional.

The store runs SQLite through the synchronous ``pysqlite`` engine (``create_sqlite_engine``,
see :mod:`openses.storage.inline`), which begins and ends its transactions on the driver
connection itself (and marks the connection with :data:`RAW_TRANSACTIONS`, so that SQLAlchemy
issues no ``BEGIN`` of its own there); migrations and tools use the async engine of
``create_engine``.

PostgreSQL (asyncpg): pooled connections, checked before use.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from openses.storage.urls import async_url

#: Key in a SQLite connection's ``info`` marking the next transaction as read-only (plain BEGIN).
READ_ONLY = "openses_read_only"
#: Key in a SQLite connection's ``info``: its owner issues BEGIN itself, SQLAlchemy must not.
RAW_TRANSACTIONS = "openses_raw_transactions"
#: How long a SQLite writer waits for the lock before giving up with "database is locked".
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
#: Pause between attempts to switch a new SQLite database to WAL mode.
WAL_SWITCH_RETRY_SECONDS = 0.01
#: How long to wait for a PostgreSQL connection to open.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10.0


def create_engine(url: str) -> AsyncEngine:
    """An engine for ``url`` (plain ``postgresql://`` / ``sqlite://`` URLs are accepted too)."""
    parsed = make_url(async_url(url))
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        parsed,
        pool_pre_ping=True,
        connect_args={"timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS},
    )


def create_sqlite_engine(url: str) -> Engine:
    """A synchronous engine on the SQLite database of ``url``, with the same connection setup."""
    parsed = make_url(async_url(url)).set(drivername="sqlite+pysqlite")
    engine = create_sync_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    # Leave transaction control to SQLAlchemy (see _sqlite_begin): the sqlite3 module's own
    # handling skips BEGIN before SELECT, DDL and SAVEPOINT.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")
        _enter_wal_mode(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _enter_wal_mode(cursor: Any) -> None:
    # Switching a new database to WAL needs an exclusive lock, and SQLite reports "database is
    # locked" at once (without the busy handler) while another connection is doing the same.
    # Once the file is in WAL mode the pragma is a lock-free no-op.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(WAL_SWITCH_RETRY_SECONDS)


def _sqlite_begin(connection: Connection) -> None:
    if connection.info.get(RAW_TRANSACTIONS, False):
        return  # the inline store has begun the transaction on the driver connection
    read_only = connection.info.get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
