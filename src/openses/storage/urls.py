"""Database URLs: what operators write, turned into the async SQLAlchemy URLs the store opens.

Operators write ``postgresql://user@host:5432/db`` (libpq style) or give a data directory for the
embedded SQLite store; the store needs ``postgresql+asyncpg://…`` or
``sqlite+aiosqlite:///<data_dir>/openses.db``. Nothing here touches the database or the disk.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SQLITE_FILE_NAME = "openses.db"

_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


class DatabaseUrlError(ValueError):
    """The URL names no database OpenSES can use."""


def database_url(data_dir: Path | None, database_url: str | None) -> str:
    """The async URL of the store: ``database_url`` if given, else SQLite in ``data_dir``."""
    if database_url:
        return async_url(database_url)
    if data_dir is None:
        raise DatabaseUrlError("give a data directory (SQLite) or a PostgreSQL database URL")
    path = data_dir.expanduser().absolute() / SQLITE_FILE_NAME
    return URL.create("sqlite+aiosqlite", database=str(path)).render_as_string()


def async_url(url: str) -> str:
    """``url`` with the async driver OpenSES uses for its database (asyncpg or aiosqlite).

    libpq's ``sslmode`` query parameter becomes asyncpg's ``ssl`` (same values).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"not a database URL: {_shown(url)}") from None
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise DatabaseUrlError(
            f"unsupported database {parsed.drivername!r} in {_shown(url)}: "
            "use postgresql://user@host:port/db or sqlite:///path/to/openses.db"
        )
    parsed = parsed.set(drivername=driver)
    if driver == "postgresql+asyncpg" and "sslmode" in parsed.query:
        query = dict(parsed.query)
        query["ssl"] = query.pop("sslmode")
        parsed = parsed.set(query=query)
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database (or a non-SQLite URL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _shown(url: str) -> str:
    """The URL as an error message may show it: without its password."""
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except ArgumentError:
        return "(unparseable)"
