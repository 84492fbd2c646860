"""The storage contract: custom verification email templates and the links their emails carry."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from openses.domain.custom_verification import CustomVerificationTemplate
from openses.services.custom_verification_port import (
    StoredCustomVerificationTemplate,
    VerificationLink,
)
from openses.services.ports import Conflict, Store
from tests.contract.records import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_REGION,
    REGION,
    T0,
    account,
    at,
)

WELCOME = CustomVerificationTemplate(
    name="welcome",
    from_address="verify@brand.example",
    subject="Bestätigen Sie Ihre Adresse ✓",
    content="<html><body><h1 style='color:red'>Hi — ready?</h1></body></html>",
    success_url="https://brand.example/verified?x=1&y=2",
    failure_url="https://brand.example/failed",
)


def link(token: str, created_seconds: float = 0, **changes: Any) -> VerificationLink:
    built = VerificationLink(
        token=token,
        account_id=ACCOUNT,
        region=REGION,
        address="customer@shop.example",
        template_name="welcome",
        success_url="https://brand.example/verified",
        failure_url="https://brand.example/failed",
        created_at=at(created_seconds),
    )
    return replace(built, **changes)


async def _accounts(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.insert_account(account())
        await tx.insert_account(account(OTHER_ACCOUNT))


async def test_a_template_round_trips_with_every_field(store: Store) -> None:
    await _accounts(store)
    other = replace(WELCOME, name="plain", subject="Plain")
    async with store.transaction() as tx:
        await tx.insert_custom_verification_template(
            ACCOUNT, REGION, StoredCustomVerificationTemplate(WELCOME, at(1.234))
        )
        await tx.insert_custom_verification_template(
            ACCOUNT, REGION, StoredCustomVerificationTemplate(other, T0)
        )
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_custom_verification_template(ACCOUNT, REGION, "welcome")
        plain = await tx.get_custom_verification_template(ACCOUNT, REGION, "plain")
    assert found == StoredCustomVerificationTemplate(WELCOME, at(1.234))
    assert plain == StoredCustomVerificationTemplate(other, T0)


async def test_a_large_template_is_kept_whole(store: Store) -> None:
    await _accounts(store)
    big = replace(WELCOME, content="<p>" + "é" * 3_000_000 + "</p>")
    async with store.transaction() as tx:
        await tx.insert_custom_verification_template(
            ACCOUNT, REGION, StoredCustomVerificationTemplate(big, T0)
        )
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_custom_verification_template(ACCOUNT, REGION, "welcome")
    assert found is not None
    assert found.template.content == big.content


async def test_templates_are_per_account_and_region(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        for account_id, region, name in [
            (ACCOUNT, REGION, "b-second"),
            (ACCOUNT, REGION, "B-upper"),
            (ACCOUNT, REGION, "a-first"),
            (ACCOUNT, OTHER_REGION, "elsewhere"),
            (OTHER_ACCOUNT, REGION, "theirs"),
        ]:
            await tx.insert_custom_verification_template(
                account_id,
                region,
                StoredCustomVerificationTemplate(replace(WELCOME, name=name), T0),
            )
    async with store.transaction(read_only=True) as tx:
        listed = await tx.list_custom_verification_templates(ACCOUNT, REGION)
        count = await tx.count_custom_verification_templates(ACCOUNT, REGION)
        other_region = await tx.count_custom_verification_templates(ACCOUNT, OTHER_REGION)
        missing = await tx.get_custom_verification_template(ACCOUNT, REGION, "theirs")
    assert [stored.template.name for stored in listed] == ["B-upper", "a-first", "b-second"]
    assert (count, other_region, missing) == (3, 1, None)


async def test_a_taken_name_is_a_conflict_and_changes_nothing(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_custom_verification_template(
            ACCOUNT, REGION, StoredCustomVerificationTemplate(WELCOME, T0)
        )
        with pytest.raises(Conflict):
            await tx.insert_custom_verification_template(
                ACCOUNT, REGION, StoredCustomVerificationTemplate(replace(WELCOME, subject="x"), T0)
            )
        await tx.insert_custom_verification_template(
            OTHER_ACCOUNT, REGION, StoredCustomVerificationTemplate(WELCOME, T0)
        )
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_custom_verification_template(ACCOUNT, REGION, "welcome")
    assert found is not None
    assert found.template.subject == WELCOME.subject


async def test_update_replaces_the_fields_but_keeps_the_creation_time(store: Store) -> None:
    await _accounts(store)
    changed = replace(
        WELCOME,
        from_address="hello@brand.example",
        subject="New subject",
        content="<p>new</p>",
        success_url="https://brand.example/ok",
        failure_url="https://brand.example/ko",
    )
    async with store.transaction() as tx:
        await tx.insert_custom_verification_template(
            ACCOUNT, REGION, StoredCustomVerificationTemplate(WELCOME, at(7))
        )
        assert await tx.update_custom_verification_template(ACCOUNT, REGION, changed)
        assert not await tx.update_custom_verification_template(
            ACCOUNT, REGION, replace(changed, name="nope")
        )
        assert not await tx.update_custom_verification_template(ACCOUNT, OTHER_REGION, changed)
    async with store.transaction(read_only=True) as tx:
        found = await tx.get_custom_verification_template(ACCOUNT, REGION, "welcome")
    assert found == StoredCustomVerificationTemplate(changed, at(7))


async def test_delete_says_whether_there_was_a_template(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.insert_custom_verification_template(
            ACCOUNT, REGION, StoredCustomVerificationTemplate(WELCOME, T0)
        )
        await tx.insert_custom_verification_template(
            OTHER_ACCOUNT, REGION, StoredCustomVerificationTemplate(WELCOME, T0)
        )
        assert await tx.delete_custom_verification_template(ACCOUNT, REGION, "welcome")
        assert not await tx.delete_custom_verification_template(ACCOUNT, REGION, "welcome")
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_custom_verification_template(ACCOUNT, REGION, "welcome") is None
        assert await tx.get_custom_verification_template(OTHER_ACCOUNT, REGION, "welcome")


async def test_a_link_round_trips_and_a_second_email_replaces_it(store: Store) -> None:
    await _accounts(store)
    first = link("tok-1", 3.5)
    again = link("tok-1", 9, template_name="other", success_url="https://other.example/yes")
    async with store.transaction() as tx:
        await tx.put_verification_link(first)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_verification_link("tok-1") == first
        assert await tx.get_verification_link("tok-2") is None
    async with store.transaction() as tx:
        await tx.put_verification_link(again)
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_verification_link("tok-1") == again


async def test_old_links_are_forgotten_by_age(store: Store) -> None:
    await _accounts(store)
    async with store.transaction() as tx:
        await tx.put_verification_link(link("old", 0))
        await tx.put_verification_link(link("older", -60, account_id=OTHER_ACCOUNT))
        await tx.put_verification_link(link("new", 120))
        assert await tx.delete_verification_links_before(at(60)) == 2
    async with store.transaction(read_only=True) as tx:
        assert await tx.get_verification_link("old") is None
        assert await tx.get_verification_link("older") is None
        assert await tx.get_verification_link("new") == link("new", 120)
