"""DKIM of identities on a real store with scripted DNS: setup, checks, inheritance, keys."""

from __future__ import annotations

import base64
import itertools
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from openses.domain.dkim import SigningKey, private_key_pem, public_key_record
from openses.domain.dkim.settings import DkimStatus
from openses.domain.identities import VerificationStatus, VerifiedBy
from openses.services.accounts import AccountsService
from openses.services.dkim import DkimService, SigningPlan
from openses.services.errors import InvalidParameter, NotFound
from openses.services.identities import IdentitiesService, LookupFailure
from openses.services.principals import Call
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, root_call

ZONE = "dkim.openses.test"
H = timedelta(hours=1)


class Resolver:
    """TXT and CNAME answers set by the test; a name mapped to None fails temporarily."""

    def __init__(self) -> None:
        self.txts: dict[str, list[str] | None] = {}
        self.cnames: dict[str, list[str] | None] = {}

    async def txt(self, name: str) -> list[str]:
        return _answer(self.txts, name)

    async def cname(self, name: str) -> list[str]:
        return _answer(self.cnames, name)

    def publish(self, domain: str, tokens: tuple[str, ...], zone: str = ZONE) -> None:
        for token in tokens:
            self.cnames[f"{token}._domainkey.{domain}"] = [f"{token}.{zone}."]


def _answer(records: dict[str, list[str] | None], name: str) -> list[str]:
    answer = records.get(name, [])
    if answer is None:
        raise LookupFailure(name)
    return answer


@pytest.fixture(scope="module")
def key_pool() -> dict[int, list[str]]:
    """A few keys of each length, made once (generating RSA keys is slow)."""
    return {
        bits: [private_key_pem(rsa.generate_private_key(65537, bits)) for _ in range(3)]
        for bits in (1024, 2048)
    }


class World:
    def __init__(self, store: SqlStore, pool: dict[int, list[str]]) -> None:
        self.resolver = Resolver()
        self.identities = IdentitiesService(
            store, self.resolver, public_url="http://openses.test", verification_sender="v@x.test"
        )
        cycles = {bits: itertools.cycle(keys) for bits, keys in pool.items()}
        self.generated: list[int] = []

        def generate(bits: int) -> str:
            self.generated.append(bits)
            return next(cycles[bits])

        self.dkim = DkimService(
            store, self.resolver, self.identities, zone=ZONE, generate_key=generate
        )
        self.account = ""

    def call(self, at: datetime = T0, region: str = "us-east-1") -> Call:
        return root_call(self.account, at, region)

    async def verified_domain(self, name: str, at: datetime = T0) -> tuple[str, ...]:
        tokens = await self.dkim.verify_domain_dkim(self.call(at), name)
        self.resolver.publish(name, tokens)
        await self.dkim.check_pending(at)
        return tokens

    async def keys(self, address: str, region: str = "us-east-1") -> list[tuple[str, str]]:
        found = await self.dkim.signing_keys(self.account, region, address)
        return [(key.domain, key.selector) for key in found]


@pytest.fixture
async def world(store: SqlStore, key_pool: dict[int, list[str]]) -> World:
    created = World(store, key_pool)
    account, _ = await AccountsService(store).create_account(T0)
    created.account = account.account_id
    return created


# ----------------------------------------------------------------------- Easy DKIM


async def test_verify_domain_dkim_makes_the_identity_and_three_tokens(world: World) -> None:
    tokens = await world.dkim.verify_domain_dkim(world.call(), "Example.COM")
    assert len(tokens) == 3
    assert len(set(tokens)) == 3
    assert all(len(t) == 32 and t.isalnum() and t.islower() for t in tokens)
    assert world.generated == [2048]
    identity, _ = await world.identities.get(world.call(), "example.com")
    assert identity.status is VerificationStatus.PENDING
    view = await world.dkim.view(world.call(), "example.com")
    assert (view.signing_enabled, view.status, view.tokens) == (True, DkimStatus.PENDING, tokens)
    assert (view.origin, view.current_key_length) == ("AWS_SES", 2048)
    assert await world.dkim.verify_domain_dkim(world.call(), "example.com") == tokens
    assert world.generated == [2048]


async def test_cnames_verify_dkim_and_the_domain(world: World) -> None:
    tokens = await world.dkim.verify_domain_dkim(world.call(), "example.com")
    world.resolver.publish("example.com", tokens[:2])
    assert await world.dkim.check_pending(T0 + H) == 0
    assert (await world.dkim.view(world.call(), "example.com")).status is DkimStatus.PENDING
    world.resolver.cnames[f"{tokens[2]}._domainkey.example.com"] = [f"{tokens[2]}.elsewhere.test"]
    assert await world.dkim.check_pending(T0 + H) == 0
    world.resolver.publish("example.com", tokens)
    assert await world.dkim.check_pending(T0 + 2 * H) == 1
    view = await world.dkim.view(world.call(), "example.com")
    assert view.status is DkimStatus.SUCCESS
    identity, _ = await world.identities.get(world.call(), "example.com")
    assert (identity.verified, identity.verified_by) == (True, VerifiedBy.DNS)
    assert identity.verified_at == T0 + 2 * H


async def test_checks_fail_temporarily_then_for_good_and_restart(world: World) -> None:
    tokens = await world.dkim.verify_domain_dkim(world.call(), "slow.example")
    world.resolver.cnames[f"{tokens[0]}._domainkey.slow.example"] = None
    view = await world.dkim.view(world.call(T0 + H), "slow.example")
    assert view.status is DkimStatus.TEMPORARY_FAILURE
    del world.resolver.cnames[f"{tokens[0]}._domainkey.slow.example"]
    assert (await world.dkim.view(world.call(T0 + 71 * H), "slow.example")).status is (
        DkimStatus.PENDING
    )
    late = world.call(T0 + 72 * H)
    assert (await world.dkim.view(late, "slow.example")).status is DkimStatus.FAILED
    assert (await world.dkim.views(late, ["slow.example"]))["slow.example"].status is (
        DkimStatus.FAILED
    )
    world.resolver.publish("slow.example", tokens)
    assert (await world.dkim.view(late, "slow.example")).status is DkimStatus.FAILED
    assert await world.dkim.verify_domain_dkim(late, "slow.example") == tokens
    assert (await world.dkim.view(late, "slow.example")).status is DkimStatus.SUCCESS


async def test_signing_keys_follow_status_switches_and_inheritance(world: World) -> None:
    tokens = await world.dkim.verify_domain_dkim(world.call(), "example.com")
    assert await world.keys("news@example.com") == []  # pending: not signed
    world.resolver.publish("example.com", tokens)
    await world.dkim.check_pending(T0 + H)
    assert await world.keys("news@example.com") == [("example.com", tokens[0])]
    assert await world.keys("a@deep.sub.example.com") == [("example.com", tokens[0])]
    assert await world.keys("news@example.org") == []
    assert await world.dkim.signing_keys("999999999999", "us-east-1", "a@example.com") == ()
    assert await world.keys("news@example.com", region="eu-west-1") == []

    await world.dkim.set_signing_enabled(world.call(), "example.com", False)
    assert await world.keys("news@example.com") == []
    # An address identity overrides its domain once it is verified.
    await world.identities.operator_verify(
        T0, account_id=world.account, region="us-east-1", name="news@example.com"
    )
    await world.dkim.set_signing_enabled(world.call(), "news@example.com", True)
    assert await world.keys("news@example.com") == [("example.com", tokens[0])]
    assert await world.keys("news+tag@example.com") == [("example.com", tokens[0])]
    assert await world.keys("other@example.com") == []
    views = await world.dkim.views(world.call(), ["news@example.com", "example.com", "nope.com"])
    assert set(views) == {"news@example.com", "example.com"}
    assert (views["news@example.com"].signing_enabled, views["news@example.com"].tokens) == (
        True,
        tokens,
    )
    assert views["news@example.com"].status is DkimStatus.SUCCESS
    assert views["example.com"].signing_enabled is False


async def test_a_subdomain_overrides_its_parent(world: World) -> None:
    parent = await world.verified_domain("example.com")
    child = await world.verified_domain("mail.example.com")
    assert await world.keys("a@mail.example.com") == [("mail.example.com", child[0])]
    assert await world.keys("a@example.com") == [("example.com", parent[0])]
    await world.dkim.set_signing_enabled(world.call(), "mail.example.com", False)
    assert await world.keys("a@x.mail.example.com") == []
    assert await world.keys("a@example.com") == [("example.com", parent[0])]


async def test_an_unverified_address_does_not_override(world: World) -> None:
    tokens = await world.verified_domain("example.com")
    await world.identities.verify_email(world.call(), "news@example.com")
    await world.identities.verify_email(world.call(), "x@example.net")
    with pytest.raises(InvalidParameter, match="domain of the address"):
        await world.dkim.set_signing_enabled(world.call(), "x@example.net", True)
    await world.dkim.set_signing_enabled(world.call(), "news@example.com", False)
    assert await world.keys("news@example.com") == [("example.com", tokens[0])]


async def test_unknown_identities(world: World) -> None:
    with pytest.raises(NotFound):
        await world.dkim.view(world.call(), "nothing.example")
    with pytest.raises(NotFound):
        await world.dkim.set_signing_enabled(world.call(), "nothing.example", True)
    with pytest.raises(NotFound):
        await world.dkim.put_signing_attributes(
            world.call(), "nothing.example", SigningPlan("AWS_SES")
        )


# --------------------------------------------------------------- key lengths, zone


async def test_key_length_changes_rotate_to_the_next_token(world: World) -> None:
    tokens = await world.verified_domain("example.com")
    first = await world.dkim.zone_record(tokens[0], T0)
    assert first is not None
    assert first.record is not None
    assert first.record.startswith("v=DKIM1; k=rsa; p=")
    second_slot = await world.dkim.zone_record(tokens[1].upper(), T0)
    assert second_slot is not None
    assert second_slot.record is None  # the token exists, no key yet
    assert await world.dkim.zone_record("unknown-token", T0) is None

    downgrade = SigningPlan("AWS_SES", key_length=1024)
    view = await world.dkim.put_signing_attributes(world.call(T0 + H), "example.com", downgrade)
    assert (view.current_key_length, view.next_key_length) == (1024, 1024)
    assert view.key_generated_at == T0 + H
    assert view.status is DkimStatus.SUCCESS  # same tokens: the CNAMEs still hold
    assert await world.keys("a@example.com") == [("example.com", tokens[1])]
    rotated = await world.dkim.zone_record(tokens[1], T0 + H)
    assert rotated is not None
    assert rotated.record is not None
    assert await world.dkim.zone_record(tokens[0], T0 + H) == first  # still published

    with pytest.raises(InvalidParameter, match="already RSA_1024_BIT"):
        await world.dkim.put_signing_attributes(world.call(T0 + 2 * H), "example.com", downgrade)
    upgrade = SigningPlan("AWS_SES", key_length=2048)
    with pytest.raises(InvalidParameter, match="at most once in 24 hours"):
        await world.dkim.put_signing_attributes(world.call(T0 + 2 * H), "example.com", upgrade)
    await world.dkim.put_signing_attributes(world.call(T0 + 25 * H), "example.com", upgrade)
    assert await world.keys("a@example.com") == [("example.com", tokens[2])]
    assert world.generated == [2048, 1024, 2048]


async def test_created_with_1024_bits_and_no_change_without_a_length(world: World) -> None:
    identity = await world.identities.verify_domain(world.call(), "small.example")
    await world.dkim.set_up_new(world.call(), identity, SigningPlan("AWS_SES", key_length=1024))
    view = await world.dkim.view(world.call(), "small.example", check=False)
    assert (view.current_key_length, view.status) == (1024, DkimStatus.PENDING)
    again = await world.dkim.put_signing_attributes(
        world.call(), "small.example", SigningPlan("AWS_SES")
    )
    assert again.tokens == view.tokens
    assert world.generated == [1024]


# ---------------------------------------------------------------------- BYODKIM


async def test_byodkim_is_checked_against_the_owners_txt_record(
    world: World, key_pool: dict[int, list[str]]
) -> None:
    await world.verified_domain("example.com")
    pem = key_pool[2048][2]
    plan = SigningPlan("EXTERNAL", selector="s2026", key_pem=pem)
    view = await world.dkim.put_signing_attributes(world.call(T0 + H), "example.com", plan)
    assert (view.origin, view.tokens, view.status) == ("EXTERNAL", ("s2026",), DkimStatus.PENDING)
    assert view.current_key_length is None
    assert await world.keys("a@example.com") == []  # while the new method is pending
    other = public_key_record(rsa.generate_private_key(65537, 1024))
    world.resolver.txts["s2026._domainkey.example.com"] = [other]
    assert await world.dkim.check_pending(T0 + 2 * H) == 0
    key = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    world.resolver.txts["s2026._domainkey.example.com"] = [
        other,
        f"v=DKIM1; k=rsa; p={base64.b64encode(spki).decode()}",
    ]
    assert await world.dkim.check_pending(T0 + 3 * H) == 1
    assert await world.keys("a@example.com") == [("example.com", "s2026")]


# --------------------------------------------------------------- DEED replicas


async def test_replica_uses_its_parents_easy_dkim(world: World) -> None:
    eu = world.call(region="eu-west-1")
    plan = SigningPlan("AWS_SES_US_EAST_1")
    with pytest.raises(InvalidParameter, match="does not exist or does not use Easy DKIM"):
        await world.dkim.check_plan(eu, "example.com", plan)
    with pytest.raises(InvalidParameter, match="another region"):
        await world.dkim.check_plan(world.call(), "example.com", plan)
    with pytest.raises(InvalidParameter, match="only be specified for a domain"):
        await world.dkim.check_plan(world.call(), "a@example.com", SigningPlan("AWS_SES"))
    tokens = await world.dkim.verify_domain_dkim(world.call(), "example.com")
    await world.dkim.check_plan(eu, "example.com", plan)
    replica = await world.identities.verify_domain(eu, "example.com")
    await world.dkim.set_up_new(eu, replica, plan)
    view = await world.dkim.view(eu, "example.com")
    assert (view.origin, view.tokens, view.status) == (
        "AWS_SES_US_EAST_1",
        tokens,
        DkimStatus.PENDING,
    )
    world.resolver.publish("example.com", tokens)
    await world.dkim.check_pending(T0 + H)  # the parent first (checked least recently)...
    await world.dkim.check_pending(T0 + H)  # ...then the replica sees it
    assert (await world.dkim.view(eu, "example.com")).status is DkimStatus.SUCCESS
    assert (await world.identities.get(eu, "example.com"))[0].verified
    assert await world.keys("a@example.com", region="eu-west-1") == [("example.com", tokens[0])]


# ---------------------------------------------------------------- identity goes


async def test_deleting_the_identity_removes_its_dkim(world: World) -> None:
    tokens = await world.verified_domain("example.com")
    assert await world.dkim.zone_record(tokens[0], T0) is not None
    await world.identities.delete(world.call(), "example.com")
    assert await world.keys("a@example.com") == []
    assert await world.dkim.zone_record(tokens[0], T0 + timedelta(seconds=31)) is None


async def test_signing_keys_are_loaded_once(world: World) -> None:
    await world.verified_domain("example.com")
    first = await world.dkim.signing_keys(world.account, "us-east-1", "a@example.com")
    second = await world.dkim.signing_keys(world.account, "us-east-1", "b@example.com")
    assert isinstance(first[0], SigningKey)
    assert first[0] is second[0]
