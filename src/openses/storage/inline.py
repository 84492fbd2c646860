"""SQLite executed on the event loop: one connection, write transactions committed in groups.

SQLite answers the store's point reads in microseconds; handing each statement to a worker
thread (aiosqlite under SQLAlchemy's async layer) cost about fifty times that in thread
hand-offs. So the SQLite store runs its statements synchronously, inline, on a single
connection, and an :class:`asyncio.Lock` lets one user at a time have it: a read-only
transaction, or a *group* of write transactions. A transaction is short and never awaits
anything but its own statements, so holding the loop for it is cheaper than any hand-off.
Commits stay synchronous (WAL, ``synchronous=FULL``): success is answered only once the
transaction is on disk. A group's COMMIT runs on a committer thread (the loop awaits it,
holding the lock): while SQLite writes the WAL, waits for the disk and now and then
checkpoints, the loop goes on parsing, verifying and authorizing other requests.

**Group commit.** The COMMIT (its fsync) costs more than a send's statements, so write
transactions (``transaction()`` without ``read_only``) share it
(``docs/decisions/0010-group-commit.md``). A write transaction joins the open group, or opens
one; a group takes the lock when its turn comes (on the next turn of the loop at the
earliest, after the users queued before it: meanwhile the requests whose reads run before it
reach their writes and join), runs ``BEGIN IMMEDIATE``, and then its members one after
another. Each member after the first one that succeeded runs inside its own ``SAVEPOINT``: a
member that raises is rolled back to it (``ROLLBACK TO`` + ``RELEASE``) and gets its own error
at once, the others are untouched; a member with no earlier work to keep needs no savepoint
(its failure rolls the transaction back, and the next member begins it again). Writers
arriving while a group runs join it, up to :data:`GROUP_MAX_TRANSACTIONS` members and until
:data:`GROUP_MAX_SECONDS` after its ``BEGIN``; when no member is left waiting, the group
COMMITs, once, and only then do its members' ``async with`` blocks end; if the COMMIT fails,
every member that had succeeded gets that error. A lone writer waits for nobody but the loop's
next turn. If SQLite ends the shared transaction itself (it may, after ``SQLITE_FULL`` or an
I/O error), every member that had finished gets an error and the members still waiting go on
in a new group. A caller cancelled while it waits for its group's COMMIT leaves at once; its
work stays in the group (committed or not with it), as with any cancelled durable write.

Read-only transactions never run while a group holds the connection, so they never see a
member's uncommitted writes; they run between groups:

- read-only transactions (``transaction(read_only=True)``) start with a plain ``BEGIN``, so
  they never wait for another process's writer, and then read ``PRAGMA data_version``: the
  first read fixes the transaction's snapshot, and the value tells whether another connection
  committed since the store's read cache was filled (:mod:`openses.storage.read_cache`). Their
  reads may be answered from the cache;
- write transactions read from the database only; when a group ends (committed or not) the
  cached reads depending on a table any member wrote are dropped.

The transaction itself is run on the ``sqlite3`` connection directly (``BEGIN`` … ``COMMIT``),
not through SQLAlchemy's transaction objects, which cost more than the reads they wrap.
Statements given as SQLAlchemy constructs still run through SQLAlchemy's ``Connection`` (on the
same driver connection, inside the same transaction: SQLAlchemy's own ``BEGIN`` is switched off
for this connection, see :data:`~openses.storage.engines.RAW_TRANSACTIONS`); their own
savepoints (``begin_nested``) nest inside a member's.

:class:`InlineConnection` gives the synchronous connection the small async surface the
statement classes use (``execute``, ``begin_nested``, ``dialect``), so one set of statements
serves this path and the asyncpg one; it also hands them the driver connection and, in a
read-only transaction, the read cache.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from openses.storage.engines import RAW_TRANSACTIONS, create_sqlite_engine
from openses.storage.inline_connection import InlineConnection
from openses.storage.read_cache import EVERY_TABLE, ReadCache

T = TypeVar("T")

#: The most write transactions one group (one COMMIT) takes. Larger groups commit no faster
#: under the send benchmarks and keep the readers waiting longer (p99).
GROUP_MAX_TRANSACTIONS = 16
#: A group admits no new member once this long has passed since its ``BEGIN``.
GROUP_MAX_SECONDS = 0.010
#: The savepoint each member of a group runs in.
MEMBER_SAVEPOINT = "openses_member"


class _Group:
    """Write transactions sharing one ``BEGIN IMMEDIATE`` … ``COMMIT`` (see the module).

    ``queue`` holds the turns of the members waiting to run (a turn is a future resolved,
    with the group it then runs in, when the member may run; a cancelled member's turn is
    done and skipped); ``kept`` counts the members whose work the open transaction holds;
    ``waiters`` are the futures of the members done and waiting for the COMMIT (one each:
    cancelling one must not cancel the others').
    """

    __slots__ = (
        "admitted",
        "begun_at",
        "ended",
        "error",
        "kept",
        "loop",
        "queue",
        "starter",
        "waiters",
        "written",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: deque[asyncio.Future[_Group]] = deque()
        self.waiters: list[asyncio.Future[None]] = []
        self.admitted = 0
        self.kept = 0
        self.begun_at: float | None = None
        self.written: set[str] = set()
        self.starter: asyncio.Task[None] | None = None
        self.ended = False
        self.error: BaseException | None = None

    def end(self, error: BaseException | None) -> None:
        """The group's COMMIT succeeded (``error`` None) or failed: tell every member waiting."""
        self.ended, self.error = True, error
        for waiter in self.waiters:
            if waiter.done():  # its member was cancelled
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)
        self.waiters.clear()

    async def committed(self) -> None:
        """Wait for the group's COMMIT; raise its error if it failed."""
        if not self.ended:
            waiter: asyncio.Future[None] = self.loop.create_future()
            self.waiters.append(waiter)
            await waiter
        elif self.error is not None:
            raise self.error


class InlineSqlite:
    """One SQLite connection shared by the store's transactions (see the module)."""

    def __init__(self, url: str, *, cache: ReadCache | None = None) -> None:
        self._engine: Engine = create_sqlite_engine(url)
        self._connection: Connection | None = None
        self._driver: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        #: The group new write transactions join (None: the next one opens a group).
        self._group: _Group | None = None
        #: The thread groups COMMIT on (made on the first COMMIT).
        self._committer: ThreadPoolExecutor | None = None
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
            self._connection = self._driver = None
            self._engine.dispose()
            if self._committer is not None:
                self._committer.shutdown()
                self._committer = None

    # ------------------------------------------------------------------ group commit

    def _admit(self) -> asyncio.Future[_Group]:
        """A write transaction's turn in the open group (a new group if none admits)."""
        loop = asyncio.get_running_loop()
        group = self._group
        if group is None or (
            group.begun_at is not None and time.monotonic() - group.begun_at > GROUP_MAX_SECONDS
        ):
            group = self._group = _Group(loop)
            group.starter = loop.create_task(self._start(group))
        turn: asyncio.Future[_Group] = loop.create_future()
        group.queue.append(turn)
        group.admitted += 1
        if group.admitted >= GROUP_MAX_TRANSACTIONS:
            self._group = None
        return turn

    async def _start(self, group: _Group) -> None:
        """Take the connection for ``group`` (its transaction begins with the first turn)."""
        try:
            await self._lock.acquire()
        except BaseException:  # cancelled: the loop is going away
            self._close_admission(group)
            for turn in group.queue:
                turn.cancel()
            raise
        self._pass_on(group)

    def _close_admission(self, group: _Group) -> None:
        if self._group is group:
            self._group = None

    def _pass_on(self, group: _Group) -> None:
        """Give ``group``'s turn to its next member waiting, beginning the transaction if none
        is open; with nobody waiting, end the group with its COMMIT."""
        driver = self._driver
        open_ = driver is not None and driver.in_transaction
        if not open_ and group.kept:
            self._lost(group)
            return
        queue = group.queue
        while queue:
            turn = queue.popleft()
            if turn.done():  # its member was cancelled
                continue
            if not open_:  # the group's first turn, or its first members all failed
                try:
                    _run(self._connect()[1], "BEGIN IMMEDIATE")
                except Exception as error:  # e.g. another process held the write lock too long
                    queue.appendleft(turn)
                    self._end_group(group, error, commit=False)
                    return
                if group.begun_at is None:
                    group.begun_at = time.monotonic()
            turn.set_result(group)
            return
        self._close_admission(group)
        group.loop.create_task(self._commit(group))

    async def _commit(self, group: _Group) -> None:
        """End the group with its COMMIT, run on the committer thread: the loop serves other
        requests while SQLite writes the WAL and waits for the disk (and, now and then, runs a
        checkpoint). The group holds the lock until the COMMIT is done."""
        connection, driver = self._connection, self._driver
        if connection is None or driver is None:  # the connection was dropped meanwhile
            self._end_group(group, None, commit=True)
            return
        if self._committer is None:
            self._committer = ThreadPoolExecutor(1, thread_name_prefix="openses-sqlite-commit")
        done = self._committer.submit(_end, connection, driver, commit=True)
        error: BaseException | None = None
        try:
            await asyncio.wrap_future(done)
        except asyncio.CancelledError:
            # The loop is going away; the COMMIT runs on regardless, and nobody else may
            # touch the connection before it is over.
            self._settle(group, _outcome(done))
            raise
        except Exception as failed:
            error = failed
        self._settle(group, error)

    def _settle(self, group: _Group, error: BaseException | None) -> None:
        """After the group's COMMIT (failed: ``error``): roll back what is left open, drop the
        cached reads its members' tables invalidate, let the next user in, tell the members."""
        try:
            if error is not None:
                self._roll_back()
        finally:
            self.cache.forget(group.written)
            self._lock.release()
        group.end(error)

    def _end_group(self, group: _Group, error: BaseException | None, *, commit: bool) -> None:
        """End the group: COMMIT (or roll back) what is open, fail the members still waiting
        for a turn with ``error``, tell those waiting for the COMMIT, let the next user in."""
        self._close_admission(group)
        try:
            if self._connection is not None and self._driver is not None:
                _end(self._connection, self._driver, commit=commit)
        except Exception as failed:
            error = failed
            self._roll_back()
        finally:
            self.cache.forget(group.written)
            self._lock.release()
        if error is not None:
            for turn in group.queue:
                if not turn.done():
                    turn.set_exception(error)
        group.queue.clear()
        group.end(error)

    def _lost(self, group: _Group) -> None:
        """SQLite ended the group's transaction (after an error, or a member's raw
        ``ROLLBACK``): what the members done so far wrote is gone, so they fail; the members
        still waiting go on in a new group."""
        error = DBAPIError.instance(
            "COMMIT",
            (),
            sqlite3.OperationalError(
                "the transaction was rolled back: SQLite ended the transaction it shared with "
                "other write transactions (group commit) after an error in one of them"
            ),
            sqlite3.Error,
        )
        waiting = [turn for turn in group.queue if not turn.done()]
        group.queue.clear()
        self._end_group(group, error, commit=False)
        if waiting:
            again = _Group(group.loop)
            again.queue.extend(waiting)
            again.admitted = len(waiting)
            again.starter = group.loop.create_task(self._start(again))
            if self._group is None:
                self._group = again

    def _roll_back(self) -> None:
        """End whatever is open; a connection that cannot even roll back is dropped."""
        if self._connection is None or self._driver is None:
            return
        try:
            _end(self._connection, self._driver, commit=False)
        except Exception:
            self._connection.close()
            self._connection = self._driver = None


def _granted(turn: asyncio.Future[_Group]) -> bool:
    return turn.done() and not turn.cancelled() and turn.exception() is None


class InlineTransaction(Generic[T]):
    """One transaction of an :class:`InlineSqlite`: commits when the block ends normally,
    rolls back when it raises (a write transaction: its own part of its group). A class
    rather than a generator-based context manager: this runs twice per API request, and the
    generator machinery cost more than the transaction.
    """

    __slots__ = (
        "_changes",
        "_connection",
        "_driver",
        "_group",
        "_inline",
        "_owner",
        "_read_only",
        "_savepoint",
        "_wrap",
    )
    _connection: Connection
    _driver: sqlite3.Connection
    _group: _Group
    _inline: InlineConnection

    def __init__(
        self, owner: InlineSqlite, wrap: Callable[[InlineConnection], T], read_only: bool
    ) -> None:
        self._owner = owner
        self._wrap = wrap
        self._read_only = read_only
        self._changes = 0
        self._savepoint = False

    async def __aenter__(self) -> T:
        if self._read_only:
            return await self._enter_read_only()
        owner = self._owner
        turn = owner._admit()
        try:
            group = await turn
        except BaseException:  # cancelled, or the group could not begin (turn's error)
            if _granted(turn):  # cancelled just as the turn came: pass it on
                owner._pass_on(turn.result())
            raise
        self._group = group
        connection, driver = owner._connection, owner._driver
        assert connection is not None  # the group holds the connection
        assert driver is not None
        self._connection, self._driver = connection, driver
        # With no earlier member's work to keep, the transaction itself is the undo.
        self._savepoint = group.kept > 0
        try:
            if self._savepoint:
                _run(driver, f"SAVEPOINT {MEMBER_SAVEPOINT}")
            self._changes = driver.total_changes
            inline = InlineConnection(connection, driver, None)
            self._inline = inline
            return self._wrap(inline)
        except BaseException:
            self._undo()
            owner._pass_on(group)
            raise

    async def _enter_read_only(self) -> T:
        owner = self._owner
        await owner._lock.acquire()
        try:
            connection, driver = owner._connect()
            self._connection, self._driver = connection, driver
            _run(driver, "BEGIN")
            try:
                self._changes = driver.total_changes
                cache = owner.cache
                # The first read: it fixes the snapshot, which the version describes.
                cache.check(_run(driver, "PRAGMA data_version").fetchone()[0])
                inline = InlineConnection(connection, driver, cache)
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
        if self._read_only:
            self._exit_read_only(exc_type is None)
            return
        group = self._group
        try:
            if exc_type is not None:
                self._undo()
            elif self._savepoint:
                try:
                    _run(self._driver, f"RELEASE {MEMBER_SAVEPOINT}")
                except BaseException:
                    self._undo()
                    raise
            if exc_type is None:
                group.kept += 1
        finally:
            try:
                group.written.update(self._written())
            finally:
                self._owner._pass_on(group)
        if exc_type is None:
            await group.committed()

    def _undo(self) -> None:
        """Roll this member back: to its savepoint, or (without one) the whole transaction,
        which then held nothing else. If even that fails, the transaction is ended, and the
        group's members done so far fail with it (:meth:`InlineSqlite._lost`)."""
        driver = self._driver
        if not driver.in_transaction:
            return
        if not self._savepoint:
            self._owner._roll_back()
            return
        try:
            _run(driver, f"ROLLBACK TO {MEMBER_SAVEPOINT}")
            _run(driver, f"RELEASE {MEMBER_SAVEPOINT}")
        except Exception:
            self._owner._roll_back()

    def _exit_read_only(self, commit: bool) -> None:
        owner, connection, driver = self._owner, self._connection, self._driver
        try:
            if commit:
                try:
                    _end(connection, driver, commit=True)
                except BaseException:
                    _end(connection, driver, commit=False)
                    raise
            else:
                _end(connection, driver, commit=False)
        finally:
            try:
                owner.cache.forget(self._written())
            finally:
                owner._lock.release()

    def _written(self) -> set[str]:
        written = self._inline.written
        if written:
            return written
        try:
            changed = self._driver.total_changes != self._changes
        except sqlite3.Error:  # the connection was dropped (see InlineSqlite._roll_back)
            changed = True
        return {EVERY_TABLE} if changed else written  # rows changed by statements we did not see


def _outcome(done: Future[None]) -> BaseException | None:
    """The error of a finished (or finishing: this waits) COMMIT, if it failed."""
    try:
        done.result()
    except Exception as failed:
        return failed
    return None


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
