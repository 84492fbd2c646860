"""Statements of accounts, their per-region sending switch, access keys, IAM users and policies.

The reads every request makes (the access key, its account and user, the user's policies, the
per-region switch) are prepared statements and, in read-only SQLite transactions, answered
from the read cache (see :mod:`openses.storage.statements`).
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from openses.domain.accounts import AccessKey, Account, IamUser, UserPolicy
from openses.storage import rows
from openses.storage.read_cache import Depends
from openses.storage.schema import access_keys, accounts, iam_users, region_sending, user_policies
from openses.storage.statements import Prepared, Statements, ordered

#: The tables each cached read depends on (see :mod:`openses.storage.read_cache`).
ON_ACCOUNTS = Depends(accounts)
ON_REGION_SENDING = Depends(region_sending)
ON_ACCESS_KEYS = Depends(access_keys)
ON_USERS = Depends(iam_users)
ON_USER_POLICIES = Depends(user_policies)

_ACCOUNT = Prepared(
    lambda postgres: select(accounts).where(accounts.c.account_id == bindparam("account_id"))
)
_REGION_SENDING = Prepared(
    lambda postgres: select(region_sending.c.enabled).where(
        region_sending.c.account_id == bindparam("account_id"),
        region_sending.c.region == bindparam("region"),
    )
)
_ACCESS_KEY = Prepared(
    lambda postgres: select(access_keys).where(
        access_keys.c.access_key_id == bindparam("access_key_id")
    )
)
_USER = Prepared(
    lambda postgres: select(iam_users).where(
        iam_users.c.account_id == bindparam("account_id"), iam_users.c.name == bindparam("name")
    )
)
_USER_POLICY = Prepared(
    lambda postgres: select(user_policies).where(
        user_policies.c.account_id == bindparam("account_id"),
        user_policies.c.user_name == bindparam("user_name"),
        user_policies.c.policy_name == bindparam("policy_name"),
    )
)
_USER_POLICIES = Prepared(
    lambda postgres: (
        select(user_policies)
        .where(
            user_policies.c.account_id == bindparam("account_id"),
            user_policies.c.user_name == bindparam("user_name"),
        )
        .order_by(ordered(user_policies.c.policy_name, postgres))
    )
)


class AccountStatements(Statements):
    """The account, access key and IAM user methods of the transaction."""

    async def insert_account(self, account: Account) -> None:
        await self._insert_unique(
            accounts, rows.account_values(account), f"account {account.account_id}"
        )

    async def get_account(self, account_id: str) -> Account | None:
        async def load() -> Account | None:
            row = await self._row(_ACCOUNT, {"account_id": account_id})
            return None if row is None else rows.account_record(row)

        return await self._cached(ON_ACCOUNTS, ("account", account_id), load)

    async def update_account(self, account: Account) -> None:
        values = rows.account_values(account)
        del values["account_id"]
        await self._conn.execute(
            update(accounts).where(accounts.c.account_id == account.account_id).values(values)
        )

    async def count_accounts(self) -> int:
        result = await self._conn.execute(select(func.count()).select_from(accounts))
        return int(result.scalar_one())

    async def get_region_sending(self, account_id: str, region: str) -> bool | None:
        async def load() -> bool | None:
            row = await self._row(_REGION_SENDING, {"account_id": account_id, "region": region})
            return None if row is None else bool(row["enabled"])

        return await self._cached(ON_REGION_SENDING, ("region_sending", account_id, region), load)

    async def set_region_sending(self, account_id: str, region: str, enabled: bool) -> None:
        await self._upsert(
            region_sending,
            {"account_id": account_id, "region": region, "enabled": enabled},
            ("account_id", "region"),
        )

    # ---------------------------------------------------------------- access keys

    async def insert_access_key(self, key: AccessKey) -> None:
        await self._insert_unique(
            access_keys, rows.access_key_values(key), f"access key {key.access_key_id}"
        )

    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        async def load() -> AccessKey | None:
            row = await self._row(_ACCESS_KEY, {"access_key_id": access_key_id})
            return None if row is None else rows.access_key_record(row)

        return await self._cached(ON_ACCESS_KEYS, ("access_key", access_key_id), load)

    async def list_access_keys(self, account_id: str, user_name: str | None) -> list[AccessKey]:
        """Oldest first. ``user_name`` None means the root's keys (neither user nor service)."""
        owner = (
            [access_keys.c.user_name.is_(None), access_keys.c.service.is_(None)]
            if user_name is None
            else [access_keys.c.user_name == user_name]
        )
        result = await self._conn.execute(
            select(access_keys)
            .where(access_keys.c.account_id == account_id, *owner)
            .order_by(access_keys.c.created_at, self._ordered(access_keys.c.access_key_id))
        )
        return [rows.access_key_record(row) for row in result.mappings()]

    async def update_access_key(self, key: AccessKey) -> None:
        values = rows.access_key_values(key)
        del values["access_key_id"]
        await self._conn.execute(
            update(access_keys)
            .where(access_keys.c.access_key_id == key.access_key_id)
            .values(values)
        )

    async def delete_access_key(self, access_key_id: str) -> bool:
        return bool(await self._deleted(access_keys, access_keys.c.access_key_id == access_key_id))

    # ------------------------------------------------------------------ IAM users

    async def insert_user(self, user: IamUser) -> None:
        await self._insert_unique(
            iam_users, rows.user_values(user), f"user {user.name} of account {user.account_id}"
        )

    async def get_user(self, account_id: str, name: str) -> IamUser | None:
        async def load() -> IamUser | None:
            row = await self._row(_USER, {"account_id": account_id, "name": name})
            return None if row is None else rows.user_record(row)

        return await self._cached(ON_USERS, ("user", account_id, name), load)

    async def list_users(self, account_id: str, path_prefix: str = "/") -> list[IamUser]:
        # substr + equality rather than LIKE: case-sensitive on both backends, nothing to escape.
        result = await self._conn.execute(
            select(iam_users)
            .where(
                iam_users.c.account_id == account_id,
                func.substr(iam_users.c.path, 1, len(path_prefix)) == path_prefix,
            )
            .order_by(self._ordered(iam_users.c.name))
        )
        return [rows.user_record(row) for row in result.mappings()]

    async def delete_user(self, account_id: str, name: str) -> bool:
        """Deletes the user with its policies and access keys (the services refuse to delete a
        user who still has either, as IAM does; the store still never leaves orphans)."""
        await self._deleted(
            user_policies,
            user_policies.c.account_id == account_id,
            user_policies.c.user_name == name,
        )
        await self._deleted(
            access_keys, access_keys.c.account_id == account_id, access_keys.c.user_name == name
        )
        return bool(
            await self._deleted(
                iam_users, iam_users.c.account_id == account_id, iam_users.c.name == name
            )
        )

    async def put_user_policy(self, policy: UserPolicy) -> None:
        await self._upsert(
            user_policies,
            rows.user_policy_values(policy),
            ("account_id", "user_name", "policy_name"),
        )

    async def get_user_policy(
        self, account_id: str, user_name: str, policy_name: str
    ) -> UserPolicy | None:
        async def load() -> UserPolicy | None:
            row = await self._row(
                _USER_POLICY,
                {"account_id": account_id, "user_name": user_name, "policy_name": policy_name},
            )
            return None if row is None else rows.user_policy_record(row)

        return await self._cached(
            ON_USER_POLICIES, ("user_policy", account_id, user_name, policy_name), load
        )

    async def list_user_policies(self, account_id: str, user_name: str) -> list[UserPolicy]:
        async def load() -> tuple[UserPolicy, ...]:
            found = await self._rows(
                _USER_POLICIES, {"account_id": account_id, "user_name": user_name}
            )
            return tuple(rows.user_policy_record(row) for row in found)

        return list(
            await self._cached(ON_USER_POLICIES, ("user_policies", account_id, user_name), load)
        )

    async def delete_user_policy(self, account_id: str, user_name: str, policy_name: str) -> bool:
        return bool(
            await self._deleted(
                user_policies,
                user_policies.c.account_id == account_id,
                user_policies.c.user_name == user_name,
                user_policies.c.policy_name == policy_name,
            )
        )
