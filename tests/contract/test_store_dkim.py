"""The storage contract, DKIM part: identities' DKIM settings, the token index, pending checks."""

from __future__ import annotations

from dataclasses import replace

from openses.domain.dkim.settings import DkimSettings, DkimStatus
from openses.services.ports import Store
from tests.contract.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_REGION,
    REGION,
    account,
    address,
    at,
    domain,
)

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"


def easy(name: str, tokens: tuple[str, str, str], **changes: object) -> DkimSettings:
    settings = DkimSettings(
        ACCOUNT,
        REGION,
        name,
        signing_enabled=True,
        updated_at=at(9),
        origin="AWS_SES",
        status=DkimStatus.PENDING,
        selectors=tokens,
        private_keys=(PEM, None, PEM.replace("MII", "XYZ")),
        active=2,
        current_key_length=2048,
        next_key_length=1024,
        key_generated_at=at(1),
        length_changed_at=at(2),
        downgraded_at=at(3),
        check_started_at=at(4.001),
        checked_at=at(5),
        succeeded_at=None,
    )
    return replace(settings, **changes)  # type: ignore[arg-type]


async def _identities(store: Store, *identities: object) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))
        for identity in identities:
            await tx.put_identity(identity)  # type: ignore[arg-type]


async def test_dkim_settings_round_trip(store: Store) -> None:
    await _identities(store, domain("example.com"), address("news@example.com"))
    settings = easy("example.com", ("tok1", "tok2", "tok3"))
    switch = DkimSettings(ACCOUNT, REGION, "news@example.com", False, at(7))
    async with store.transaction() as tx:
        assert await tx.get_dkim(ACCOUNT, REGION, "example.com") is None
        await tx.put_dkim(settings)
        await tx.put_dkim(switch)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_dkim(ACCOUNT, REGION, "example.com") == settings
        assert await tx.get_dkim(ACCOUNT, REGION, "news@example.com") == switch
        assert await tx.get_dkim(ACCOUNT, OTHER_REGION, "example.com") is None
        assert await tx.get_dkim(OTHER_ACCOUNT, REGION, "example.com") is None
        names = ["news@example.com", "example.com", "com", "news@example.com"]
        assert await tx.get_dkims(ACCOUNT, REGION, names) == [settings, switch]
        assert await tx.get_dkims(OTHER_ACCOUNT, REGION, names) == []


async def test_tokens_find_their_easy_dkim_settings_and_follow_changes(store: Store) -> None:
    await _identities(store, domain("example.com"), domain("example.org", OTHER_ACCOUNT))
    first = easy("example.com", ("a1", "a2", "a3"))
    other = replace(easy("example.org", ("b1", "b2", "b3")), account_id=OTHER_ACCOUNT)
    async with store.transaction() as tx:
        await tx.put_dkim(first)
        await tx.put_dkim(other)
    async with store.transaction() as tx:
        assert await tx.find_dkim_by_token("a2") == first
        assert await tx.find_dkim_by_token("b3") == other
        assert await tx.find_dkim_by_token("c1") is None
    renewed = replace(first, selectors=("c1", "c2", "c3"))
    async with store.transaction() as tx:
        await tx.put_dkim(renewed)
    async with store.transaction() as tx:
        assert await tx.find_dkim_by_token("a2") is None
        assert await tx.find_dkim_by_token("c1") == renewed
    external = replace(
        renewed, origin="EXTERNAL", selectors=("sel",), private_keys=(PEM,), active=0
    )
    async with store.transaction() as tx:
        await tx.put_dkim(external)
    async with store.transaction() as tx:
        assert await tx.find_dkim_by_token("c1") is None
        assert await tx.find_dkim_by_token("sel") is None  # BYODKIM selectors are not tokens
        assert await tx.get_dkim(ACCOUNT, REGION, "example.com") == external


async def test_pending_checks_least_recently_checked_first(store: Store) -> None:
    names = ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"]
    await _identities(store, *(domain(name) for name in names))
    never = easy("a.example", ("t1", "t2", "t3"), checked_at=None)
    later = easy("b.example", ("t4", "t5", "t6"), checked_at=at(50))
    earlier = easy("c.example", ("t7", "t8", "t9"), status=DkimStatus.TEMPORARY_FAILURE)
    done = easy("d.example", ("u1", "u2", "u3"), status=DkimStatus.SUCCESS)
    failed = easy("e.example", ("u4", "u5", "u6"), status=DkimStatus.FAILED)
    switch_only = DkimSettings(ACCOUNT, REGION, "f.example", True, at(1), status=DkimStatus.PENDING)
    async with store.transaction() as tx:
        for settings in (never, later, earlier, done, failed, switch_only):
            await tx.put_dkim(settings)
    async with store.transaction() as tx:
        assert await tx.pending_dkim(10) == [never, earlier, later]
        assert await tx.pending_dkim(1) == [never]
        assert await tx.pending_dkim(0) == []


async def test_dkim_goes_with_its_identity(store: Store) -> None:
    await _identities(store, domain("example.com"), domain("example.net"))
    async with store.transaction() as tx:
        await tx.put_dkim(easy("example.com", ("d1", "d2", "d3")))
        await tx.put_dkim(easy("example.net", ("e1", "e2", "e3")))
    async with store.transaction(read_only=True) as tx:  # fills the read cache (SQLite)
        assert await tx.get_dkim(ACCOUNT, REGION, "example.com") is not None
    async with store.transaction() as tx:
        assert await tx.delete_identity(ACCOUNT, REGION, "example.com")
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_dkim(ACCOUNT, REGION, "example.com") is None
        assert await tx.find_dkim_by_token("d1") is None
        assert await tx.get_dkims(ACCOUNT, REGION, ["example.com", "example.net"]) == [
            easy("example.net", ("e1", "e2", "e3"))
        ]
    async with store.transaction() as tx:
        assert await tx.delete_dkim(ACCOUNT, REGION, "example.net")
        assert not await tx.delete_dkim(ACCOUNT, REGION, "example.net")
        assert await tx.find_dkim_by_token("e1") is None
        assert await tx.get_identity(ACCOUNT, REGION, "example.net") is not None


async def test_cached_reads_see_every_change(store: Store) -> None:
    await _identities(store, domain("example.com"))
    settings = easy("example.com", ("f1", "f2", "f3"))
    async with store.transaction() as tx:
        await tx.put_dkim(settings)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_dkims(ACCOUNT, REGION, ["example.com"]) == [settings]
    changed = replace(settings, signing_enabled=False, status=DkimStatus.SUCCESS)
    async with store.transaction() as tx:
        await tx.put_dkim(changed)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_dkims(ACCOUNT, REGION, ["example.com"]) == [changed]
        assert await tx.get_dkim(ACCOUNT, REGION, "example.com") == changed
