"""Custom verification emails on a real store, with explicit clocks: where a sent link leads
(hours and days later, after the template changed), the quota, the sender's verification."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from openses.domain.custom_verification import CustomVerificationTemplate, TemplateChanges
from openses.domain.identities import VerificationStatus
from openses.domain.outbox import MessageFilter, MessageKind
from openses.services.accounts import AccountsService
from openses.services.custom_verification import LINK_MEMORY, CustomVerificationService, Redirect
from openses.services.errors import (
    FromEmailAddressNotVerified,
    ProductionAccessNotGranted,
    Throttled,
    VerificationSenderNotVerified,
)
from openses.services.identities import IdentitiesService
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, ScriptedResolver, root_call

CUSTOMER = "customer@shop.example"
TEMPLATE = CustomVerificationTemplate(
    name="welcome",
    from_address="verify@brand.example",
    subject="Confirm your address",
    content="<p>Welcome to Brand.</p>",
    success_url="https://brand.example/verified",
    failure_url="https://brand.example/failed",
)
SUCCESS = Redirect("https://brand.example/verified", verified=True)
FAILURE = Redirect("https://brand.example/failed", verified=False)


@dataclass
class Platform:
    store: SqlStore
    accounts: AccountsService
    identities: IdentitiesService
    service: CustomVerificationService
    account: str

    async def token(self, address: str = CUSTOMER) -> str:
        identities = await self.identities.list_identities(root_call(self.account))
        return next(i.token for i in identities if i.name == address)


@pytest.fixture
async def platform(store: SqlStore, resolver: ScriptedResolver) -> Platform:
    accounts = AccountsService(store)
    account, _ = await accounts.create_account(T0, production=True)
    identities = IdentitiesService(
        store, resolver, public_url="http://openses.test", verification_sender="v@openses.test"
    )
    await identities.operator_verify(
        T0, account_id=account.account_id, region="us-east-1", name="brand.example"
    )
    service = CustomVerificationService(store, identities)
    await service.create(root_call(account.account_id), TEMPLATE)
    return Platform(store, accounts, identities, service, account.account_id)


async def test_a_link_followed_in_time_verifies_and_leads_to_success(platform: Platform) -> None:
    call = root_call(platform.account)
    await platform.service.send(call, CUSTOMER, "welcome", None)
    token = await platform.token()
    assert await platform.service.follow(token, T0 + timedelta(hours=23)) == SUCCESS
    assert await platform.service.follow(token, T0 + timedelta(days=3)) == SUCCESS  # again
    identity, _ = await platform.identities.get(call, CUSTOMER)
    assert identity.status is VerificationStatus.SUCCESS


async def test_an_expired_link_leads_to_failure(platform: Platform) -> None:
    await platform.service.send(root_call(platform.account), CUSTOMER, "welcome", None)
    token = await platform.token()
    expired = T0 + timedelta(hours=24)
    assert await platform.service.follow(token, expired) == FAILURE
    identity, _ = await platform.identities.get(root_call(platform.account, expired), CUSTOMER)
    assert identity.status is VerificationStatus.FAILED


async def test_a_superseded_link_fails_unless_the_address_got_verified(platform: Platform) -> None:
    await platform.service.send(root_call(platform.account), CUSTOMER, "welcome", None)
    first = await platform.token()
    later = root_call(platform.account, T0 + timedelta(minutes=5))
    await platform.service.send(later, CUSTOMER, "welcome", None)
    second = await platform.token()
    assert second != first
    assert await platform.service.follow(first, T0 + timedelta(minutes=6)) == FAILURE
    assert await platform.service.follow(second, T0 + timedelta(minutes=7)) == SUCCESS
    assert await platform.service.follow(first, T0 + timedelta(minutes=8)) == SUCCESS


async def test_a_sent_link_keeps_the_urls_it_was_sent_with(platform: Platform) -> None:
    call = root_call(platform.account)
    await platform.service.send(call, CUSTOMER, "welcome", None)
    await platform.service.send(call, "other@shop.example", "welcome", None)
    await platform.service.update(
        call, "welcome", TemplateChanges(success_url="https://brand.example/new-page")
    )
    assert await platform.service.follow(await platform.token(), T0) == SUCCESS
    await platform.service.delete(call, "welcome", must_exist=True)
    other = await platform.token("other@shop.example")
    assert await platform.service.follow(other, T0 + timedelta(hours=30)) == FAILURE


async def test_links_of_plain_verification_are_not_redirected(platform: Platform) -> None:
    identity = await platform.identities.verify_email(root_call(platform.account), CUSTOMER)
    assert await platform.service.follow(identity.token, T0) is None
    assert await platform.service.follow("forged", T0) is None


async def test_links_are_forgotten_after_a_month(platform: Platform) -> None:
    await platform.service.send(root_call(platform.account), CUSTOMER, "welcome", None)
    old = await platform.token()
    later = root_call(platform.account, T0 + LINK_MEMORY + timedelta(seconds=1))
    await platform.service.send(later, "next@shop.example", "welcome", None)
    assert await platform.service.follow(old, later.now) is None  # the plain page answers
    assert await platform.service.follow(await platform.token("next@shop.example"), later.now)


async def test_the_email_is_charged_and_refused_past_the_daily_quota(platform: Platform) -> None:
    await platform.accounts.update_account(platform.account, max_24_hour_send=2)
    call = root_call(platform.account)
    for index in range(2):
        await platform.service.send(call, f"c{index}@shop.example", "welcome", None)
    with pytest.raises(Throttled, match="Daily message quota exceeded"):
        await platform.service.send(call, "c2@shop.example", "welcome", None)
    names = {i.name for i in await platform.identities.list_identities(call)}
    assert "c2@shop.example" not in names  # nothing of the refused send was stored
    async with platform.store.transaction(read_only=True) as tx:
        sent = await tx.list_messages(MessageFilter(kind=MessageKind.VERIFICATION))
        counted = await tx.recipients_sent_since(platform.account, "us-east-1", T0)
    assert sorted(m.recipients[0] for m in sent) == ["c0@shop.example", "c1@shop.example"]
    assert counted == 2
    next_day = root_call(platform.account, T0 + timedelta(days=1, minutes=1))
    assert await platform.service.send(next_day, "c2@shop.example", "welcome", None)


async def test_the_sender_must_stay_verified(platform: Platform) -> None:
    call = root_call(platform.account)
    with pytest.raises(FromEmailAddressNotVerified):
        await platform.service.create(
            call, replace(TEMPLATE, name="other", from_address="verify@elsewhere.example")
        )
    await platform.identities.delete(call, "brand.example")
    with pytest.raises(VerificationSenderNotVerified):
        await platform.service.send(call, CUSTOMER, "welcome", None)


async def test_the_sandbox_may_not_send_them(platform: Platform) -> None:
    await platform.accounts.update_account(platform.account, production=False)
    with pytest.raises(ProductionAccessNotGranted):
        await platform.service.send(root_call(platform.account), CUSTOMER, "welcome", None)


async def test_an_address_already_verified_still_gets_the_email(platform: Platform) -> None:
    call = root_call(platform.account)
    await platform.identities.operator_verify(
        T0, account_id=platform.account, region="us-east-1", name=CUSTOMER
    )
    message_id = await platform.service.send(call, CUSTOMER, "welcome", None)
    async with platform.store.transaction(read_only=True) as tx:
        stored = await tx.get_message(message_id)
    assert stored is not None
    assert stored.kind is MessageKind.VERIFICATION
    assert stored.recipients == (CUSTOMER,)
    assert await platform.service.follow(await platform.token(), T0) == SUCCESS
