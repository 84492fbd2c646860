"""The storage contract, part 2: identities, their policies, tokens and pending domains."""

from __future__ import annotations

from dataclasses import replace

from openses.domain.identities import IdentityKind, VerificationStatus, VerifiedBy
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
    identity_policy,
)


async def _accounts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))


async def test_identity_round_trips(store: Store) -> None:
    await _accounts(store)
    pending = domain("bücher.example", started=at(0.007), token="tok-ünï")
    verified = address("sender+tag@example.com")
    async with store.transaction() as tx:
        assert await tx.get_identity(ACCOUNT, REGION, "bücher.example") is None
        await tx.put_identity(pending)
        await tx.put_identity(verified)
    async with store.transaction() as tx:
        assert await tx.get_identity(ACCOUNT, REGION, "bücher.example") == pending
        assert await tx.get_identity(ACCOUNT, REGION, "sender+tag@example.com") == verified
        assert await tx.get_identity(ACCOUNT, OTHER_REGION, "bücher.example") is None
        assert await tx.get_identity(OTHER_ACCOUNT, REGION, "bücher.example") is None


async def test_put_identity_replaces_every_field(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_identity(domain("example.com"))
    changed = replace(
        domain("example.com"),
        status=VerificationStatus.SUCCESS,
        token="new-token",
        created_at=at(1),
        verification_started_at=at(2),
        verified_at=at(3),
        verified_by=VerifiedBy.OPERATOR,
    )
    async with store.transaction() as tx:
        await tx.put_identity(changed)
    async with store.transaction() as tx:
        assert await tx.get_identity(ACCOUNT, REGION, "example.com") == changed
        assert len(await tx.list_identities(ACCOUNT, REGION)) == 1
        back = replace(
            changed, status=VerificationStatus.FAILED, verified_at=None, verified_by=None
        )
        await tx.put_identity(back)
    async with store.transaction() as tx:
        assert await tx.get_identity(ACCOUNT, REGION, "example.com") == back


async def test_get_identities_returns_those_that_exist_sorted(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        for name in ("b.example", "a.example", "c@a.example"):
            await tx.put_identity(domain(name) if "@" not in name else address(name))
        await tx.put_identity(domain("a.example", region=OTHER_REGION))
        await tx.put_identity(domain("z.example", OTHER_ACCOUNT))
    async with store.transaction() as tx:
        found = await tx.get_identities(
            ACCOUNT,
            REGION,
            ["c@a.example", "b.example", "missing.example", "b.example", "z.example"],
        )
        assert [identity.name for identity in found] == ["b.example", "c@a.example"]
        assert found[1] == address("c@a.example")
        assert await tx.get_identities(ACCOUNT, REGION, []) == []
        assert await tx.get_identities(ACCOUNT, OTHER_REGION, ["a.example"]) == [
            domain("a.example", region=OTHER_REGION)
        ]


async def test_get_identities_with_a_long_list_of_names(store: Store) -> None:
    await _accounts(store)
    names = [f"d{index:04}.example" for index in range(1200)]
    async with store.transaction() as tx:
        for name in names[::100]:
            await tx.put_identity(domain(name))
    async with store.transaction() as tx:
        found = await tx.get_identities(ACCOUNT, REGION, list(reversed(names)))
    assert [identity.name for identity in found] == names[::100]


async def test_list_identities_sorted_by_name_and_by_kind(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_identity(domain("zeta.example"))
        await tx.put_identity(address("Bob@example.com"))
        await tx.put_identity(domain("alpha.example"))
        await tx.put_identity(address("alice@example.com"))
        await tx.put_identity(domain("ärger.example"))
        await tx.put_identity(domain("other-region.example", region=OTHER_REGION))
        await tx.put_identity(domain("other-account.example", OTHER_ACCOUNT))
    async with store.transaction() as tx:
        everything = await tx.list_identities(ACCOUNT, REGION)
        domains = await tx.list_identities(ACCOUNT, REGION, IdentityKind.DOMAIN)
        addresses = await tx.list_identities(ACCOUNT, REGION, IdentityKind.EMAIL_ADDRESS)
        assert await tx.list_identities(OTHER_ACCOUNT, OTHER_REGION) == []
    assert [i.name for i in everything] == [
        "Bob@example.com",
        "alice@example.com",
        "alpha.example",
        "zeta.example",
        "ärger.example",
    ]
    assert [i.name for i in domains] == ["alpha.example", "zeta.example", "ärger.example"]
    assert addresses == [address("Bob@example.com"), address("alice@example.com")]


async def test_delete_identity_takes_its_policies_only(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_identity(domain("example.com"))
        await tx.put_identity(domain("example.com", region=OTHER_REGION))
        await tx.put_identity(domain("example.org"))
        await tx.put_identity_policy(identity_policy("example.com", "p1"))
        await tx.put_identity_policy(identity_policy("example.com", "p2"))
        await tx.put_identity_policy(identity_policy("example.com", "p1", OTHER_REGION))
        await tx.put_identity_policy(identity_policy("example.org", "p1"))
    async with store.transaction() as tx:
        assert await tx.delete_identity(ACCOUNT, REGION, "example.com") is True
        assert await tx.delete_identity(ACCOUNT, REGION, "example.com") is False
        assert await tx.delete_identity(ACCOUNT, REGION, "missing.example") is False
    async with store.transaction() as tx:
        assert await tx.get_identity(ACCOUNT, REGION, "example.com") is None
        assert await tx.list_identity_policies(ACCOUNT, REGION, "example.com") == []
        assert await tx.list_identity_policies(ACCOUNT, OTHER_REGION, "example.com") == [
            identity_policy("example.com", "p1", OTHER_REGION)
        ]
        assert await tx.list_identity_policies(ACCOUNT, REGION, "example.org") == [
            identity_policy("example.org", "p1")
        ]
    async with store.transaction() as tx:  # a re-created identity starts without policies
        await tx.put_identity(domain("example.com"))
        assert await tx.list_identity_policies(ACCOUNT, REGION, "example.com") == []


async def test_find_identity_by_token(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_identity(address("a@example.com"))
        await tx.put_identity(domain("example.com", OTHER_ACCOUNT, token="dns-token"))
    async with store.transaction() as tx:
        assert await tx.find_identity_by_token("link-a@example.com") == address("a@example.com")
        assert await tx.find_identity_by_token("dns-token") == domain(
            "example.com", OTHER_ACCOUNT, token="dns-token"
        )
        assert await tx.find_identity_by_token("DNS-TOKEN") is None
        assert await tx.find_identity_by_token("") is None


async def test_pending_domains_of_every_account_and_region_oldest_first(store: Store) -> None:
    await _accounts(store)
    newest = domain("newest.example", started=at(300))
    oldest = domain("oldest.example", OTHER_ACCOUNT, started=at(100))
    middle = domain("middle.example", region=OTHER_REGION, started=at(200))
    async with store.transaction() as tx:
        for identity in (newest, oldest, middle):
            await tx.put_identity(identity)
        await tx.put_identity(
            domain("verified.example", started=at(0), status=VerificationStatus.SUCCESS)
        )
        await tx.put_identity(
            domain("failed.example", started=at(0), status=VerificationStatus.FAILED)
        )
        await tx.put_identity(replace(address("a@example.com"), status=VerificationStatus.PENDING))
    async with store.transaction() as tx:
        assert await tx.pending_domains(10) == [oldest, middle, newest]
        assert await tx.pending_domains(2) == [oldest, middle]
        assert await tx.pending_domains(0) == []


async def test_identity_policies_create_replace_list_delete(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_identity(domain("example.com"))
        await tx.put_identity(domain("example.org"))
        for name in ("send", "Admin", "zz-last"):
            await tx.put_identity_policy(identity_policy("example.com", name))
        await tx.put_identity_policy(identity_policy("example.org", "send"))
    replaced = replace(
        identity_policy("example.com", "send"), document='{"Sid":"ünï ✓"}', updated_at=at(99)
    )
    async with store.transaction() as tx:
        await tx.put_identity_policy(replaced)
    async with store.transaction() as tx:
        listed = await tx.list_identity_policies(ACCOUNT, REGION, "example.com")
        assert [policy.name for policy in listed] == ["Admin", "send", "zz-last"]
        assert listed[1] == replaced
        assert await tx.delete_identity_policy(ACCOUNT, REGION, "example.com", "send") is True
        assert await tx.delete_identity_policy(ACCOUNT, REGION, "example.com", "send") is False
        assert await tx.delete_identity_policy(ACCOUNT, REGION, "missing.example", "x") is False
    async with store.transaction() as tx:
        listed = await tx.list_identity_policies(ACCOUNT, REGION, "example.com")
        assert [policy.name for policy in listed] == ["Admin", "zz-last"]
        assert await tx.list_identity_policies(ACCOUNT, REGION, "example.org") == [
            identity_policy("example.org", "send")
        ]
