"""Verification rules that depend on time and DNS, on a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openses.domain.identities import VerificationStatus, VerifiedBy
from openses.domain.outbox import MessageFilter
from openses.services.accounts import AccountsService
from openses.services.errors import InvalidParameter, NotFound
from openses.services.identities import IdentitiesService
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, ScriptedResolver, root_call


@pytest.fixture
async def setup(store: SqlStore, resolver: ScriptedResolver) -> tuple[IdentitiesService, str]:
    account, _ = await AccountsService(store).create_account(T0)
    service = IdentitiesService(
        store, resolver, public_url="http://openses.test", verification_sender="v@openses.test"
    )
    return service, account.account_id


async def test_domain_pending_then_failed_after_72_hours(setup, resolver) -> None:
    service, account = setup
    identity = await service.verify_domain(root_call(account), "late.example")
    later = root_call(account, T0 + timedelta(hours=71))
    assert (await service.get(later, "late.example"))[0].status is VerificationStatus.PENDING
    expired = root_call(account, T0 + timedelta(hours=72))
    assert (await service.get(expired, "late.example"))[0].status is VerificationStatus.FAILED
    resolver.records["_amazonses.late.example"] = [identity.token]
    assert (await service.get(expired, "late.example"))[0].status is VerificationStatus.FAILED
    restarted = await service.verify_domain(expired, "late.example")
    assert restarted.status is VerificationStatus.PENDING
    assert (await service.get(expired, "late.example"))[0].verified


async def test_dns_outage_is_a_temporary_failure(setup, resolver) -> None:
    service, account = setup
    identity = await service.verify_domain(root_call(account), "flaky.example")
    resolver.records["_amazonses.flaky.example"] = None
    got = (await service.get(root_call(account), "flaky.example"))[0]
    assert got.status is VerificationStatus.TEMPORARY_FAILURE
    resolver.records["_amazonses.flaky.example"] = ["other", identity.token]
    got = (await service.get(root_call(account), "flaky.example"))[0]
    assert got.verified
    assert got.verified_by is VerifiedBy.DNS


async def test_background_checker_verifies_pending_domains(setup, resolver) -> None:
    service, account = setup
    first = await service.verify_domain(root_call(account), "one.example")
    await service.verify_domain(root_call(account), "two.example")
    resolver.records["_amazonses.one.example"] = [first.token]
    assert await service.check_pending_domains(T0 + timedelta(minutes=1)) == 1
    listed = {i.name: i.status for i in await service.list_identities(root_call(account))}
    assert listed == {
        "one.example": VerificationStatus.SUCCESS,
        "two.example": VerificationStatus.PENDING,
    }


async def test_email_link_expires_after_24_hours(setup, store) -> None:
    service, account = setup
    first = await service.verify_email(root_call(account), "me@example.com")
    with pytest.raises(InvalidParameter, match="expired"):
        await service.confirm_link(first.token, T0 + timedelta(hours=24))
    again = await service.verify_email(
        root_call(account, T0 + timedelta(hours=25)), "me@example.com"
    )
    assert again.token != first.token
    with pytest.raises(NotFound):
        await service.confirm_link(first.token, T0 + timedelta(hours=25))
    confirmed = await service.confirm_link(again.token, T0 + timedelta(hours=26))
    assert confirmed.verified
    assert confirmed.verified_by is VerifiedBy.LINK
    async with store.transaction() as tx:
        sent = await tx.list_messages(MessageFilter(recipient="me@example.com"))
    assert len(sent) == 2  # one verification message per request


async def test_verified_identity_stays_verified_when_asked_again(setup) -> None:
    service, account = setup
    pending = await service.verify_email(root_call(account), "keep@example.com")
    await service.confirm_link(pending.token, T0)
    again = await service.verify_email(root_call(account), "keep@example.com")
    assert again.verified
    assert again.token == pending.token


async def test_operator_override_is_recorded(setup) -> None:
    service, account = setup
    identity = await service.operator_verify(
        T0, account_id=account, region="eu-west-1", name="Ops.Example"
    )
    assert identity.name == "ops.example"
    assert identity.verified_by is VerifiedBy.OPERATOR
    with pytest.raises(NotFound):
        await service.operator_verify(
            T0, account_id="999999999999", region="eu-west-1", name="x.example"
        )


async def test_policy_on_another_accounts_arn_is_refused(setup) -> None:
    service, account = setup
    arn = "arn:aws:ses:us-east-1:999999999999:identity/theirs.example"
    with pytest.raises(InvalidParameter, match="Must be a verified email address or domain"):
        await service.put_policy(root_call(account), arn, "p", "{}", "upsert")
