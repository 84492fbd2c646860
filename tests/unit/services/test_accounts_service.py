"""Accounts, credentials and the caller's own permissions, on a real store."""

from __future__ import annotations

import json

import pytest

from openses.services.accounts import AccountsService
from openses.services.errors import AccessDenied, AlreadyExists, InvalidParameter
from openses.services.principals import Call, PrincipalKind
from openses.storage.store import SqlStore
from tests.unit.services.conftest import T0, root_call


async def test_bootstrap_creates_one_account_once(store: SqlStore) -> None:
    accounts = AccountsService(store)
    created = await accounts.bootstrap(T0)
    assert created is not None
    account, key = created
    assert account.production
    assert await accounts.bootstrap(T0) is None
    secret, principal = await accounts.credentials(key.access_key_id) or ("", None)
    assert secret == key.secret_access_key
    assert principal is not None
    assert principal.kind is PrincipalKind.ROOT


async def test_bootstrap_with_fixed_credentials_is_idempotent(store: SqlStore) -> None:
    accounts = AccountsService(store)
    fixed = {"account_id": "111122223333", "access_key_id": "AKIAFIXED", "secret_access_key": "s"}
    assert await accounts.bootstrap(T0, **fixed) is not None
    assert await accounts.bootstrap(T0, **fixed) is None
    assert await accounts.credentials("AKIAFIXED") is not None


async def test_create_account_validates_and_refuses_duplicates(store: SqlStore) -> None:
    accounts = AccountsService(store)
    await accounts.create_account(T0, account_id="123456789012")
    with pytest.raises(AlreadyExists):
        await accounts.create_account(T0, account_id="123456789012")
    with pytest.raises(InvalidParameter):
        await accounts.create_account(T0, account_id="12345")


async def test_update_account_moves_between_sandbox_and_production(store: SqlStore) -> None:
    accounts = AccountsService(store)
    account, _ = await accounts.create_account(T0)
    assert (account.max_24_hour_send, account.max_send_rate) == (200.0, 1.0)
    updated = await accounts.update_account(account.account_id, production=True)
    assert (updated.max_24_hour_send, updated.max_send_rate) == (50000.0, 14.0)
    paused = await accounts.update_account(
        account.account_id, sending_enabled=False, max_send_rate=3
    )
    assert (paused.sending_enabled, paused.max_send_rate, paused.production) == (False, 3, True)


async def test_user_permissions_follow_its_policies(store: SqlStore) -> None:
    accounts = AccountsService(store)
    account, _ = await accounts.create_account(T0)
    root = root_call(account.account_id)
    await accounts.create_user(root, "app", None)
    key = await accounts.create_access_key(root, "app")
    found = await accounts.credentials(key.access_key_id)
    assert found is not None
    user = Call(found[1], "us-east-1", T0)
    with pytest.raises(AccessDenied):
        await accounts.authorize(user, "ses:ListIdentities")
    allow_deny = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ses:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ses:DeleteIdentity", "Resource": "*"},
        ],
    }
    await accounts.put_user_policy(root, "app", "mail", json.dumps(allow_deny))
    await accounts.authorize(user, "ses:ListIdentities")
    with pytest.raises(AccessDenied, match="ses:DeleteIdentity"):
        await accounts.authorize(user, "ses:DeleteIdentity")


async def test_service_principal_may_not_manage_anything(store: SqlStore) -> None:
    accounts = AccountsService(store)
    account, _ = await accounts.create_account(T0)
    key = await accounts.create_service_key(
        T0, account_id=account.account_id, service="ses.amazonaws.com"
    )
    found = await accounts.credentials(key.access_key_id)
    assert found is not None
    assert found[1].kind is PrincipalKind.SERVICE
    with pytest.raises(AccessDenied):
        await accounts.authorize(Call(found[1], "us-east-1", T0), "ses:ListIdentities")
    with pytest.raises(InvalidParameter):
        await accounts.create_service_key(T0, account_id=account.account_id, service="bogus")
