"""What the services need from the outside world, as Protocols the edges implement.

The storage port is shaped around what the use cases need, not around tables. A service opens a
transaction, makes its reads and writes through the :class:`Tx`, and the transaction commits
when the ``async with`` block ends without an exception (and rolls back otherwise).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from openses.domain.accounts import AccessKey, Account, IamUser, UserPolicy
from openses.domain.configuration_sets import ConfigurationSet, EventDestination
from openses.domain.dkim.settings import DkimSettings
from openses.domain.feedback_settings import (
    IdentityFeedbackSettings,
    MailFromSettings,
    Suppression,
    SuppressionReason,
)
from openses.domain.identities import Identity, IdentityKind, IdentityPolicy
from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage, MessageFilter
from openses.domain.queue import ClaimedJob, DeliveryJob, Unplanned
from openses.domain.quota import Allowance
from openses.domain.sending import RateBucket
from openses.domain.templates import EmailTemplate
from openses.domain.topics.records import Subscription, Topic, TopicDelivery
from openses.services.custom_verification_port import CustomVerificationTx
from openses.services.tags_port import TagsTx


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    template: EmailTemplate
    created_at: datetime


class Conflict(Exception):
    """An insert met an existing row with the same key (account, user, key id, …)."""


class DeliveryTx(Protocol):
    """The delivery queue and message events (see :mod:`openses.domain.queue`)."""

    async def insert_jobs(self, jobs: Sequence[DeliveryJob]) -> None: ...
    async def queue_for_planning(self, message_id: str) -> None:
        """Queue a message just stored for a worker to plan its jobs."""

    async def take_unplanned(self, limit: int) -> list[Unplanned]:
        """Up to ``limit`` queued messages, oldest first, taken off the queue (another
        worker's transaction skips them); the caller inserts their jobs in the same
        transaction."""

    async def awaiting_plan(self, message_id: str) -> bool: ...
    async def claim_jobs(
        self, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedJob]:
        """Due jobs not leased (or whose lease ran out), now leased to ``owner``, oldest first;
        jobs whose message is gone are dropped from the answer."""

    async def update_job(self, job: DeliveryJob, *, owner: str) -> bool:
        """Save a job still held by ``owner`` (False if another worker took it over)."""

    async def delete_job(self, job_id: str, *, owner: str) -> bool: ...
    async def list_jobs(self, message_id: str | None = None) -> list[DeliveryJob]: ...
    async def insert_event(self, event: RecordedEvent) -> bool:
        """False, and nothing written, when an event with the same ``dedupe_key`` exists."""

    async def list_events(
        self, *, message_id: str | None = None, account_id: str | None = None, limit: int = 1000
    ) -> list[RecordedEvent]:
        """Oldest first."""


class Tx(DeliveryTx, CustomVerificationTx, TagsTx, Protocol):
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

    async def clear_default_configuration_set(
        self, account_id: str, region: str, configuration_set: str
    ) -> None:
        """No identity of the account and region keeps ``configuration_set`` as its default."""

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

    async def quota_recipients_between(
        self, account_id: str, region: str, first_minute: int, end_minute: int
    ) -> int:
        """Quota recipients of the minutes from ``first_minute`` up to ``end_minute``."""

    async def lock_allowance(self, account_id: str, region: str, initial: RateBucket) -> Allowance:
        """The send allowance (created with the bucket ``initial`` if missing), locked until
        commit."""

    async def save_allowance(self, account_id: str, region: str, allowance: Allowance) -> None: ...

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

    # ---- configuration sets
    async def insert_configuration_set(
        self,
        account_id: str,
        region: str,
        configuration_set: ConfigurationSet,
        created_at: datetime,
    ) -> None:
        """Inserts the set and its destinations; :class:`Conflict` if the name is taken."""

    async def get_configuration_set(
        self, account_id: str, region: str, name: str
    ) -> ConfigurationSet | None:
        """The set with its event destinations (sorted by name), or None."""

    async def list_configuration_set_names(self, account_id: str, region: str) -> list[str]:
        """Sorted."""

    async def count_configuration_sets(self, account_id: str, region: str) -> int: ...
    async def update_configuration_set(
        self, account_id: str, region: str, configuration_set: ConfigurationSet
    ) -> bool:
        """Replaces the set's settings, not its destinations; False if there is no such set."""

    async def delete_configuration_set(self, account_id: str, region: str, name: str) -> bool:
        """Also deletes its event destinations."""

    async def insert_event_destination(
        self, account_id: str, region: str, configuration_set: str, destination: EventDestination
    ) -> None:
        """Raises :class:`Conflict` if the set has a destination of that name."""

    async def update_event_destination(
        self, account_id: str, region: str, configuration_set: str, destination: EventDestination
    ) -> bool: ...
    async def delete_event_destination(
        self, account_id: str, region: str, configuration_set: str, name: str
    ) -> bool: ...

    # ---- feedback settings, custom MAIL FROM and the suppression list
    async def get_feedback_settings(
        self, account_id: str, region: str, identity: str
    ) -> IdentityFeedbackSettings | None:
        """The identity's own notification settings; None if never set (SES's defaults)."""

    async def put_feedback_settings(
        self, account_id: str, region: str, identity: str, settings: IdentityFeedbackSettings
    ) -> None:
        """Creates or replaces; the identity must exist (they go when it is deleted)."""

    async def get_mail_from(
        self, account_id: str, region: str, identity: str
    ) -> MailFromSettings | None: ...
    async def put_mail_from(self, settings: MailFromSettings) -> None:
        """Creates or replaces; the identity must exist (they go when it is deleted)."""

    async def mail_from_due(
        self, success_checked_before: datetime, limit: int
    ) -> list[MailFromSettings]:
        """Setups to look up: pending or temporarily failing ones, and successful ones last
        checked before ``success_checked_before``; least recently checked first."""

    async def put_suppression(self, entry: Suppression) -> None:
        """Adds, or replaces the entry with the same key unless the stored one is newer."""

    async def get_suppression(
        self, account_id: str, region: str, email_address: str
    ) -> Suppression | None:
        """The entry keyed exactly ``email_address`` (see ``suppression_address``)."""

    async def delete_suppression(
        self, account_id: str, region: str, email_address: str
    ) -> bool: ...
    async def list_suppressions(
        self,
        account_id: str,
        region: str,
        *,
        reasons: Collection[SuppressionReason] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int = 1000,
    ) -> list[Suppression]:
        """By last update time then address; ``after`` is the previous page's last entry."""

    async def suppressed(
        self, account_id: str, region: str, addresses: Sequence[str]
    ) -> dict[str, Suppression]:
        """Entries matching ``addresses`` ignoring case, keyed by the address as given."""

    async def get_suppression_reasons(
        self, account_id: str, region: str
    ) -> frozenset[SuppressionReason]:
        """What the account suppresses for (BOUNCE and COMPLAINT until it says otherwise)."""

    async def set_suppression_reasons(
        self, account_id: str, region: str, reasons: Collection[SuppressionReason]
    ) -> None: ...

    # ---- DKIM
    async def put_dkim(self, settings: DkimSettings) -> None:
        """Creates or replaces the identity's DKIM settings (the identity must exist; they go
        when it is deleted) and the token index of Easy DKIM."""

    async def get_dkim(
        self, account_id: str, region: str, identity: str
    ) -> DkimSettings | None: ...
    async def lock_dkim(self, account_id: str, region: str, identity: str) -> DkimSettings | None:
        """Like :meth:`get_dkim` in a write transaction, the row then locked until it ends
        (PostgreSQL ``FOR UPDATE``; SQLite write transactions run one at a time anyway)."""

    async def get_dkims(
        self, account_id: str, region: str, names: Sequence[str]
    ) -> list[DkimSettings]:
        """The settings of the identities among ``names`` that have some, sorted by name."""

    async def find_dkim_by_token(self, token: str) -> DkimSettings | None:
        """The Easy DKIM settings holding ``token``, of any account and region."""

    async def pending_dkim(self, limit: int) -> list[DkimSettings]:
        """Settings with a pending DNS check, least recently checked first."""

    async def delete_dkim(self, account_id: str, region: str, identity: str) -> bool: ...

    # ---- SNS-compatible topics, subscriptions and their HTTP delivery queue
    async def insert_topic(self, topic: Topic) -> None:
        """Raises :class:`Conflict` if a topic of that ARN exists."""

    async def get_topic(self, arn: str) -> Topic | None:
        """The topic of that ARN (any account), e.g. to check a topic ARN before storing it."""

    async def list_topics(self, account_id: str, region: str) -> list[Topic]:
        """Sorted by ARN."""

    async def update_topic_attributes(self, arn: str, attributes: dict[str, str]) -> bool:
        """Replaces the topic's stored attributes."""

    async def delete_topic(self, arn: str) -> bool:
        """Also deletes its subscriptions and its queued deliveries."""

    async def insert_subscription(self, subscription: Subscription) -> None: ...
    async def get_subscription(self, arn: str) -> Subscription | None: ...
    async def find_subscription_by_token(self, token: str) -> Subscription | None: ...
    async def list_topic_subscriptions(self, topic_arn: str) -> list[Subscription]:
        """Every status, sorted by ARN."""

    async def list_account_subscriptions(self, owner: str, region: str) -> list[Subscription]:
        """Subscriptions ``owner`` made to topics of ``region``, every status, sorted by ARN."""

    async def update_subscription(self, subscription: Subscription) -> bool: ...
    async def delete_subscription(self, arn: str) -> bool: ...
    async def delete_expired_subscriptions(self, now: datetime) -> int:
        """Pending and unsubscribed subscriptions whose token has expired."""

    async def enqueue_topic_deliveries(self, deliveries: Sequence[TopicDelivery]) -> None: ...
    async def drop_subscription_notifications(self, subscription_arn: str) -> int:
        """Queued notifications of a subscription (not its confirmations)."""

    async def claim_topic_deliveries(
        self, *, now: datetime, lease_until: datetime, owner: str, limit: int
    ) -> list[TopicDelivery]:
        """Lease due deliveries (``run_at`` reached, no live lease) and count the attempt;
        concurrent claimers never get the same delivery."""

    async def finish_topic_delivery(self, delivery_id: str, owner: str) -> bool:
        """Delete it if ``owner`` still holds its lease."""

    async def reschedule_topic_delivery(
        self, delivery_id: str, owner: str, *, run_at: datetime, error: str
    ) -> bool:
        """Release ``owner``'s lease; due again at ``run_at``."""

    async def count_topic_deliveries(self) -> int: ...


class Store(Protocol):
    def transaction(self, *, read_only: bool = False) -> AbstractAsyncContextManager[Tx]:
        """A transaction; a ``read_only`` one makes no writes, so it need not wait for writers."""

    async def close(self) -> None: ...
