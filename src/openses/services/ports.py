"""What the services need from the outside world, as Protocols the edges implement.

The storage port is shaped around what the use cases need, not around tables. A service opens a
transaction, makes its reads and writes through the :class:`Tx`, and the transaction commits
when the ``async with`` block ends without an exception (and rolls back otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from openses.domain.accounts import AccessKey, Account, IamUser, UserPolicy
from openses.domain.identities import Identity, IdentityKind, IdentityPolicy
from openses.domain.outbox import CapturedMessage, MessageFilter
from openses.domain.sending import RateBucket
from openses.domain.templates import EmailTemplate


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    template: EmailTemplate
    created_at: datetime


class Conflict(Exception):
    """An insert met an existing row with the same key (account, user, key id, …)."""


class Tx(Protocol):
    # ------------------------------------------------------------------- accounts
    async def insert_account(self, account: Account) -> None:
        """Raises :class:`Conflict` if the account id exists."""

    async def get_account(self, account_id: str) -> Account | None: ...
    async def update_account(self, account: Account) -> None: ...
    async def count_accounts(self) -> int: ...
    async def get_region_sending(self, account_id: str, region: str) -> bool | None:
        """The account's own per-region switch (UpdateAccountSendingEnabled); None if unset."""

    async def set_region_sending(self, account_id: str, region: str, enabled: bool) -> None: ...

    # ---------------------------------------------------------------- access keys
    async def insert_access_key(self, key: AccessKey) -> None: ...
    async def get_access_key(self, access_key_id: str) -> AccessKey | None: ...
    async def list_access_keys(self, account_id: str, user_name: str | None) -> list[AccessKey]:
        """Keys of one IAM user, or of the root when ``user_name`` is None (not services')."""

    async def update_access_key(self, key: AccessKey) -> None: ...
    async def delete_access_key(self, access_key_id: str) -> bool: ...

    # ------------------------------------------------------------------ IAM users
    async def insert_user(self, user: IamUser) -> None:
        """Raises :class:`Conflict` if the account has a user of that name."""

    async def get_user(self, account_id: str, name: str) -> IamUser | None: ...
    async def list_users(self, account_id: str, path_prefix: str = "/") -> list[IamUser]:
        """Sorted by name."""

    async def delete_user(self, account_id: str, name: str) -> bool: ...
    async def put_user_policy(self, policy: UserPolicy) -> None:
        """Creates or replaces."""

    async def get_user_policy(
        self, account_id: str, user_name: str, policy_name: str
    ) -> UserPolicy | None: ...
    async def list_user_policies(self, account_id: str, user_name: str) -> list[UserPolicy]:
        """Sorted by policy name."""

    async def delete_user_policy(
        self, account_id: str, user_name: str, policy_name: str
    ) -> bool: ...

    # ----------------------------------------------------------------- identities
    async def put_identity(self, identity: Identity) -> None:
        """Creates or replaces the identity (account, region, name)."""

    async def get_identity(self, account_id: str, region: str, name: str) -> Identity | None: ...
    async def get_identities(
        self, account_id: str, region: str, names: Sequence[str]
    ) -> list[Identity]: ...
    async def list_identities(
        self, account_id: str, region: str, kind: IdentityKind | None = None
    ) -> list[Identity]:
        """Sorted by name."""

    async def delete_identity(self, account_id: str, region: str, name: str) -> bool:
        """Also deletes the identity's policies."""

    async def find_identity_by_token(self, token: str) -> Identity | None: ...
    async def pending_domains(self, limit: int) -> list[Identity]:
        """Pending domain identities of every account and region, oldest check first."""

    # ----------------------------------------------------------- identity policies
    async def put_identity_policy(self, policy: IdentityPolicy) -> None:
        """Creates or replaces."""

    async def list_identity_policies(
        self, account_id: str, region: str, identity: str
    ) -> list[IdentityPolicy]:
        """Sorted by policy name."""

    async def delete_identity_policy(
        self, account_id: str, region: str, identity: str, name: str
    ) -> bool: ...

    # ------------------------------------------------------------- capture outbox
    async def insert_message(self, message: CapturedMessage) -> None: ...
    async def list_messages(self, where: MessageFilter) -> list[CapturedMessage]:
        """Newest first, at most ``where.limit``."""

    async def get_message(self, message_id: str) -> CapturedMessage | None: ...
    async def delete_messages(self) -> int: ...

    # ------------------------------------------------------- send ledger and rate
    async def add_send_counts(
        self,
        account_id: str,
        region: str,
        at: datetime,
        *,
        delivery_attempts: int = 0,
        quota_recipients: int = 0,
        bounces: int = 0,
        complaints: int = 0,
        rejects: int = 0,
    ) -> None:
        """Add to the account's counters of the minute of ``at``."""

    async def recipients_sent_since(self, account_id: str, region: str, since: datetime) -> int:
        """Quota recipients counted in the minutes from ``since``'s minute on."""

    async def send_buckets(
        self, account_id: str, region: str, since: datetime, bucket_seconds: int
    ) -> list[tuple[datetime, int, int, int, int]]:
        """(start, attempts, bounces, complaints, rejects), oldest first, empty ones left out."""

    async def lock_rate_bucket(
        self, account_id: str, region: str, initial: RateBucket
    ) -> RateBucket:
        """The send-rate bucket (created as ``initial`` if missing), locked until commit."""

    async def save_rate_bucket(self, account_id: str, region: str, bucket: RateBucket) -> None: ...

    # ----------------------------------------------------------------- templates
    async def insert_template(self, account_id: str, region: str, stored: StoredTemplate) -> None:
        """Raises :class:`Conflict` if the account has a template of that name in the region."""

    async def get_template(
        self, account_id: str, region: str, name: str
    ) -> StoredTemplate | None: ...
    async def list_templates(self, account_id: str, region: str) -> list[StoredTemplate]:
        """Sorted by name."""

    async def count_templates(self, account_id: str, region: str) -> int: ...
    async def update_template(
        self, account_id: str, region: str, template: EmailTemplate
    ) -> bool: ...
    async def delete_template(self, account_id: str, region: str, name: str) -> bool: ...


class Store(Protocol):
    def transaction(self, *, read_only: bool = False) -> AbstractAsyncContextManager[Tx]:
        """A transaction; a ``read_only`` one makes no writes, so it need not wait for writers."""

    async def close(self) -> None: ...
