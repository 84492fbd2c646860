"""The delivery queue's records: one job per accepted message and recipient domain.

Accepting a message stores it and, in the same transaction, queues it for planning (a
transactional outbox: one narrow row, so that acceptance writes as little as it can). A worker
plans the jobs of queued messages (:func:`plan_jobs`) in the transaction in which it claims due
jobs, so an accepted message always either waits to be planned or has its jobs. Workers claim
due jobs with a lease; a job whose lease ran out (its worker died) is due again, which makes
delivery at-least-once. A job shrinks as its recipients are finished (delivered or bounced) and
is deleted with its last one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from openses.domain.outbox import CapturedMessage

DEFAULT_LEASE = timedelta(minutes=5)
"""How long a claimed job is a worker's before another may take it over."""


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    job_id: str
    message_id: str
    account_id: str  # the sending (delegate) account
    region: str
    domain: str  # the recipients' domain, lower-cased: jobs of one domain share a session
    recipients: tuple[str, ...]  # still to finish
    run_at: datetime
    created_at: datetime
    attempts: int = 0
    first_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A leased job and its message."""

    job: DeliveryJob
    message: CapturedMessage


@dataclass(frozen=True, slots=True)
class Unplanned:
    """An accepted message waiting for its jobs to be planned."""

    message_id: str
    account_id: str
    region: str
    recipients: tuple[str, ...]
    accepted_at: datetime

    def jobs(self) -> list[DeliveryJob]:
        """Its jobs, due from its acceptance on."""
        return plan_jobs(
            self.message_id, self.account_id, self.region, self.recipients, self.accepted_at
        )


def recipient_domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def plan_jobs(
    message_id: str,
    account_id: str,
    region: str,
    recipients: Iterable[str],
    now: datetime,
) -> list[DeliveryJob]:
    """One job per recipient domain, in the order the domains first appear; each recipient
    once (the first spelling kept)."""
    by_domain: dict[str, list[str]] = {}
    seen: set[str] = set()
    for recipient in recipients:
        key = recipient.lower()
        if key in seen:
            continue
        seen.add(key)
        by_domain.setdefault(recipient_domain(recipient), []).append(recipient)
    return [
        DeliveryJob(
            job_id=f"{message_id}.{index}",
            message_id=message_id,
            account_id=account_id,
            region=region,
            domain=domain,
            recipients=tuple(addresses),
            run_at=now,
            created_at=now,
        )
        for index, (domain, addresses) in enumerate(by_domain.items())
    ]
