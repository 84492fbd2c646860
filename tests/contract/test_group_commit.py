"""Group commit on SQLite: write transactions waiting together share one COMMIT, exactly.

A member's failure is its own (it is rolled back to its savepoint, or, with no earlier work to
keep, the transaction is begun again), its success is answered only once the group's COMMIT
is on disk (checked from a separate ``sqlite3`` connection, as another
process would see it), and a failed COMMIT fails every member. Read-only transactions never
see a member's uncommitted writes, the read cache forgets what any member wrote, and
cancelling a member, wherever it waits, neither loses another member's turn nor leaves a group
hanging. PostgreSQL has no group commit (every transaction is its own), so these run on
SQLite only.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from openses.domain.accounts import KeyStatus
from openses.services.accounts import AccountsService
from openses.services.ports import Conflict, Store, Tx
from openses.storage import inline
from openses.storage.inline import GROUP_MAX_TRANSACTIONS, InlineSqlite
from openses.storage.store import SqlStore
from openses.storage.urls import sqlite_path
from tests.contract.records import (
    ACCOUNT,
    REGION,
    T0,
    access_key,
    account,
    address,
    identity_policy,
    message,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

KEY = "AKIAGROUPKEY00000001"
#: Long enough for a hung group to show, short enough for a failing test to end.
PATIENCE = 5.0


class Boom(Exception):
    pass


@pytest.fixture
def patient_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups admit writers however long a member holds its turn (no time cap)."""
    monkeypatch.setattr(inline, "GROUP_MAX_SECONDS", 3600.0)


@pytest.fixture
async def world(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_access_key(access_key(KEY))
        await tx.put_identity(address("sender@example.com"))


def inline_of(store: Store) -> InlineSqlite:
    assert isinstance(store, SqlStore)
    found = getattr(store, "_sqlite")  # noqa: B009 - the group machinery under test
    assert isinstance(found, InlineSqlite)
    return found


def executed(store: Store) -> list[str]:
    """Start recording the SQL the store's connection runs."""
    statements: list[str] = []
    driver = getattr(inline_of(store), "_driver")  # noqa: B009
    assert isinstance(driver, sqlite3.Connection)
    driver.set_trace_callback(statements.append)
    return statements


def on_disk(store_url: str) -> Callable[[], set[str]]:
    """The message ids committed to the database file, read on a connection of its own."""
    path = sqlite_path(store_url)
    assert isinstance(path, Path)

    def read() -> set[str]:
        with sqlite3.connect(path) as other:
            return {row[0] for row in other.execute("SELECT message_id FROM messages")}

    return read


async def turns(count: int = 5) -> None:
    """Let the loop run a few rounds (tasks started now reach their transactions)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def write(store: Store, body: Callable[[Tx], Awaitable[None]]) -> None:
    async with store.transaction() as tx:
        await body(tx)


def insert(message_id: str) -> Callable[[Tx], Awaitable[None]]:
    async def body(tx: Tx) -> None:
        await tx.insert_message(message(message_id))

    return body


async def outcomes(*writers: Awaitable[None]) -> list[BaseException | None]:
    """What each writer ended with (None: success); a hung group fails the test."""
    gathered = asyncio.gather(*writers, return_exceptions=True)
    return list(await asyncio.wait_for(gathered, timeout=PATIENCE))


# ------------------------------------------------------------------------- committing


@pytest.mark.usefixtures("world")
async def test_concurrent_writers_share_one_commit_and_each_returns_once_it_is_on_disk(
    store: Store, store_url: str
) -> None:
    durable = on_disk(store_url)
    seen_on_exit: dict[str, bool] = {}

    async def writer(index: int) -> None:
        await write(store, insert(f"m-{index}"))
        seen_on_exit[f"m-{index}"] = f"m-{index}" in durable()

    count = GROUP_MAX_TRANSACTIONS
    statements = executed(store)
    assert await outcomes(*(writer(index) for index in range(count))) == [None] * count
    assert all(seen_on_exit.values())
    assert len(seen_on_exit) == count
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert statements.count("COMMIT") == 1
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_message("m-7") is not None


@pytest.mark.usefixtures("world")
async def test_a_lone_writer_commits_at_once(store: Store, store_url: str) -> None:
    statements = executed(store)
    await asyncio.wait_for(write(store, insert("alone")), timeout=PATIENCE)
    assert on_disk(store_url)() == {"alone"}
    assert statements.count("COMMIT") == 1


@pytest.mark.usefixtures("world")
async def test_a_group_takes_at_most_its_cap_of_writers(store: Store) -> None:
    statements = executed(store)
    count = GROUP_MAX_TRANSACTIONS + 10
    assert await outcomes(*(write(store, insert(f"m-{i}")) for i in range(count))) == [None] * count
    assert statements.count("BEGIN IMMEDIATE") == 2
    assert statements.count("COMMIT") == 2


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("cap", ["patient", "expired"])
async def test_writers_arriving_while_a_group_runs_join_it_until_its_time_is_up(
    store: Store, store_url: str, cap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inline, "GROUP_MAX_SECONDS", 3600.0 if cap == "patient" else 0.0)
    release = asyncio.Event()

    async def first(tx: Tx) -> None:
        await tx.insert_message(message("first"))
        await release.wait()  # holds its turn across an await (no service does)

    statements = executed(store)
    holder = asyncio.create_task(write(store, first))
    await turns()
    later = [asyncio.create_task(write(store, insert(f"later-{i}"))) for i in range(3)]
    await turns()
    assert on_disk(store_url)() == set()  # nobody answered before its COMMIT
    assert not any(task.done() for task in later)
    release.set()
    assert await outcomes(holder, *later) == [None] * 4
    assert on_disk(store_url)() == {"first", "later-0", "later-1", "later-2"}
    assert statements.count("COMMIT") == (1 if cap == "patient" else 2)


# ----------------------------------------------------------------- one member failing


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("position", [0, 1, 3], ids=["first", "second", "last"])
async def test_a_member_that_raises_rolls_back_only_its_own_writes(
    store: Store, store_url: str, position: int
) -> None:
    """The first member runs without a savepoint (the transaction is its undo); the others
    each in their own."""

    async def failing(tx: Tx) -> None:
        await tx.insert_message(message("failed"))
        await tx.add_send_counts(ACCOUNT, REGION, T0, delivery_attempts=5, quota_recipients=5)
        raise Boom

    async def counting(tx: Tx) -> None:
        await tx.add_send_counts(ACCOUNT, REGION, T0, delivery_attempts=1, quota_recipients=1)

    bodies = [insert("m-0"), counting, insert("m-2")]
    bodies.insert(position, failing)
    statements = executed(store)
    results = await outcomes(*(write(store, body) for body in bodies))
    assert [type(result) for result in results] == [
        Boom if index == position else type(None) for index in range(4)
    ]
    assert statements.count("COMMIT") == 1
    assert statements.count("BEGIN IMMEDIATE") == (2 if position == 0 else 1)
    assert on_disk(store_url)() == {"m-0", "m-2"}
    async with store.transaction(read_only=True) as tx:
        assert await tx.recipients_sent_since(ACCOUNT, REGION, T0) == 1


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("first", [False, True], ids=["after-others", "first"])
async def test_a_conflict_inside_a_member_is_that_members_alone(
    store: Store, store_url: str, first: bool
) -> None:
    async def duplicate_then_carry_on(tx: Tx) -> None:
        with pytest.raises(Conflict):
            await tx.insert_access_key(access_key(KEY))  # in a savepoint of its own
        await tx.insert_message(message("carried-on"))

    async def duplicate(tx: Tx) -> None:
        await tx.insert_message(message("undone"))
        await tx.insert_account(account())

    bodies = [duplicate_then_carry_on, duplicate, insert("a"), insert("b")]
    if not first:
        bodies = bodies[2:3] + bodies[:2] + bodies[3:]
    results = dict(
        zip(bodies, await outcomes(*(write(store, body) for body in bodies)), strict=True)
    )
    assert results[duplicate_then_carry_on] is None
    assert isinstance(results[duplicate], Conflict)
    assert on_disk(store_url)() == {"a", "carried-on", "b"}


@pytest.mark.usefixtures("world")
async def test_a_failing_commit_fails_every_member(store: Store, store_url: str) -> None:
    async def orphan(tx: Tx) -> None:
        """A foreign key checked only at COMMIT: SQLite then refuses the whole transaction."""
        connection = getattr(tx, "_conn")  # noqa: B009 - reaching under the port on purpose
        await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
        await tx.insert_access_key(access_key("AKIAORPHAN0000000001", account_id="999999999999"))

    results = await outcomes(
        write(store, insert("one")), write(store, orphan), write(store, insert("two"))
    )
    assert all(isinstance(result, IntegrityError) for result in results), results
    assert on_disk(store_url)() == set()
    await write(store, insert("afterwards"))  # the connection is fine
    assert on_disk(store_url)() == {"afterwards"}


@pytest.mark.usefixtures("world")
async def test_a_group_that_cannot_begin_fails_its_members_and_the_next_one_works(
    store: Store, store_url: str
) -> None:
    path = sqlite_path(store_url)
    assert path is not None
    driver = getattr(inline_of(store), "_driver")  # noqa: B009
    driver.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        results = await outcomes(*(write(store, insert(f"m-{i}")) for i in range(3)))
        assert all(isinstance(result, OperationalError) for result in results), results
        assert all("locked" in str(result) for result in results)
    finally:
        other.execute("ROLLBACK")
        other.close()
    await write(store, insert("later"))
    assert on_disk(store_url)() == {"later"}


@pytest.mark.usefixtures("world")
async def test_a_member_ending_the_shared_transaction_fails_those_before_it_not_after(
    store: Store, store_url: str
) -> None:
    """SQLite may end the whole transaction itself after some errors (a full disk, I/O);
    a raw ROLLBACK in a member does the same."""

    async def rollback(tx: Tx) -> None:
        connection = getattr(tx, "_conn")  # noqa: B009 - reaching under the port on purpose
        await connection.execute(text("ROLLBACK"))

    results = await outcomes(
        write(store, insert("before")), write(store, rollback), write(store, insert("after"))
    )
    assert isinstance(results[0], OperationalError)
    assert "rolled back" in str(results[0])
    assert isinstance(results[1], OperationalError)  # its savepoint is gone
    assert results[2] is None
    assert on_disk(store_url)() == {"after"}


# ---------------------------------------------------------------- readers and the cache


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("outcome", ["committed", "rolled-back"])
async def test_readers_wait_for_the_group_and_never_see_uncommitted_writes(
    store: Store, outcome: str
) -> None:
    accounts = AccountsService(store)
    assert await accounts.credentials(KEY) is not None  # cached from here on
    written, release = asyncio.Event(), asyncio.Event()

    async def deactivate(tx: Tx) -> None:
        await tx.update_access_key(access_key(KEY, status=KeyStatus.INACTIVE))
        written.set()
        await release.wait()
        if outcome == "rolled-back":
            raise Boom

    writer = asyncio.create_task(write(store, deactivate))
    await asyncio.wait_for(written.wait(), timeout=PATIENCE)
    reader = asyncio.create_task(accounts.credentials(KEY))
    await turns()
    assert not reader.done()  # the group holds the connection: the reader waits
    release.set()
    seen = await asyncio.wait_for(reader, timeout=PATIENCE)
    ended = (await outcomes(writer))[0]
    if outcome == "committed":
        assert ended is None
        assert seen is None
    else:
        assert isinstance(ended, Boom)
        assert seen is not None
        assert seen[0] == access_key(KEY).secret_access_key
        assert await accounts.credentials(KEY) == seen  # and the cache holds no rolled-back value


@pytest.mark.usefixtures("world")
async def test_the_cache_forgets_what_every_member_wrote(store: Store) -> None:
    async def read() -> tuple[object, list[str]]:
        async with store.transaction(read_only=True) as tx:
            key = await tx.get_access_key(KEY)
            policies = await tx.list_identity_policies(ACCOUNT, REGION, "sender@example.com")
        return (None if key is None else key.status), [p.name for p in policies]

    assert await read() == (KeyStatus.ACTIVE, [])
    assert await read() == (KeyStatus.ACTIVE, [])  # from the cache

    async def deactivate(tx: Tx) -> None:
        await tx.update_access_key(access_key(KEY, status=KeyStatus.INACTIVE))

    async def add_policy(tx: Tx) -> None:
        await tx.put_identity_policy(identity_policy("sender@example.com", "p1"))

    async def add_policy_then_fail(tx: Tx) -> None:
        await tx.put_identity_policy(identity_policy("sender@example.com", "p2"))
        raise Boom

    results = await outcomes(
        write(store, deactivate),
        write(store, insert("m")),
        write(store, add_policy_then_fail),
        write(store, add_policy),
    )
    assert [type(result) for result in results] == [type(None), type(None), Boom, type(None)]
    assert await read() == (KeyStatus.INACTIVE, ["p1"])


# ----------------------------------------------------------------------- cancellation


@pytest.mark.usefixtures("world", "patient_groups")
async def test_a_writer_cancelled_while_waiting_for_its_turn_leaves_the_others_going(
    store: Store, store_url: str
) -> None:
    release = asyncio.Event()

    async def holding(tx: Tx) -> None:
        await tx.insert_message(message("first"))
        await release.wait()

    first = asyncio.create_task(write(store, holding))
    await turns()
    waiting = [asyncio.create_task(write(store, insert(f"w-{i}"))) for i in range(3)]
    await turns()
    waiting[1].cancel()
    release.set()
    results = await outcomes(first, *waiting)
    assert isinstance(results[2], asyncio.CancelledError)
    assert [results[0], results[1], results[3]] == [None, None, None]
    assert on_disk(store_url)() == {"first", "w-0", "w-2"}


@pytest.mark.usefixtures("world", "patient_groups")
@pytest.mark.parametrize("last", [False, True], ids=["followed", "last"])
async def test_a_writer_cancelled_just_as_its_turn_comes_passes_the_turn_on(
    store: Store, store_url: str, last: bool
) -> None:
    go = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def first(tx: Tx) -> None:
        await tx.insert_message(message("first"))
        await go.wait()
        # Runs after this step, before the next member (whose turn this step gives) resumes.
        asyncio.get_running_loop().call_soon(tasks[1].cancel)

    tasks.append(asyncio.create_task(write(store, first)))
    await turns()
    tasks.append(asyncio.create_task(write(store, insert("second"))))
    if not last:
        tasks.append(asyncio.create_task(write(store, insert("third"))))
    await turns()
    go.set()
    results = await outcomes(*tasks)
    assert results[0] is None
    assert isinstance(results[1], asyncio.CancelledError)
    assert results[2:] == [None] * (len(tasks) - 2)
    assert on_disk(store_url)() == ({"first"} if last else {"first", "third"})
    await write(store, insert("later"))  # no group was left holding the connection


@pytest.mark.usefixtures("world")
async def test_a_writer_cancelled_in_its_body_rolls_back_alone(
    store: Store, store_url: str
) -> None:
    started = asyncio.Event()

    async def slow(tx: Tx) -> None:
        await tx.insert_message(message("cancelled"))
        started.set()
        await asyncio.Event().wait()

    before = asyncio.create_task(write(store, insert("before")))
    cancelled = asyncio.create_task(write(store, slow))
    after = asyncio.create_task(write(store, insert("after")))
    await asyncio.wait_for(started.wait(), timeout=PATIENCE)
    cancelled.cancel()
    results = await outcomes(before, cancelled, after)
    assert [results[0], results[2]] == [None, None]
    assert isinstance(results[1], asyncio.CancelledError)
    assert on_disk(store_url)() == {"before", "after"}


@pytest.mark.usefixtures("world", "patient_groups")
async def test_a_writer_cancelled_while_awaiting_the_commit_is_still_committed(
    store: Store, store_url: str
) -> None:
    """Its part was done and stays in the group; like any cancelled caller it does not
    learn the outcome, and the others are not disturbed."""
    release = asyncio.Event()

    async def holding(tx: Tx) -> None:
        await tx.insert_message(message("holding"))
        await release.wait()

    done_first = asyncio.create_task(write(store, insert("done-first")))
    holder = asyncio.create_task(write(store, holding))
    await turns()
    assert not done_first.done()  # waits for the group's COMMIT
    done_first.cancel()
    await turns()
    release.set()
    results = await outcomes(done_first, holder)
    assert isinstance(results[0], asyncio.CancelledError)
    assert results[1] is None
    assert on_disk(store_url)() == {"done-first", "holding"}


@pytest.mark.usefixtures("world")
async def test_a_group_whose_writers_all_left_before_it_began_ends_cleanly(
    store: Store, store_url: str
) -> None:
    reading, release = asyncio.Event(), asyncio.Event()

    async def long_read() -> None:
        async with store.transaction(read_only=True) as tx:
            await tx.get_account(ACCOUNT)
            reading.set()
            await release.wait()

    reader = asyncio.create_task(long_read())
    await asyncio.wait_for(reading.wait(), timeout=PATIENCE)
    writers = [asyncio.create_task(write(store, insert(f"m-{i}"))) for i in range(3)]
    await turns()
    for writer in writers:
        writer.cancel()
    release.set()
    results = await outcomes(reader, *writers)
    assert results[0] is None
    assert all(isinstance(result, asyncio.CancelledError) for result in results[1:])
    await asyncio.wait_for(write(store, insert("later")), timeout=PATIENCE)
    assert on_disk(store_url)() == {"later"}


@pytest.mark.usefixtures("world")
async def test_a_key_updated_and_read_in_one_member_is_its_own_view(store: Store) -> None:
    """Inside a member, reads see the group's earlier members and its own writes."""
    seen: list[object] = []

    async def update(tx: Tx) -> None:
        await tx.update_access_key(replace(access_key(KEY), status=KeyStatus.INACTIVE))

    async def look(tx: Tx) -> None:
        found = await tx.get_access_key(KEY)
        seen.append(None if found is None else found.status)

    assert await outcomes(write(store, update), write(store, look)) == [None, None]
    assert seen == [KeyStatus.INACTIVE]
