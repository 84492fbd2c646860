"""Accounts, credentials and IAM users: who may call, and what their policies let them do.

- The operator creates accounts (the first one on an empty store), updates their limits, and
  issues credentials that act as an AWS service principal for an account.
- ``credentials`` turns an access key id into its secret and :class:`Principal` for SigV4;
  inactive keys, deleted users and unknown keys authenticate as nobody, at once.
- IAM users, their access keys and inline policies (the IAM API subset).
- ``authorize`` decides a caller's own permission for an action: the account root may do
  anything in its account; an IAM user needs its inline policies to allow it (and none to deny
  it); a service principal may only send (sending is decided by the sending path).
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from datetime import datetime

from openses.domain.accounts import (
    ACCOUNT_ID,
    PRODUCTION_MAX_24_HOUR_SEND,
    PRODUCTION_MAX_SEND_RATE,
    SANDBOX_MAX_24_HOUR_SEND,
    SANDBOX_MAX_SEND_RATE,
    AccessKey,
    Account,
    IamUser,
    KeyStatus,
    UserPolicy,
)
from openses.domain.policy import (
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.services import ids
from openses.services.errors import (
    AccessDenied,
    AlreadyExists,
    DeleteConflict,
    InvalidParameter,
    InvalidPolicy,
    LimitExceeded,
    NotFound,
)
from openses.services.ports import Conflict, Store, Tx
from openses.services.principals import Call, Principal, PrincipalKind

MAX_ACCESS_KEYS_PER_USER = 2
_USER_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_PATH = re.compile(r"/(?:[\x21-\x7e]+/)?")
_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com")


class AccountsService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._compiled: dict[str, Policy] = {}

    # ------------------------------------------------------------------ operator

    async def bootstrap(
        self,
        now: datetime,
        *,
        account_id: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> tuple[Account, AccessKey] | None:
        """Create the first account (production, as the operator's own) on an empty store.

        With fixed credentials, make sure they exist (creating the account if needed) so that
        a deployment can pin its root keys; returns what it created, or None.
        """
        async with self.store.transaction() as tx:
            if access_key_id and secret_access_key:
                existing = await tx.get_access_key(access_key_id)
                if existing is not None:
                    return None
                wanted = account_id or ids.account_id()
                account = await tx.get_account(wanted)
                if account is None:
                    account = _new_account(wanted, now, production=True)
                    await tx.insert_account(account)
                key = AccessKey(access_key_id, secret_access_key, wanted, now)
                await tx.insert_access_key(key)
                return account, key
            if await tx.count_accounts():
                return None
            account = _new_account(account_id or ids.account_id(), now, production=True)
            key = AccessKey(ids.access_key_id(), ids.secret_access_key(), account.account_id, now)
            await tx.insert_account(account)
            await tx.insert_access_key(key)
            return account, key

    async def create_account(
        self, now: datetime, *, account_id: str | None = None, production: bool = False
    ) -> tuple[Account, AccessKey]:
        if account_id is not None and not ACCOUNT_ID.fullmatch(account_id):
            raise InvalidParameter(f"Account id {account_id!r} must be 12 digits.")
        account = _new_account(account_id or ids.account_id(), now, production=production)
        key = AccessKey(ids.access_key_id(), ids.secret_access_key(), account.account_id, now)
        async with self.store.transaction() as tx:
            try:
                await tx.insert_account(account)
            except Conflict:
                raise AlreadyExists(f"Account {account.account_id} already exists.") from None
            await tx.insert_access_key(key)
        return account, key

    async def update_account(
        self,
        account_id: str,
        *,
        production: bool | None = None,
        max_24_hour_send: float | None = None,
        max_send_rate: float | None = None,
        sending_enabled: bool | None = None,
    ) -> Account:
        async with self.store.transaction() as tx:
            account = await tx.get_account(account_id)
            if account is None:
                raise NotFound(f"Account {account_id} does not exist.")
            if production is not None and production != account.production:
                limits = (
                    (PRODUCTION_MAX_24_HOUR_SEND, PRODUCTION_MAX_SEND_RATE)
                    if production
                    else (SANDBOX_MAX_24_HOUR_SEND, SANDBOX_MAX_SEND_RATE)
                )
                account = replace(
                    account,
                    production=production,
                    max_24_hour_send=limits[0],
                    max_send_rate=limits[1],
                )
            if max_24_hour_send is not None:
                account = replace(account, max_24_hour_send=max_24_hour_send)
            if max_send_rate is not None:
                account = replace(account, max_send_rate=max_send_rate)
            if sending_enabled is not None:
                account = replace(account, sending_enabled=sending_enabled)
            await tx.update_account(account)
        return account

    async def create_service_key(
        self, now: datetime, *, account_id: str, service: str, source_arn: str | None = None
    ) -> AccessKey:
        """Credentials that act as ``service`` (e.g. ``ses.amazonaws.com``) for an account."""
        if not _SERVICE_NAME.fullmatch(service):
            raise InvalidParameter(f"{service!r} is not an AWS service principal name.")
        key = AccessKey(
            ids.service_access_key_id(),
            ids.secret_access_key(),
            account_id,
            now,
            service=service,
            source_arn=source_arn,
        )
        async with self.store.transaction() as tx:
            if await tx.get_account(account_id) is None:
                raise NotFound(f"Account {account_id} does not exist.")
            await tx.insert_access_key(key)
        return key

    # ------------------------------------------------------------ authentication

    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        async with self.store.transaction(read_only=True) as tx:
            key = await tx.get_access_key(access_key_id)
            if key is None or not key.active:
                return None
            if await tx.get_account(key.account_id) is None:
                return None
            user = None
            if key.user_name is not None:
                user = await tx.get_user(key.account_id, key.user_name)
                if user is None:
                    return None
        return key.secret_access_key, _principal(key, user)

    # ------------------------------------------------------------- authorization

    async def authorize(self, call: Call, action: str, resource: str = "*") -> None:
        """Raise :class:`AccessDenied` unless the caller's own permissions allow ``action``."""
        principal = call.principal
        if principal.kind is PrincipalKind.ROOT:
            return
        if principal.kind is PrincipalKind.SERVICE:
            raise AccessDenied(_iam_denial(principal.arn, action, resource))
        assert principal.user_name is not None
        async with self.store.transaction(read_only=True) as tx:
            documents = await tx.list_user_policies(principal.account_id, principal.user_name)
        policies = PolicySet(self._compile(p) for p in documents)
        request = Request.build(principal.caller, action, resource, call.context())
        if not evaluate(policies, request).allowed:
            raise AccessDenied(_iam_denial(principal.arn, action, resource))

    def _compile(self, policy: UserPolicy) -> Policy:
        compiled = self._compiled.get(policy.document)
        if compiled is None:
            compiled = compile_policy(policy.document, policy.policy_name, PolicyKind.IDENTITY)
            if len(self._compiled) > 4096:
                self._compiled.clear()
            self._compiled[policy.document] = compiled
        return compiled

    # ----------------------------------------------------------------- IAM users

    async def create_user(self, call: Call, name: str, path: str | None) -> IamUser:
        path = path or "/"
        if not _USER_NAME.fullmatch(name):
            raise InvalidParameter(f"The user name {name!r} is not valid.")
        if not _PATH.fullmatch(path):
            raise InvalidParameter(f"The path {path!r} must begin and end with '/'.")
        user = IamUser(call.account_id, name, path, ids.user_id(), call.now)
        async with self.store.transaction() as tx:
            try:
                await tx.insert_user(user)
            except Conflict:
                raise AlreadyExists(f"User with name {name} already exists.") from None
        return user

    async def get_user(self, call: Call, name: str | None) -> IamUser | None:
        """A user of the caller's account; without a name, the calling user (None for root)."""
        wanted = name or call.principal.user_name
        if wanted is None:
            return None
        async with self.store.transaction(read_only=True) as tx:
            user = await tx.get_user(call.account_id, wanted)
        if user is None:
            raise NotFound(f"The user with name {wanted} cannot be found.")
        return user

    async def list_users(self, call: Call, path_prefix: str | None) -> list[IamUser]:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.list_users(call.account_id, path_prefix or "/")

    async def delete_user(self, call: Call, name: str) -> None:
        async with self.store.transaction() as tx:
            if await tx.get_user(call.account_id, name) is None:
                raise NotFound(f"The user with name {name} cannot be found.")
            if await tx.list_access_keys(call.account_id, name):
                raise DeleteConflict("Cannot delete entity, must delete access keys first.")
            if await tx.list_user_policies(call.account_id, name):
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            await tx.delete_user(call.account_id, name)

    # --------------------------------------------------------------- access keys

    async def create_access_key(self, call: Call, user_name: str | None) -> AccessKey:
        owner = user_name or call.principal.user_name
        key = AccessKey(
            ids.access_key_id(), ids.secret_access_key(), call.account_id, call.now, user_name=owner
        )
        async with self.store.transaction() as tx:
            if owner is not None and await tx.get_user(call.account_id, owner) is None:
                raise NotFound(f"The user with name {owner} cannot be found.")
            if len(await tx.list_access_keys(call.account_id, owner)) >= MAX_ACCESS_KEYS_PER_USER:
                raise LimitExceeded(
                    f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS_PER_USER}"
                )
            await tx.insert_access_key(key)
        return key

    async def list_access_keys(self, call: Call, user_name: str | None) -> list[AccessKey]:
        owner = user_name or call.principal.user_name
        async with self.store.transaction(read_only=True) as tx:
            if owner is not None and await tx.get_user(call.account_id, owner) is None:
                raise NotFound(f"The user with name {owner} cannot be found.")
            return await tx.list_access_keys(call.account_id, owner)

    async def update_access_key(
        self, call: Call, access_key_id: str, status: str, user_name: str | None
    ) -> None:
        async with self.store.transaction() as tx:
            key = await self._own_key(tx, call, access_key_id, user_name)
            await tx.update_access_key(replace(key, status=KeyStatus(status)))

    async def delete_access_key(
        self, call: Call, access_key_id: str, user_name: str | None
    ) -> None:
        async with self.store.transaction() as tx:
            await self._own_key(tx, call, access_key_id, user_name)
            await tx.delete_access_key(access_key_id)

    @staticmethod
    async def _own_key(tx: Tx, call: Call, access_key_id: str, user_name: str | None) -> AccessKey:
        key = await tx.get_access_key(access_key_id)
        owner = user_name or call.principal.user_name
        if key is None or key.account_id != call.account_id or key.user_name != owner:
            raise NotFound(f"The Access Key with id {access_key_id} cannot be found.")
        return key

    # ---------------------------------------------------------- user policies

    async def put_user_policy(self, call: Call, user_name: str, name: str, document: str) -> None:
        try:
            compile_policy(document, name, PolicyKind.IDENTITY)
        except PolicyError as error:
            raise InvalidPolicy(f"Syntax errors in policy. {error}") from None
        async with self.store.transaction() as tx:
            if await tx.get_user(call.account_id, user_name) is None:
                raise NotFound(f"The user with name {user_name} cannot be found.")
            await tx.put_user_policy(UserPolicy(call.account_id, user_name, name, document))

    async def get_user_policy(self, call: Call, user_name: str, name: str) -> UserPolicy:
        async with self.store.transaction(read_only=True) as tx:
            policy = await tx.get_user_policy(call.account_id, user_name, name)
        if policy is None:
            raise NotFound(f"The user policy with name {name} cannot be found.")
        return policy

    async def list_user_policies(self, call: Call, user_name: str) -> list[str]:
        async with self.store.transaction(read_only=True) as tx:
            if await tx.get_user(call.account_id, user_name) is None:
                raise NotFound(f"The user with name {user_name} cannot be found.")
            return [p.policy_name for p in await tx.list_user_policies(call.account_id, user_name)]

    async def delete_user_policy(self, call: Call, user_name: str, name: str) -> None:
        async with self.store.transaction() as tx:
            if not await tx.delete_user_policy(call.account_id, user_name, name):
                raise NotFound(f"The user policy with name {name} cannot be found.")

    async def account(self, account_id: str) -> Account:
        async with self.store.transaction(read_only=True) as tx:
            account = await tx.get_account(account_id)
        if account is None:
            raise NotFound(f"Account {account_id} does not exist.")
        return account


def _new_account(account_id: str, now: datetime, *, production: bool) -> Account:
    if production:
        return Account(
            account_id,
            now,
            production=True,
            max_24_hour_send=PRODUCTION_MAX_24_HOUR_SEND,
            max_send_rate=PRODUCTION_MAX_SEND_RATE,
        )
    return Account(account_id, now)


@functools.lru_cache(maxsize=4096)
def _principal(key: AccessKey, user: IamUser | None) -> Principal:
    """The principal a key authenticates as (memoized: keys and users are immutable values, so
    a changed key or user is a new entry, never a stale one)."""
    if key.service is not None:
        return Principal(
            key.account_id,
            PrincipalKind.SERVICE,
            parse_caller(key.service, "Service"),
            key.access_key_id,
            service=key.service,
            source_arn=key.source_arn,
        )
    if user is not None:
        return Principal(
            key.account_id,
            PrincipalKind.USER,
            parse_caller(user.arn),
            key.access_key_id,
            user_name=user.name,
            user_id=user.user_id,
        )
    return Principal(
        key.account_id,
        PrincipalKind.ROOT,
        parse_caller(f"arn:aws:iam::{key.account_id}:root"),
        key.access_key_id,
        user_id=key.account_id,
    )


def _iam_denial(caller_arn: str, action: str, resource: str) -> str:
    return f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}"
