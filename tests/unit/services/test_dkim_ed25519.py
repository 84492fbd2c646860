"""The ``--dkim-ed25519`` option on a real store: Easy DKIM identities get an Ed25519 key in a
free token slot (at setup, or the first time delivery asks), sign with RSA then Ed25519, keep
the slot through key-length changes; with the option off nothing differs."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from openses.domain.dkim import KeyAlgorithm, SigningKey, load_private_key, public_key_record
from openses.domain.dkim.settings import DkimSettings
from openses.services.accounts import AccountsService
from openses.services.dkim import DkimService, SigningPlan
from openses.services.identities import IdentitiesService
from openses.services.principals import Call
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, root_call
from tests.unit.services.test_dkim_service import ZONE, Resolver, key_pool

__all__ = ["key_pool"]
H = timedelta(hours=1)
DOMAIN = "example.com"
RSA, ED = KeyAlgorithm.RSA_SHA256, KeyAlgorithm.ED25519_SHA256


class World:
    """One store, and DKIM services over it as differently configured nodes would run them."""

    def __init__(self, store: SqlStore, pool: dict[int, list[str]]) -> None:
        self.store = store
        self.resolver = Resolver()
        self.identities = IdentitiesService(
            store, self.resolver, public_url="http://openses.test", verification_sender="v@x.test"
        )
        self.cycles = {bits: itertools.cycle(keys) for bits, keys in pool.items()}
        self.now = T0
        self.on = self.service(ed25519=True)
        self.off = self.service(ed25519=False)
        self.account = ""

    def service(self, *, ed25519: bool) -> DkimService:
        return DkimService(
            self.store,
            self.resolver,
            self.identities,
            zone=ZONE,
            ed25519=ed25519,
            clock=lambda: self.now,
            generate_key=lambda bits: next(self.cycles[bits]),
        )

    def call(self, at: datetime | None = None, region: str = "us-east-1") -> Call:
        return root_call(self.account, at or self.now, region)

    async def verified(self, dkim: DkimService, name: str = DOMAIN) -> tuple[str, ...]:
        tokens = await dkim.verify_domain_dkim(self.call(), name)
        self.resolver.publish(name, tokens)
        await dkim.check_pending(self.now)
        return tokens

    async def keys(
        self, dkim: DkimService, address: str = f"a@{DOMAIN}", region: str = "us-east-1"
    ) -> list[tuple[str, KeyAlgorithm]]:
        found = await dkim.signing_keys(self.account, region, address)
        assert all(key.domain == DOMAIN for key in found)
        return [(key.selector, key.algorithm) for key in found]

    async def stored(self, name: str = DOMAIN, region: str = "us-east-1") -> DkimSettings:
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.get_dkim(self.account, region, name)
        assert found is not None
        return found

    async def change_length(self, bits: int, at: datetime) -> None:
        self.now = at
        plan = SigningPlan("AWS_SES", key_length=bits)
        await self.on.put_signing_attributes(self.call(), DOMAIN, plan)


@pytest.fixture
async def world(store: SqlStore, key_pool: dict[int, list[str]]) -> World:
    created = World(store, key_pool)
    account, _ = await AccountsService(store).create_account(T0)
    created.account = account.account_id
    return created


def ed25519_public(key: SigningKey) -> bytes:
    assert isinstance(key.private_key, ed25519.Ed25519PrivateKey)
    return key.private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def kinds(settings: DkimSettings) -> list[str | None]:
    """Each slot's key type: ``rsa``, ``ed25519`` or None (empty)."""
    found: list[str | None] = []
    for pem in settings.private_keys:
        key = None if pem is None else load_private_key(pem, trusted=True)
        found.append(None if key is None else ("ed25519" if is_ed25519(key) else "rsa"))
    return found


def is_ed25519(key: object) -> bool:
    return isinstance(key, ed25519.Ed25519PrivateKey)


# ------------------------------------------------------------------------------ setup


async def test_setup_puts_an_ed25519_key_in_a_free_token_slot(world: World) -> None:
    tokens = await world.verified(world.on)
    stored = await world.stored()
    assert (kinds(stored), stored.active, stored.selectors) == (["rsa", "ed25519", None], 0, tokens)
    assert stored.current_key_length == 2048  # what the APIs show is the RSA key's
    view = await world.on.view(world.call(), DOMAIN)
    assert (view.tokens, view.current_key_length) == (tokens, 2048)

    assert await world.keys(world.on) == [(tokens[0], RSA), (tokens[1], ED)]
    assert await world.keys(world.on, f"x@mail.{DOMAIN}") == [(tokens[0], RSA), (tokens[1], ED)]

    ed_pem = stored.private_keys[1]
    assert ed_pem is not None
    entry = await world.on.zone_record(tokens[1], T0)
    assert entry is not None
    assert entry.record == public_key_record(load_private_key(ed_pem, trusted=True))
    assert entry.record.startswith("v=DKIM1; k=ed25519; p=")
    rsa_entry = await world.on.zone_record(tokens[0], T0)
    assert rsa_entry is not None
    assert rsa_entry.record is not None
    assert rsa_entry.record.startswith("v=DKIM1; k=rsa; p=")


async def test_with_the_option_off_nothing_changes(world: World) -> None:
    tokens = await world.verified(world.off)
    assert kinds(await world.stored()) == ["rsa", None, None]
    assert await world.keys(world.off) == [(tokens[0], RSA)]
    assert kinds(await world.stored()) == ["rsa", None, None]  # asking made no key

    # An Ed25519 key made while the option was on is not used once it is off, and a
    # key-length change rotates as it always did.
    assert await world.keys(world.on) == [(tokens[0], RSA), (tokens[1], ED)]
    assert await world.keys(world.off) == [(tokens[0], RSA)]
    plan = SigningPlan("AWS_SES", key_length=1024)
    await world.off.put_signing_attributes(world.call(T0 + H), DOMAIN, plan)
    assert kinds(await world.stored()) == ["rsa", "rsa", None]
    assert await world.keys(world.off) == [(tokens[1], RSA)]


# ------------------------------------------------------------------ made when asked


async def test_identities_set_up_before_get_their_key_when_delivery_asks(world: World) -> None:
    tokens = await world.verified(world.off)
    first = await world.on.signing_keys(world.account, "us-east-1", f"a@{DOMAIN}")
    assert [(k.selector, k.algorithm) for k in first] == [(tokens[0], RSA), (tokens[1], ED)]
    stored = await world.stored()
    assert kinds(stored) == ["rsa", "ed25519", None]
    # Stored: another node (a fresh service) signs with the same key, the zone publishes it.
    other_node = world.service(ed25519=True)
    again = await other_node.signing_keys(world.account, "us-east-1", f"b@{DOMAIN}")
    assert ed25519_public(again[1]) == ed25519_public(first[1])
    entry = await world.off.zone_record(tokens[1], T0)
    assert entry is not None
    assert entry.record == public_key_record(first[1].private_key)
    assert (await world.stored()) == stored  # asking again changed nothing


async def test_concurrent_first_calls_store_one_key(world: World) -> None:
    await world.verified(world.off)
    nodes = [world.on, world.service(ed25519=True), world.service(ed25519=True)]
    results = await asyncio.gather(
        *(
            node.signing_keys(world.account, "us-east-1", f"n{index}@{DOMAIN}")
            for index, node in enumerate(nodes * 4)
        )
    )
    assert all(len(keys) == 2 for keys in results)
    assert len({ed25519_public(keys[1]) for keys in results}) == 1
    assert kinds(await world.stored()) == ["rsa", "ed25519", None]


async def test_all_slots_full_waits_until_the_retired_keys_are_a_day_old(world: World) -> None:
    tokens = await world.verified(world.off)
    for bits, hours in ((1024, 1), (2048, 25)):
        world.now = T0 + hours * H
        plan = SigningPlan("AWS_SES", key_length=bits)
        await world.off.put_signing_attributes(world.call(), DOMAIN, plan)
    assert kinds(await world.stored()) == ["rsa", "rsa", "rsa"]
    world.now = T0 + 48 * H
    assert await world.keys(world.on) == [(tokens[2], RSA)]  # the active key is 23 hours old
    world.now = T0 + 49 * H
    assert await world.keys(world.on) == [(tokens[2], RSA), (tokens[0], ED)]
    assert kinds(await world.stored()) == ["ed25519", "rsa", "rsa"]


# ---------------------------------------------------------------- key-length changes


async def test_key_length_changes_keep_the_ed25519_slot(world: World) -> None:
    tokens = await world.verified(world.on)
    ed_key = (await world.on.signing_keys(world.account, "us-east-1", f"a@{DOMAIN}"))[1]

    await world.change_length(1024, T0 + H)  # into the empty slot
    assert await world.keys(world.on) == [(tokens[2], RSA), (tokens[1], ED)]
    await world.change_length(2048, T0 + 25 * H)  # over the key retired a day ago
    assert await world.keys(world.on) == [(tokens[0], RSA), (tokens[1], ED)]
    assert kinds(await world.stored()) == ["rsa", "ed25519", "rsa"]
    now_keys = await world.on.signing_keys(world.account, "us-east-1", f"a@{DOMAIN}")
    assert ed25519_public(now_keys[1]) == ed25519_public(ed_key)

    # A first downgrade an hour after the upgrade: the RSA key retired an hour ago stays
    # published, so the new key takes the Ed25519 slot; a new Ed25519 key comes a day later.
    await world.change_length(1024, T0 + 26 * H)
    assert await world.keys(world.on) == [(tokens[1], RSA)]
    assert kinds(await world.stored()) == ["rsa", "rsa", "rsa"]
    world.now = T0 + 50 * H
    assert await world.keys(world.on) == [(tokens[1], RSA), (tokens[2], ED)]
    assert kinds(await world.stored()) == ["rsa", "rsa", "ed25519"]


# ------------------------------------------------------------ BYODKIM and replicas


async def test_byodkim_signs_with_the_owners_key_only(
    world: World, key_pool: dict[int, list[str]]
) -> None:
    await world.verified(world.on)
    plan = SigningPlan("EXTERNAL", selector="s2026", key_pem=key_pool[1024][0])
    await world.on.put_signing_attributes(world.call(), DOMAIN, plan)
    pem = key_pool[1024][0]
    world.resolver.txts[f"s2026._domainkey.{DOMAIN}"] = [
        public_key_record(load_private_key(pem, trusted=True))
    ]
    await world.on.check_pending(T0 + H)
    assert await world.keys(world.on) == [("s2026", RSA)]
    assert (await world.stored()).private_keys == (pem,)

    # Back to Easy DKIM: fresh tokens, and the Ed25519 key with them.
    world.now = T0 + 2 * H
    tokens = await world.on.verify_domain_dkim(world.call(), DOMAIN)
    assert kinds(await world.stored()) == ["rsa", "ed25519", None]
    assert (await world.stored()).selectors == tokens


async def test_a_replica_signs_with_its_parents_two_keys(world: World) -> None:
    tokens = await world.verified(world.off)
    eu = world.call(region="eu-west-1")
    replica = await world.identities.verify_domain(eu, DOMAIN)
    await world.on.set_up_new(eu, replica, SigningPlan("AWS_SES_US_EAST_1"))
    await world.on.check_pending(T0)
    assert await world.keys(world.on, region="eu-west-1") == [(tokens[0], RSA), (tokens[1], ED)]
    assert kinds(await world.stored()) == ["rsa", "ed25519", None]  # kept by the parent
    assert (await world.stored(region="eu-west-1")).private_keys == ()
