"""The storage contract, DKIM part: ``lock_dkim`` reads the settings for update, so a second
writer waits for the first and then sees what it stored (how concurrent first requests for an
identity's Ed25519 key end up storing one key)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from openses.domain.dkim.settings import DkimSettings
from openses.services.ports import Store
from tests.contract.records import ACCOUNT, OTHER_REGION, REGION, at, domain
from tests.contract.test_store_dkim import PEM, _identities, easy


async def test_lock_dkim_reads_the_settings(store: Store) -> None:
    await _identities(store, domain("example.com"))
    settings = easy("example.com", ("a1", "a2", "a3"))
    async with store.transaction() as tx:
        assert await tx.lock_dkim(ACCOUNT, REGION, "example.com") is None
        await tx.put_dkim(settings)
    async with store.transaction() as tx:
        assert await tx.lock_dkim(ACCOUNT, REGION, "example.com") == settings
        assert await tx.lock_dkim(ACCOUNT, OTHER_REGION, "example.com") is None


async def test_a_second_locking_writer_waits_and_sees_the_first_ones_write(store: Store) -> None:
    await _identities(store, domain("example.com"))
    settings = easy("example.com", ("a1", "a2", "a3"))
    async with store.transaction() as tx:
        await tx.put_dkim(settings)
    changed = replace(settings, private_keys=(PEM, PEM, PEM), updated_at=at(20))
    locked, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with store.transaction() as tx:
            assert await tx.lock_dkim(ACCOUNT, REGION, "example.com") == settings
            locked.set()
            await release.wait()
            await tx.put_dkim(changed)

    async def second() -> DkimSettings | None:
        await locked.wait()
        async with store.transaction() as tx:
            return await tx.lock_dkim(ACCOUNT, REGION, "example.com")

    writer, reader = asyncio.create_task(first()), asyncio.create_task(second())
    await locked.wait()
    await asyncio.sleep(0.2)
    assert not reader.done()  # held back until the first writer ends
    release.set()
    await writer
    assert await asyncio.wait_for(reader, 10) == changed
