"""The read cache never answers with anything but what the database holds.

Two stores on one database model two processes: ``server`` (the one answering requests, whose
SQLite read cache is warm) and ``admin`` (``openses admin …`` or another server). Every change
either makes must be what the server's very next request sees. The tests run on both backends
(PostgreSQL has no cache and must of course behave the same); the white-box tests at the end
look inside the SQLite cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from openses.domain.accounts import KeyStatus
from openses.domain.identities import VerificationStatus
from openses.domain.policy import parse_caller
from openses.services.account_state import AccountStateService
from openses.services.accounts import AccountsService
from openses.services.errors import AccessDenied, NotFound
from openses.services.ports import Store
from openses.services.principals import Call, Principal, PrincipalKind
from openses.storage import accounts as storage_accounts
from openses.storage import identities as storage_identities
from openses.storage.accounts import ON_ACCESS_KEYS, ON_USER_POLICIES
from openses.storage.identities import ON_IDENTITY_POLICIES
from openses.storage.inline import InlineSqlite
from openses.storage.read_cache import EVERY_TABLE, MISSING, ReadCache
from openses.storage.statements import Prepared
from openses.storage.store import SqlStore
from tests.contract.records import (
    ACCOUNT,
    REGION,
    access_key,
    account,
    address,
    identity_policy,
    message,
    user,
    user_policy,
)

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
ROOT_KEY = "AKIAROOTKEY000000001"
USER_KEY = "AKIAUSERKEY000000001"
ALLOW_SES = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:*","Resource":"*"}]}'
)
DENY_QUOTA = (
    '{"Version":"2012-10-17","Statement":['
    '{"Effect":"Allow","Action":"ses:*","Resource":"*"},'
    '{"Effect":"Deny","Action":"ses:GetSendQuota","Resource":"*"}]}'
)


@pytest.fixture
def server(store: Store) -> Store:
    """The store of the process answering requests (its cache is the one under test)."""
    return store


@pytest.fixture
async def admin(store: Store, store_url: str) -> AsyncIterator[SqlStore]:
    """Another store on the same database: another process, as far as SQLite can tell."""
    other = SqlStore(store_url)
    try:
        yield other
    finally:
        await other.close()


@pytest.fixture
async def world(server: Store) -> None:
    """An account with a root key, an IAM user with a key and an allowing policy."""
    async with server.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_access_key(access_key(ROOT_KEY))
        await tx.insert_user(user("alice"))
        await tx.insert_access_key(access_key(USER_KEY, user_name="alice"))
        await tx.put_user_policy(user_policy("alice", "ses", ALLOW_SES))
        await tx.put_identity(address("sender@example.com"))
        await tx.put_identity_policy(identity_policy("sender@example.com", "p1", document="{}"))


def call_as(principal: Principal) -> Call:
    return Call(principal, REGION, NOW)


def root_call() -> Call:
    caller = parse_caller(f"arn:aws:iam::{ACCOUNT}:root")
    return call_as(Principal(ACCOUNT, PrincipalKind.ROOT, caller, ROOT_KEY, user_id=ACCOUNT))


async def warm(accounts: AccountsService, key_id: str = USER_KEY) -> Principal:
    """Authenticate twice (the second answer comes from the cache on SQLite)."""
    first = await accounts.credentials(key_id)
    second = await accounts.credentials(key_id)
    assert first is not None
    assert first == second
    return first[1]


async def read_identity_policies(store: Store) -> list[str]:
    async with store.transaction(read_only=True) as tx:
        found = await tx.list_identity_policies(ACCOUNT, REGION, "sender@example.com")
    return [f"{p.name}={p.document}" for p in found]


# --------------------------------------------------------------------- access keys


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("writer", ["admin", "server"])
async def test_a_deactivated_key_fails_the_very_next_request(
    server: Store, admin: SqlStore, writer: str
) -> None:
    accounts = AccountsService(server)
    await warm(accounts)
    key = access_key(USER_KEY, user_name="alice")
    async with (admin if writer == "admin" else server).transaction() as tx:
        await tx.update_access_key(replace(key, status=KeyStatus.INACTIVE))
    assert await accounts.credentials(USER_KEY) is None
    async with admin.transaction() as tx:
        await tx.update_access_key(key)
    assert await accounts.credentials(USER_KEY) is not None


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("writer", ["admin", "server"])
async def test_a_deleted_key_fails_the_very_next_request(
    server: Store, admin: SqlStore, writer: str
) -> None:
    accounts = AccountsService(server)
    await warm(accounts, ROOT_KEY)
    async with (admin if writer == "admin" else server).transaction() as tx:
        assert await tx.delete_access_key(ROOT_KEY)
    assert await accounts.credentials(ROOT_KEY) is None


@pytest.mark.usefixtures("world")
async def test_an_unknown_key_created_elsewhere_works_at_once(
    server: Store, admin: SqlStore
) -> None:
    accounts = AccountsService(server)
    assert await accounts.credentials("AKIANEWKEY0000000001") is None
    assert await accounts.credentials("AKIANEWKEY0000000001") is None  # "absent" is cached too
    async with admin.transaction() as tx:
        await tx.insert_access_key(access_key("AKIANEWKEY0000000001"))
    assert await accounts.credentials("AKIANEWKEY0000000001") is not None


@pytest.mark.usefixtures("world")
async def test_a_deleted_user_fails_the_very_next_request(server: Store, admin: SqlStore) -> None:
    accounts = AccountsService(server)
    await warm(accounts)
    async with admin.transaction() as tx:
        assert await tx.delete_user(ACCOUNT, "alice")
    assert await accounts.credentials(USER_KEY) is None


# ------------------------------------------------------------------------ IAM policies


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("writer", ["admin", "server"])
async def test_an_iam_policy_change_applies_to_the_very_next_request(
    server: Store, admin: SqlStore, writer: str
) -> None:
    accounts = AccountsService(server)
    call = call_as(await warm(accounts))
    await accounts.authorize(call, "ses:GetSendQuota")
    await accounts.authorize(call, "ses:GetSendQuota")
    async with (admin if writer == "admin" else server).transaction() as tx:
        await tx.put_user_policy(user_policy("alice", "ses", DENY_QUOTA))
    with pytest.raises(AccessDenied):
        await accounts.authorize(call, "ses:GetSendQuota")
    await accounts.authorize(call, "ses:SendEmail")

    async with admin.transaction() as tx:
        await tx.put_user_policy(user_policy("alice", "ses", ALLOW_SES))
    await accounts.authorize(call, "ses:GetSendQuota")
    async with admin.transaction() as tx:
        assert await tx.delete_user_policy(ACCOUNT, "alice", "ses")
    with pytest.raises(AccessDenied):
        await accounts.authorize(call, "ses:SendEmail")


# ------------------------------------------------------------------------------ accounts


@pytest.mark.usefixtures("world")
async def test_the_operators_account_update_applies_to_the_very_next_request(
    server: Store, admin: SqlStore
) -> None:
    state = AccountStateService(server)
    call = root_call()
    assert await state.sending_enabled(call)
    before = await state.quota(call)
    assert before == await state.quota(call)

    operator = AccountsService(admin)  # what `openses admin account update` runs
    await operator.update_account(ACCOUNT, sending_enabled=False)
    assert not await state.sending_enabled(call)
    await operator.update_account(ACCOUNT, max_24_hour_send=1234.0, max_send_rate=7.0)
    quota = await state.quota(call)
    assert (quota.max_24_hour_send, quota.max_send_rate) == (1234.0, 7.0)
    await operator.update_account(ACCOUNT, sending_enabled=True)
    assert await state.sending_enabled(call)


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("writer", ["admin", "server"])
async def test_the_region_switch_applies_to_the_very_next_request(
    server: Store, admin: SqlStore, writer: str
) -> None:
    state = AccountStateService(server)
    call = root_call()
    assert await state.sending_enabled(call)
    assert await state.sending_enabled(call)
    await AccountStateService(admin if writer == "admin" else server).set_sending_enabled(
        call, False
    )
    assert not await state.sending_enabled(call)


@pytest.mark.usefixtures("world")
async def test_a_deleted_account_fails_the_very_next_request(
    server: Store, admin: SqlStore
) -> None:
    state = AccountStateService(server)
    await state.quota(root_call())
    await state.quota(root_call())
    async with admin.transaction() as tx:
        # No port method deletes accounts yet: raw SQL, as a future command might (it
        # cascades to the account's keys, users and identities).
        connection = getattr(tx, "_conn")  # noqa: B009 - reaching under the port on purpose
        await connection.execute(text("DELETE FROM accounts WHERE account_id = :a"), {"a": ACCOUNT})
    with pytest.raises(NotFound):
        await state.quota(root_call())
    assert await AccountsService(server).credentials(ROOT_KEY) is None


# --------------------------------------------------------------------------- identities


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("writer", ["admin", "server"])
async def test_identity_policy_edits_and_deletions_apply_at_once(
    server: Store, admin: SqlStore, writer: str
) -> None:
    assert await read_identity_policies(server) == ["p1={}"]
    assert await read_identity_policies(server) == ["p1={}"]
    chosen = admin if writer == "admin" else server
    async with chosen.transaction() as tx:
        await tx.put_identity_policy(
            identity_policy("sender@example.com", "p1", document='{"v":2}')
        )
    assert await read_identity_policies(server) == ['p1={"v":2}']
    async with chosen.transaction() as tx:
        await tx.put_identity_policy(identity_policy("sender@example.com", "p0"))
    assert await read_identity_policies(server) == ["p0={}", 'p1={"v":2}']
    async with chosen.transaction() as tx:
        assert await tx.delete_identity_policy(ACCOUNT, REGION, "sender@example.com", "p1")
    assert await read_identity_policies(server) == ["p0={}"]
    async with chosen.transaction() as tx:
        assert await tx.delete_identity(ACCOUNT, REGION, "sender@example.com")
    assert await read_identity_policies(server) == []


@pytest.mark.usefixtures("world")
async def test_identity_changes_apply_at_once(server: Store, admin: SqlStore) -> None:
    async def read() -> tuple[object, list[object]]:
        async with server.transaction(read_only=True) as tx:
            one = await tx.get_identity(ACCOUNT, REGION, "sender@example.com")
            some = await tx.get_identities(
                ACCOUNT, REGION, ["sender@example.com", "other@example.com"]
            )
        return (None if one is None else one.status), [i.name for i in some]

    assert await read() == (VerificationStatus.SUCCESS, ["sender@example.com"])
    assert await read() == (VerificationStatus.SUCCESS, ["sender@example.com"])
    async with admin.transaction() as tx:
        await tx.put_identity(
            replace(address("sender@example.com"), status=VerificationStatus.FAILED)
        )
        await tx.put_identity(address("other@example.com"))
    assert await read() == (
        VerificationStatus.FAILED,
        ["other@example.com", "sender@example.com"],
    )


# ------------------------------------------------------------------------- transactions


class Boom(Exception):
    pass


@pytest.mark.usefixtures("world")
async def test_a_rolled_back_write_is_never_read_back(server: Store) -> None:
    accounts = AccountsService(server)
    await warm(accounts)

    async def deactivate_then_fail() -> None:
        async with server.transaction() as tx:
            await tx.update_access_key(
                access_key(USER_KEY, user_name="alice", status=KeyStatus.INACTIVE)
            )
            assert await tx.get_access_key(USER_KEY) is not None  # read-through, uncommitted
            raise Boom

    with pytest.raises(Boom):
        await deactivate_then_fail()
    assert await accounts.credentials(USER_KEY) is not None


@pytest.mark.usefixtures("world")
async def test_a_read_write_transaction_sees_its_own_writes(server: Store) -> None:
    await warm(AccountsService(server))
    async with server.transaction() as tx:
        await tx.update_access_key(
            access_key(USER_KEY, user_name="alice", status=KeyStatus.INACTIVE)
        )
        found = await tx.get_access_key(USER_KEY)
        assert found is not None
        assert found.status is KeyStatus.INACTIVE
        assert await tx.list_user_policies(ACCOUNT, "alice") != []
        await tx.delete_user_policy(ACCOUNT, "alice", "ses")
        assert await tx.list_user_policies(ACCOUNT, "alice") == []


# ---------------------------------------------------------------- SQLite white box


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_a_read_only_transaction_keeps_its_snapshot(
    backend: str, server: Store, admin: SqlStore
) -> None:
    """Cached or not, reads inside one read-only transaction agree with each other (SQLite's
    snapshot isolation; PostgreSQL's read committed reads the newest at each statement)."""
    async with server.transaction(read_only=True) as tx:
        assert (await tx.get_access_key(ROOT_KEY)) is not None
    async with server.transaction(read_only=True) as tx:
        first = await tx.get_access_key(ROOT_KEY)
        async with admin.transaction() as other:
            await other.update_access_key(access_key(ROOT_KEY, status=KeyStatus.INACTIVE))
        assert await tx.get_access_key(ROOT_KEY) == first
        assert await tx.get_user(ACCOUNT, "alice") is not None
    async with server.transaction(read_only=True) as tx:
        changed = await tx.get_access_key(ROOT_KEY)
    assert changed is not None
    assert changed.status is KeyStatus.INACTIVE


def sqlite_of(store: Store) -> InlineSqlite:
    assert isinstance(store, SqlStore)
    inline = getattr(store, "_sqlite")  # noqa: B009 - the cache under test
    assert isinstance(inline, InlineSqlite)
    return inline


def statements_of(store: Store) -> list[str]:
    """Start recording the SQL the store's connection runs (SQLite)."""
    executed: list[str] = []
    driver = getattr(sqlite_of(store), "_driver")  # noqa: B009
    assert isinstance(driver, sqlite3.Connection)
    driver.set_trace_callback(executed.append)
    return executed


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_answers_repeated_reads_from_the_cache(backend: str, server: Store) -> None:
    accounts = AccountsService(server)
    principal = await warm(accounts)
    await accounts.authorize(call_as(principal), "ses:GetSendQuota")
    executed = statements_of(server)
    await warm(accounts)
    await accounts.authorize(call_as(principal), "ses:GetSendQuota")
    assert [sql for sql in executed if "SELECT" in sql.upper()] == []
    assert executed.count("PRAGMA data_version") == 3  # one per read-only transaction


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_read_write_transactions_bypass_the_cache_and_drop_what_they_wrote(
    backend: str, server: Store
) -> None:
    cache = sqlite_of(server).cache
    async with server.transaction(read_only=True) as tx:
        assert await tx.get_access_key(ROOT_KEY) is not None
    assert len(cache) == 1
    fake = access_key(ROOT_KEY, secret_access_key="not-what-the-database-holds")
    cache.put(ON_ACCESS_KEYS, ("access_key", ROOT_KEY), fake)  # only to show who reads it
    async with server.transaction(read_only=True) as tx:
        assert await tx.get_access_key(ROOT_KEY) == fake
    async with server.transaction() as tx:
        assert await tx.get_access_key(ROOT_KEY) == access_key(ROOT_KEY)
    assert len(cache) == 1  # reading wrote nothing
    async with server.transaction() as tx:
        await tx.update_access_key(access_key(ROOT_KEY))
    assert len(cache) == 0
    async with server.transaction(read_only=True) as tx:
        assert await tx.get_access_key(ROOT_KEY) == access_key(ROOT_KEY)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_writes_to_other_tables_keep_the_cached_reads(
    backend: str, server: Store
) -> None:
    """A send writes the outbox and the counters: the keys and policies stay cached."""
    accounts = AccountsService(server)
    call = call_as(await warm(accounts))
    await accounts.authorize(call, "ses:SendEmail")
    cached = len(sqlite_of(server).cache)
    async with server.transaction() as tx:
        await tx.insert_message(message("m-1"))
        await tx.add_send_counts(ACCOUNT, REGION, NOW, delivery_attempts=1, quota_recipients=1)
    assert len(sqlite_of(server).cache) == cached
    executed = statements_of(server)
    await warm(accounts)
    await accounts.authorize(call, "ses:SendEmail")
    assert [sql for sql in executed if "SELECT" in sql.upper()] == []

    # A write to a table that cascades into cached ones (accounts → users → their policies)
    # drops those too, even though no user or policy row was written by this statement.
    async with server.transaction() as tx:
        await tx.update_account(account(max_send_rate=3.0))
    assert len(sqlite_of(server).cache) == 0
    await accounts.authorize(call, "ses:SendEmail")
    assert any("user_policies" in sql for sql in executed)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_raw_sql_writes_drop_everything(backend: str, server: Store) -> None:
    await warm(AccountsService(server))
    async with server.transaction() as tx:
        connection = getattr(tx, "_conn")  # noqa: B009 - reaching under the port on purpose
        await connection.execute(text("UPDATE templates SET subject = subject"))
    assert len(sqlite_of(server).cache) == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_a_write_in_a_read_only_transaction_still_drops_the_cache(
    backend: str, server: Store
) -> None:
    async with server.transaction(read_only=True) as tx:
        assert await tx.get_access_key(ROOT_KEY) is not None
    async with server.transaction(read_only=True) as tx:  # breaks the port's rule
        await tx.delete_access_key(ROOT_KEY)
    async with server.transaction(read_only=True) as tx:
        assert await tx.get_access_key(ROOT_KEY) is None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_a_reopened_connection_starts_with_an_empty_cache(
    backend: str, server: Store
) -> None:
    inline = sqlite_of(server)
    await warm(AccountsService(server))
    assert len(inline.cache) > 0
    await inline.close()  # the store reconnects on its next transaction
    inline.cache.put(ON_ACCESS_KEYS, ("stale",), "left from the old connection")
    async with server.transaction(read_only=True) as tx:
        assert await tx.get_access_key(ROOT_KEY) is not None
    assert inline.cache.get(ON_ACCESS_KEYS, ("stale",)) is MISSING


def test_a_read_depends_on_the_tables_that_cascade_into_it() -> None:
    assert ON_USER_POLICIES.names == {"user_policies", "iam_users", "accounts"}
    assert ON_IDENTITY_POLICIES.names == {"identity_policies", "identities", "accounts"}
    assert ON_ACCESS_KEYS.names == {"access_keys", "accounts"}


def test_the_cache_starts_over_when_full_and_forgets_by_table() -> None:
    cache = ReadCache(max_entries=3)
    cache.check(7)
    for index in range(3):
        cache.put(ON_ACCESS_KEYS, ("k", index), index)
    assert len(cache) == 3
    cache.put(ON_IDENTITY_POLICIES, ("k", 3), 3)
    assert len(cache) == 1
    assert cache.get(ON_IDENTITY_POLICIES, ("k", 3)) == 3
    cache.put(ON_ACCESS_KEYS, ("k", 0), 0)
    cache.forget({"messages", "send_counts"})
    assert len(cache) == 2
    cache.forget({"identities"})
    assert len(cache) == 1
    assert cache.get(ON_ACCESS_KEYS, ("k", 0)) == 0
    cache.check(7)
    assert len(cache) == 1
    cache.check(8)
    assert len(cache) == 0
    cache.put(ON_ACCESS_KEYS, ("k", 0), 0)
    cache.forget({EVERY_TABLE})
    assert len(cache) == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("world")
async def test_sqlite_prepared_reads_match_sqlalchemys_rows(backend: str, server: Store) -> None:
    """Every prepared read gives, on the driver connection, the rows SQLAlchemy gives."""
    async with server.transaction() as tx:
        await tx.set_region_sending(ACCOUNT, REGION, False)
        await tx.put_identity_policy(identity_policy("sender@example.com", "p0"))
    parameters = {
        "account_id": ACCOUNT,
        "region": REGION,
        "access_key_id": USER_KEY,
        "name": "alice",
        "user_name": "alice",
        "policy_name": "ses",
        "identity": "sender@example.com",
        "kind": "EmailAddress",
    }
    prepared = [
        value
        for module in (storage_accounts, storage_identities)
        for value in vars(module).values()
        if isinstance(value, Prepared)
    ]
    assert len(prepared) >= 8
    identity_parameters = {**parameters, "name": "sender@example.com"}
    async with server.transaction(read_only=True) as tx:
        connection = getattr(tx, "_conn")  # noqa: B009 - the connection under the port
        for statement in prepared:
            by_identity_name = statement is getattr(storage_identities, "_IDENTITY")  # noqa: B009
            given = identity_parameters if by_identity_name else parameters
            expected = [
                dict(row)
                for row in (await connection.execute(statement.statement(False), given)).mappings()
            ]
            assert expected, statement.statement(False)
            found = statement.sqlite_query(connection.dialect).fetch(connection.driver, given)
            assert found == expected
            assert [list(map(type, row.values())) for row in found] == [
                list(map(type, row.values())) for row in expected
            ]
