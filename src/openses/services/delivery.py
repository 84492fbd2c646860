"""The delivery worker: claim due jobs, hand them to the transport, record what happened.

One round (:meth:`DeliveryWorker.run_once`):

1. in one short transaction, plan the jobs of up to ``batch`` messages accepted since
   (:class:`~openses.domain.queue.Unplanned`: acceptance only queues them, to write as little as
   it can), then claim up to ``batch`` due jobs with a lease;
2. build each message's outgoing form once (:mod:`openses.services.outgoing`: return path,
   ``Bcc`` cut, DKIM signature of the governing identity);
3. answer mailbox-simulator recipients and addresses on the sending account's suppression list
   locally, and hand the rest to the transport: one call (one SMTP session) per recipient
   domain and up to ``per_session`` messages, several sessions at once;
4. in one transaction, decide each recipient's outcome (:mod:`openses.domain.delivery`) and
   record it through :class:`~openses.services.outcomes.OutcomeRecorder`: events, counters,
   suppression, notifications; finish or reschedule each job — only if the lease is still
   ours, so a job another worker took over after our lease ran out is recorded once.

A crash between the remote server's ``250`` and step 4 leaves the job leased; when the lease
runs out it is delivered again (at-least-once, the documented trade-off).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from openses.domain.configuration_sets import TlsPolicy
from openses.domain.delivery.outcome import AttemptResult
from openses.domain.feedback_settings import Suppression, SuppressionReason, suppresses
from openses.domain.outbox import MessageKind
from openses.domain.queue import DEFAULT_LEASE, ClaimedJob
from openses.domain.transfer import Envelope, Results
from openses.services.outcomes import LocalAnswers, OutcomeRecorder
from openses.services.outgoing import Outgoing, OutgoingMessages, owner_account
from openses.services.ports import Store, Tx
from openses.services.publish_plan import PublishPlan, configuration_set_of


class Transport(Protocol):
    """Hands messages for one recipient domain to the world (``openses.outbound``)."""

    name: str

    async def deliver(
        self, domain: str, envelopes: Sequence[Envelope], *, require_tls: bool = False
    ) -> Results: ...


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    owner: str  # this worker's lease name, unique per process
    batch: int = 100
    lease: timedelta = DEFAULT_LEASE
    sessions: int = 16  # SMTP sessions at once, over all recipient domains
    per_session: int = 25  # messages one session carries before another is opened


class DeliveryWorker:
    def __init__(
        self,
        store: Store,
        transport: Transport,
        outgoing: OutgoingMessages,
        recorder: OutcomeRecorder,
        settings: WorkerSettings,
    ) -> None:
        self.store = store
        self.transport = transport
        self.outgoing = outgoing
        self.recorder = recorder
        self.settings = settings
        self._sessions = asyncio.Semaphore(settings.sessions)

    async def run_once(self, now: datetime) -> int:
        """One round; the number of jobs claimed (0: nothing was due)."""
        settings = self.settings
        async with self.store.transaction() as tx:
            for accepted in await tx.take_unplanned(settings.batch):
                await tx.insert_jobs(accepted.jobs())
            claimed = await tx.claim_jobs(settings.owner, now, now + settings.lease, settings.batch)
        if not claimed:
            return 0
        async with self.store.transaction(read_only=True) as tx:
            plan = await self.recorder.plan(tx, [item.message for item in claimed])
            suppressed = await _suppressed(tx, claimed, plan)
        outgoing = await self._prepare(claimed, now)
        attempts: dict[str, list[AttemptResult]] = {}
        simulated: dict[str, LocalAnswers] = {}
        remote: dict[tuple[str, bool], list[Envelope]] = {}
        for item in claimed:
            job = item.job
            local = self.recorder.split_local(job.recipients, suppressed.get(job.job_id, ()), now)
            attempts[job.job_id] = []
            simulated[job.job_id] = local
            if local.remote:
                prepared = outgoing[job.message_id]
                require_tls = _requires_tls(item, plan)
                remote.setdefault((job.domain, require_tls), []).append(
                    Envelope(job.job_id, prepared.mail_from, local.remote, prepared.data)
                )
        size = settings.per_session
        for results in await asyncio.gather(
            *(
                self._deliver(domain, envelopes[start : start + size], require_tls)
                for (domain, require_tls), envelopes in remote.items()
                for start in range(0, len(envelopes), size)
            )
        ):
            for key, answers in results.items():
                attempts[key].extend(answers)
        async with self.store.transaction() as tx:
            for item in claimed:
                key = item.job.job_id
                await self.recorder.record(
                    tx, item, attempts[key], simulated[key], now, owner=settings.owner, plan=plan
                )
        return len(claimed)

    async def _deliver(self, domain: str, envelopes: list[Envelope], require_tls: bool) -> Results:
        async with self._sessions:
            return await self.transport.deliver(domain, envelopes, require_tls=require_tls)

    async def _prepare(self, claimed: Sequence[ClaimedJob], now: datetime) -> dict[str, Outgoing]:
        prepared: dict[str, Outgoing] = {}
        settings: dict[tuple[str, str, str], Any] = {}  # identity settings, once per batch
        for item in claimed:
            job = item.job
            if job.message_id not in prepared:
                prepared[job.message_id] = await self.outgoing.prepare(
                    message_id=job.message_id,
                    raw=item.message.raw,
                    owner_account=owner_account(item.message.source_arn) or job.account_id,
                    region=job.region,
                    now=now,
                    generated=item.message.kind is MessageKind.FEEDBACK,
                    settings=settings,
                    sending_account=job.account_id,
                )
        return prepared


async def _suppressed(
    tx: Tx, claimed: Sequence[ClaimedJob], plan: PublishPlan | None
) -> dict[str, frozenset[str]]:
    """Per job, its recipients that the sending account's suppression list holds back: listed
    for a reason the account suppresses for (or the send's configuration set, which overrides
    the account). One lookup per account and region."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for item in claimed:
        job = item.job
        wanted.setdefault((job.account_id, job.region), set()).update(job.recipients)
    listed: dict[tuple[str, str], dict[str, Suppression]] = {}
    reasons: dict[tuple[str, ...], frozenset[SuppressionReason]] = {}
    for key, addresses in wanted.items():
        listed[key] = await tx.suppressed(*key, sorted(addresses))
        if listed[key]:
            reasons[key] = await tx.get_suppression_reasons(*key)
    held: dict[str, frozenset[str]] = {}
    for item in claimed:
        job, message = item.job, item.message
        entries = listed[(job.account_id, job.region)]
        if not entries:
            continue
        active = reasons[(job.account_id, job.region)]
        found = configuration_set_of(message, plan)
        if found is not None and found.suppressed_reasons is not None:
            active = found.suppressed_reasons
        held[job.job_id] = frozenset(
            address for address, entry in entries.items() if suppresses(entry, active)
        )
    return held


def _requires_tls(item: ClaimedJob, plan: PublishPlan | None) -> bool:
    """Whether the send's configuration set says ``TlsPolicy: REQUIRE``."""
    found = configuration_set_of(item.message, plan)
    return found is not None and found.tls_policy is TlsPolicy.REQUIRE
