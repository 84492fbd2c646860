"""The storage contract, part 1: transactions, accounts, access keys, IAM users and policies.

Every test runs on SQLite and on PostgreSQL (see conftest.py) through the ``Store`` port only.
Identities are in test_store_identities.py, the capture outbox in test_store_messages.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from openses.domain.accounts import KeyStatus, UserPolicy
from openses.services.ports import Conflict, Store
from openses.storage.store import SqlStore
from tests.contract.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_REGION,
    REGION,
    T0,
    access_key,
    account,
    at,
    domain,
    message,
    user,
    user_policy,
)


class Boom(Exception):
    pass


# ------------------------------------------------------------------------------ transactions


async def test_a_transaction_that_raises_writes_nothing(store: Store) -> None:
    async def write_then_fail() -> None:
        async with store.transaction() as tx:
            await tx.insert_account(account())
            await tx.put_identity(domain("example.com"))
            await tx.insert_message(message("m-1"))
            assert await tx.get_account(ACCOUNT) is not None  # visible inside the transaction
            raise Boom

    with pytest.raises(Boom):
        await write_then_fail()
    async with store.transaction() as tx:
        assert await tx.get_account(ACCOUNT) is None
        assert await tx.get_identity(ACCOUNT, REGION, "example.com") is None
        assert await tx.get_message("m-1") is None
        assert await tx.count_accounts() == 0


async def test_committed_writes_are_seen_by_later_transactions_and_other_stores(
    store: Store, store_url: str
) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
    async with store.transaction() as tx:
        assert await tx.get_account(ACCOUNT) == account()
    other = SqlStore(store_url)
    try:
        async with other.transaction() as tx:
            assert await tx.get_account(ACCOUNT) == account()
    finally:
        await other.close()


async def test_a_conflict_leaves_the_transaction_usable(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        with pytest.raises(Conflict):
            await tx.insert_account(account(production=True))
        await tx.insert_account(account(OTHER_ACCOUNT))
    async with store.transaction() as tx:
        assert await tx.count_accounts() == 2
        assert await tx.get_account(ACCOUNT) == account()


async def test_concurrent_writers_all_succeed(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())

    async def writer(index: int) -> None:
        async with store.transaction() as tx:
            # Read, then write: the pattern that fails on SQLite without BEGIN IMMEDIATE.
            assert await tx.get_account(ACCOUNT) is not None
            await tx.put_identity(domain(f"d{index:02}.example.com"))
            await tx.insert_message(message(f"m-{index:02}", created_at=at(index)))
            await tx.add_send_counts(ACCOUNT, REGION, at(index), quota_recipients=1)
            await tx.set_region_sending(ACCOUNT, f"region-{index:02}", index % 2 == 0)

    await asyncio.gather(*(writer(index) for index in range(20)))
    async with store.transaction() as tx:
        assert len(await tx.list_identities(ACCOUNT, REGION)) == 20
        assert await tx.recipients_sent_since(ACCOUNT, REGION, T0) == 20
        assert await tx.get_region_sending(ACCOUNT, "region-07") is False


async def test_concurrent_inserts_of_one_key_give_one_winner_and_conflicts(store: Store) -> None:
    async def insert(index: int) -> bool:
        try:
            async with store.transaction() as tx:
                await tx.insert_account(account(max_send_rate=float(index)))
        except Conflict:
            return False
        return True

    outcomes = await asyncio.gather(*(insert(index) for index in range(10)))
    assert outcomes.count(True) == 1
    async with store.transaction() as tx:
        assert await tx.count_accounts() == 1


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        async with store.transaction() as tx:
            await tx.insert_account(account(created_at=T0.replace(tzinfo=None)))


# ---------------------------------------------------------------------------------- accounts


async def test_account_round_trip(store: Store) -> None:
    stored = account(
        production=True,
        sending_enabled=False,
        max_24_hour_send=123456.5,
        max_send_rate=0.25,
        created_at=at(0.001),
    )
    async with store.transaction() as tx:
        assert await tx.get_account(ACCOUNT) is None
        await tx.insert_account(stored)
        await tx.insert_account(account(OTHER_ACCOUNT))
    async with store.transaction() as tx:
        assert await tx.get_account(ACCOUNT) == stored
        assert await tx.get_account(OTHER_ACCOUNT) == account(OTHER_ACCOUNT)
        assert await tx.get_account("999999999999") is None


async def test_inserting_an_existing_account_conflicts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
    with pytest.raises(Conflict):
        async with store.transaction() as tx:
            await tx.insert_account(account(production=True))
    async with store.transaction() as tx:
        assert await tx.get_account(ACCOUNT) == account()


async def test_update_account_replaces_every_field(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
    changed = account(
        production=True,
        sending_enabled=False,
        max_24_hour_send=50_000.0,
        max_send_rate=14.0,
        created_at=at(10),
    )
    async with store.transaction() as tx:
        await tx.update_account(changed)
    async with store.transaction() as tx:
        assert await tx.get_account(ACCOUNT) == changed
        assert await tx.get_account(OTHER_ACCOUNT) == account(OTHER_ACCOUNT)


async def test_count_accounts(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.count_accounts() == 0
        for index in range(3):
            await tx.insert_account(account(f"00000000000{index}"))
        assert await tx.count_accounts() == 3


async def test_region_sending_switch(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        assert await tx.get_region_sending(ACCOUNT, REGION) is None
        await tx.set_region_sending(ACCOUNT, REGION, False)
    async with store.transaction() as tx:
        assert await tx.get_region_sending(ACCOUNT, REGION) is False
        assert await tx.get_region_sending(ACCOUNT, OTHER_REGION) is None
        assert await tx.get_region_sending(OTHER_ACCOUNT, REGION) is None
        await tx.set_region_sending(ACCOUNT, REGION, True)
        await tx.set_region_sending(ACCOUNT, OTHER_REGION, False)
    async with store.transaction() as tx:
        assert await tx.get_region_sending(ACCOUNT, REGION) is True
        assert await tx.get_region_sending(ACCOUNT, OTHER_REGION) is False


# ------------------------------------------------------------------------------- access keys


async def test_access_key_round_trips_for_root_user_and_service(store: Store) -> None:
    root = access_key("AKIAROOT", secret_access_key="s3cr3t/+ünï", created_at=at(0.5))
    alice = access_key("AKIAALICE", user_name="alice", status=KeyStatus.INACTIVE)
    service = access_key(
        "AKIASERVICE",
        service="ses.amazonaws.com",
        source_arn=f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/x",
    )
    unbound_service = access_key("AKIASERVICE2", service="sns.amazonaws.com")
    async with store.transaction() as tx:
        await tx.insert_account(account())
        for key in (root, alice, service, unbound_service):
            await tx.insert_access_key(key)
    async with store.transaction() as tx:
        for key in (root, alice, service, unbound_service):
            assert await tx.get_access_key(key.access_key_id) == key
        assert await tx.get_access_key("AKIANOBODY") is None


async def test_inserting_an_existing_access_key_conflicts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        await tx.insert_access_key(access_key("AKIA1"))
    with pytest.raises(Conflict):
        async with store.transaction() as tx:
            await tx.insert_access_key(access_key("AKIA1", OTHER_ACCOUNT))
    async with store.transaction() as tx:
        assert await tx.get_access_key("AKIA1") == access_key("AKIA1")


async def test_an_access_key_of_an_unknown_account_is_refused_not_a_conflict(store: Store) -> None:
    # Foreign keys are enforced on both backends (SQLite needs PRAGMA foreign_keys=ON).
    with pytest.raises(IntegrityError):
        async with store.transaction() as tx:
            await tx.insert_access_key(access_key("AKIA1", "999999999999"))


async def test_list_access_keys_by_owner_oldest_first(store: Store) -> None:
    root_new = access_key("AKIAROOT2", created_at=at(20))
    root_old = access_key("AKIAROOT1", created_at=at(10))
    alice_1 = access_key("AKIAALICE1", user_name="alice", created_at=at(5))
    alice_2 = access_key("AKIAALICE2", user_name="alice", created_at=at(6))
    bob = access_key("AKIABOB", user_name="bob")
    service = access_key("AKIASERVICE", service="ses.amazonaws.com")
    elsewhere = access_key("AKIAOTHER", OTHER_ACCOUNT)
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        for key in (root_new, root_old, alice_1, alice_2, bob, service, elsewhere):
            await tx.insert_access_key(key)
    async with store.transaction() as tx:
        assert await tx.list_access_keys(ACCOUNT, None) == [root_old, root_new]
        assert await tx.list_access_keys(ACCOUNT, "alice") == [alice_1, alice_2]
        assert await tx.list_access_keys(ACCOUNT, "bob") == [bob]
        assert await tx.list_access_keys(ACCOUNT, "carol") == []
        assert await tx.list_access_keys(OTHER_ACCOUNT, None) == [elsewhere]


async def test_update_and_delete_access_key(store: Store) -> None:
    key = access_key("AKIA1", user_name="alice")
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_access_key(key)
        await tx.insert_access_key(access_key("AKIA2"))
    inactive = replace(key, status=KeyStatus.INACTIVE)
    async with store.transaction() as tx:
        await tx.update_access_key(inactive)
    async with store.transaction() as tx:
        assert await tx.get_access_key("AKIA1") == inactive
        assert await tx.delete_access_key("AKIA1") is True
        assert await tx.delete_access_key("AKIA1") is False
        assert await tx.delete_access_key("AKIANOBODY") is False
    async with store.transaction() as tx:
        assert await tx.get_access_key("AKIA1") is None
        assert await tx.get_access_key("AKIA2") == access_key("AKIA2")


# --------------------------------------------------------------------------------- IAM users


async def test_user_round_trip(store: Store) -> None:
    alice = user("alice", path="/division/team/", created_at=at(1.234))
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        await tx.insert_user(alice)
        await tx.insert_user(user("alice", OTHER_ACCOUNT))  # same name, other account
    async with store.transaction() as tx:
        assert await tx.get_user(ACCOUNT, "alice") == alice
        assert await tx.get_user(OTHER_ACCOUNT, "alice") == user("alice", OTHER_ACCOUNT)
        assert await tx.get_user(ACCOUNT, "bob") is None
        assert await tx.get_user(ACCOUNT, "Alice") is None


async def test_inserting_an_existing_user_conflicts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_user(user("alice"))
    with pytest.raises(Conflict):
        async with store.transaction() as tx:
            await tx.insert_user(user("alice", path="/other/"))
    with pytest.raises(Conflict):  # the user id is unique too
        async with store.transaction() as tx:
            await tx.insert_user(user("bob", user_id=user("alice").user_id))
    async with store.transaction() as tx:
        assert await tx.list_users(ACCOUNT) == [user("alice")]


async def test_list_users_sorted_by_name_and_filtered_by_path_prefix(store: Store) -> None:
    users = [
        user("émile", path="/eng/"),
        user("bob", path="/eng/web/"),
        user("Zed", path="/"),
        user("alice", path="/engineering/"),
        user("carol", path="/Eng/"),
        user("dave", path="/a_b/"),
        user("erin", path="/a%b/"),
    ]
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        for each in users:
            await tx.insert_user(each)
        await tx.insert_user(user("frank", OTHER_ACCOUNT))
    async with store.transaction() as tx:
        names = [found.name for found in await tx.list_users(ACCOUNT)]
        assert names == ["Zed", "alice", "bob", "carol", "dave", "erin", "émile"]
        assert [found.name for found in await tx.list_users(ACCOUNT, "/")] == names
        assert [found.name for found in await tx.list_users(ACCOUNT, "/eng/")] == ["bob", "émile"]
        assert [found.name for found in await tx.list_users(ACCOUNT, "/eng")] == [
            "alice",
            "bob",
            "émile",
        ]
        assert [found.name for found in await tx.list_users(ACCOUNT, "/a_")] == ["dave"]
        assert [found.name for found in await tx.list_users(ACCOUNT, "/a%")] == ["erin"]
        assert await tx.list_users(ACCOUNT, "/nobody/") == []


async def test_delete_user_takes_its_policies_and_keys(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_user(user("alice"))
        await tx.insert_user(user("bob"))
        await tx.put_user_policy(user_policy("alice", "send"))
        await tx.put_user_policy(user_policy("bob", "send"))
        await tx.insert_access_key(access_key("AKIAALICE", user_name="alice"))
        await tx.insert_access_key(access_key("AKIABOB", user_name="bob"))
    async with store.transaction() as tx:
        assert await tx.delete_user(ACCOUNT, "alice") is True
        assert await tx.delete_user(ACCOUNT, "alice") is False
        assert await tx.delete_user(ACCOUNT, "nobody") is False
    async with store.transaction() as tx:
        assert await tx.get_user(ACCOUNT, "alice") is None
        assert await tx.list_user_policies(ACCOUNT, "alice") == []
        assert await tx.get_access_key("AKIAALICE") is None
        assert await tx.list_users(ACCOUNT) == [user("bob")]
        assert await tx.list_user_policies(ACCOUNT, "bob") == [user_policy("bob", "send")]
        assert await tx.get_access_key("AKIABOB") is not None


async def test_user_policies_create_replace_list_delete(store: Store) -> None:
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:*"}]}'
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_user(user("alice"))
        await tx.insert_user(user("bob"))
        await tx.put_user_policy(user_policy("alice", "zeta"))
        await tx.put_user_policy(user_policy("alice", "Alpha"))
        await tx.put_user_policy(user_policy("alice", "beta", document))
        await tx.put_user_policy(user_policy("bob", "beta"))
    replaced = UserPolicy(ACCOUNT, "alice", "beta", '{"Statement":[],"Note":"ünïcödé ✓"}')
    async with store.transaction() as tx:
        assert await tx.get_user_policy(ACCOUNT, "alice", "beta") == user_policy(
            "alice", "beta", document
        )
        await tx.put_user_policy(replaced)
    async with store.transaction() as tx:
        assert await tx.get_user_policy(ACCOUNT, "alice", "beta") == replaced
        assert await tx.get_user_policy(ACCOUNT, "alice", "gamma") is None
        assert [p.policy_name for p in await tx.list_user_policies(ACCOUNT, "alice")] == [
            "Alpha",
            "beta",
            "zeta",
        ]
        assert await tx.delete_user_policy(ACCOUNT, "alice", "zeta") is True
        assert await tx.delete_user_policy(ACCOUNT, "alice", "zeta") is False
    async with store.transaction() as tx:
        assert [p.policy_name for p in await tx.list_user_policies(ACCOUNT, "alice")] == [
            "Alpha",
            "beta",
        ]
        assert await tx.list_user_policies(ACCOUNT, "bob") == [user_policy("bob", "beta")]
