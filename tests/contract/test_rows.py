"""How values are stored, without a database: times as epoch milliseconds, database URLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from openses.storage.rows import from_ms, to_ms
from openses.storage.urls import DatabaseUrlError, async_url, database_url

MS = st.integers(min_value=-(2**41), max_value=2**45)
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(MS, OFFSETS)
def test_whole_milliseconds_round_trip_in_any_zone(ms: int, zone: timezone) -> None:
    moment = from_ms(ms).astimezone(zone)
    assert to_ms(moment) == ms
    assert from_ms(to_ms(moment)) == moment
    assert from_ms(ms).tzinfo is UTC


@given(MS, st.integers(min_value=0, max_value=999))
def test_finer_precision_is_truncated_to_the_millisecond(ms: int, micros: int) -> None:
    assert to_ms(from_ms(ms) + timedelta(microseconds=micros)) == ms


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_ms(datetime(2026, 1, 1))


def test_database_url_prefers_the_given_url() -> None:
    given_url = "postgresql://postgres@127.0.0.1:5432/test"
    assert (
        database_url(Path("/data"), given_url)
        == "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    assert database_url(None, given_url) == "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    odd = tmp_path / "a dir?#%"
    url = database_url(odd, None)
    assert url.startswith("sqlite+aiosqlite:///")
    assert make_url(url).database == str(odd / "openses.db")
    with pytest.raises(DatabaseUrlError):
        database_url(None, None)


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("postgresql://u:p%40ss@db:5433/openses", "postgresql+asyncpg://u:p%40ss@db:5433/openses"),
        ("postgres://u@db/openses", "postgresql+asyncpg://u@db/openses"),
        ("postgresql+asyncpg://u@db/openses", "postgresql+asyncpg://u@db/openses"),
        (
            "postgresql://u@db/openses?sslmode=require",
            "postgresql+asyncpg://u@db/openses?ssl=require",
        ),
        (
            "sqlite:////var/lib/openses/openses.db",
            "sqlite+aiosqlite:////var/lib/openses/openses.db",
        ),
        ("sqlite+aiosqlite:///openses.db", "sqlite+aiosqlite:///openses.db"),
    ],
)
def test_async_url(given_url: str, expected: str) -> None:
    assert async_url(given_url) == expected


@pytest.mark.parametrize("given_url", ["mysql://u@db/x", "postgresql+psycopg://u@db/x", "nonsense"])
def test_unsupported_urls_are_refused_without_showing_passwords(given_url: str) -> None:
    with pytest.raises(DatabaseUrlError) as raised:
        async_url(given_url.replace("u@", "u:hunter2@"))
    assert "hunter2" not in str(raised.value)
