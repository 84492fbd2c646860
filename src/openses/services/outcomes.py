"""Recording what one delivery attempt did: outcomes, events, counters, suppression, the job.

:meth:`OutcomeRecorder.record` runs inside the worker's transaction for a claimed job: it
decides each recipient's outcome (:func:`openses.domain.delivery.outcome.decide`), finishes or
reschedules the job — and only if the job is still this worker's does it go on to record the
Delivery, Bounce and DeliveryDelay events for the **sending** account, count bounces in that
account's ledger (GetSendStatistics, reputation), put hard-bounced addresses on that account's
suppression list, and hand the events to the publisher (notifications and event destinations).

Mailbox-simulator recipients never reach a transport: :meth:`OutcomeRecorder.split_local`
answers them here, with the outcomes SES's simulator produces, in every delivery mode.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from openses.domain.delivery.outcome import (
    AttemptResult,
    Bounced,
    Deferred,
    Delivered,
    Outcome,
    decide,
)
from openses.domain.delivery.outcome import suppressed as suppressed_bounce
from openses.domain.delivery.replies import BounceSubType, BounceType
from openses.domain.delivery.retry import DEFAULT_SCHEDULE, RetrySchedule
from openses.domain.delivery.simulator import (
    SUCCESS_RESPONSE,
    SimulatedOutcome,
    simulate,
)
from openses.domain.events.facts import (
    BouncedRecipient,
    BounceEvent,
    ComplaintEvent,
    DelayedRecipient,
    DeliveryDelayEvent,
    DeliveryEvent,
    Event,
    feedback_id,
)
from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.queue import ClaimedJob
from openses.domain.sending import SIMULATOR_DOMAIN
from openses.services.event_records import event_detail, event_recipients, event_type
from openses.services.ports import Tx
from openses.services.publish_plan import PublishPlan, configuration_set_of

_NOT_COUNTED = frozenset({BounceSubType.ON_ACCOUNT_SUPPRESSION_LIST, BounceSubType.SUPPRESSED})


class EventPublisher(Protocol):
    """Hands an event to whoever should hear of it (identity topics, event destinations,
    feedback forwarding), inside the caller's transaction."""

    async def publish(
        self,
        tx: Tx,
        message: CapturedMessage,
        event: Event,
        now: datetime,
        plan: PublishPlan | None = None,
    ) -> None: ...

    async def plan(self, tx: Tx, messages: Sequence[CapturedMessage]) -> PublishPlan:
        """Read ahead what publishing events about ``messages`` needs (read-only ``tx``)."""

    async def out_of_office(
        self, tx: Tx, message: CapturedMessage, recipient: str, now: datetime
    ) -> None:
        """The automatic reply of the mailbox simulator's ``ooto@`` address."""


class Suppressor(Protocol):
    """Puts an address on the sending account's suppression list, if the account wants that
    reason suppressed (:mod:`openses.services.suppression`)."""

    async def suppress(
        self,
        tx: Tx,
        message: CapturedMessage,
        *,
        address: str,
        reason: str,
        feedback: str,
        now: datetime,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class LocalAnswers:
    """Recipients answered without a transport, and the rest."""

    simulated: tuple[SimulatedOutcome, ...]
    suppressed: tuple[Bounced, ...]
    remote: tuple[str, ...]


class OutcomeRecorder:
    def __init__(
        self,
        *,
        reporting_mta: str,
        new_unique: Callable[[], str],
        jitter: Callable[[], float],
        publisher: EventPublisher | None = None,
        suppressor: Suppressor | None = None,
    ) -> None:
        self.reporting_mta = reporting_mta
        self.new_unique = new_unique
        self.jitter = jitter
        self.publisher = publisher
        self.suppressor = suppressor

    async def plan(self, tx: Tx, messages: Sequence[CapturedMessage]) -> PublishPlan:
        """Read ahead, in read-only ``tx``, the sends' configuration sets (their delivery and
        suppression options) and what publishing events about ``messages`` will need (see
        :mod:`openses.services.publish_plan`)."""
        plan = PublishPlan() if self.publisher is None else await self.publisher.plan(tx, messages)
        for message in messages:
            await plan.configuration_set(tx, message)
        return plan

    def split_local(
        self, recipients: Sequence[str], suppressed: Collection[str], now: datetime
    ) -> LocalAnswers:
        """Simulator addresses and ``suppressed`` ones (on the sending account's list) are
        answered here; the rest go to the transport."""
        simulated: list[SimulatedOutcome] = []
        listed: list[Bounced] = []
        remote: list[str] = []
        for recipient in recipients:
            outcome = simulate(recipient)
            if outcome is not None:
                simulated.append(outcome)
            elif recipient in suppressed:
                listed.append(
                    suppressed_bounce(
                        recipient, account_level=True, now=now, reporting_mta=self.reporting_mta
                    )
                )
            else:
                remote.append(recipient)
        return LocalAnswers(tuple(simulated), tuple(listed), tuple(remote))

    async def record(
        self,
        tx: Tx,
        item: ClaimedJob,
        results: Sequence[AttemptResult],
        local: LocalAnswers,
        now: datetime,
        *,
        owner: str,
        plan: PublishPlan | None = None,
    ) -> None:
        job = item.job
        first = job.first_attempt_at or now
        outcomes: list[Outcome] = decide(
            results,
            attempts=job.attempts,
            first_attempt_at=first,
            now=now,
            jitter=self.jitter(),
            reporting_mta=self.reporting_mta,
            schedule=_schedule(item, plan),
        )
        outcomes.extend(self._simulated(outcome, now) for outcome in local.simulated)
        outcomes.extend(local.suppressed)
        deferred = [o for o in outcomes if isinstance(o, Deferred)]
        if deferred:
            kept = replace(
                job,
                recipients=tuple(o.recipient for o in deferred),
                run_at=min(o.run_at for o in deferred),
                first_attempt_at=first,
                lease_owner=None,
                lease_until=None,
            )
            still_ours = await tx.update_job(kept, owner=owner)
        else:
            still_ours = await tx.delete_job(job.job_id, owner=owner)
        if not still_ours:
            return  # our lease ran out and another worker took the job: it records
        message = item.message
        if message.kind is not MessageKind.SEND:
            return  # OpenSES's own mail (verification, forwarded feedback): no customer events
        delivered = [o for o in outcomes if isinstance(o, Delivered)]
        bounced = [o for o in outcomes if isinstance(o, Bounced)]
        if delivered:
            await self._emit(tx, message, _delivery(delivered, message, now), now, plan=plan)
        for group in _bounce_groups(bounced):
            await self._bounce(tx, message, group, now, plan)
        if deferred:
            await self._emit(tx, message, _delay(deferred, now), now, plan=plan)
        for outcome in local.simulated:
            if outcome.auto_reply and self.publisher is not None:
                await self.publisher.out_of_office(tx, message, outcome.recipient, now)
            if outcome.complaint_feedback_type is not None:
                await self.complaint(
                    tx,
                    message,
                    ComplaintEvent(
                        recipients=(outcome.recipient,),
                        timestamp=now,
                        feedback_id=feedback_id(message.message_id, now, outcome.recipient),
                        complaint_feedback_type=outcome.complaint_feedback_type,
                        user_agent=outcome.complaint_user_agent,
                        arrival_date=now,
                    ),
                    now,
                    plan=plan,
                )

    # ---------------------------------------------------------------- shared with feedback

    async def complaint(
        self,
        tx: Tx,
        message: CapturedMessage,
        event: ComplaintEvent,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        plan: PublishPlan | None = None,
    ) -> bool:
        """Record a complaint for the sending account; False if ``dedupe_key`` was seen."""
        if not await self._emit(tx, message, event, now, dedupe_key=dedupe_key, plan=plan):
            return False
        await tx.add_send_counts(message.account_id, message.region, now, complaints=1)
        if self.suppressor is not None:
            for address in event.recipients:
                await self.suppressor.suppress(
                    tx,
                    message,
                    address=address,
                    reason="COMPLAINT",
                    feedback=event.feedback_id,
                    now=now,
                )
        return True

    async def bounce(
        self,
        tx: Tx,
        message: CapturedMessage,
        event: BounceEvent,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        plan: PublishPlan | None = None,
    ) -> bool:
        """Record a bounce for the sending account; False if ``dedupe_key`` was seen.

        A bounce SES makes itself for an address already on the suppression list is recorded
        and published, but neither counted against the account nor suppressed again."""
        if not await self._emit(tx, message, event, now, dedupe_key=dedupe_key, plan=plan):
            return False
        if event.bounce_subtype in _NOT_COUNTED:
            return True
        await tx.add_send_counts(
            message.account_id, message.region, now, bounces=len(event.recipients)
        )
        if self.suppressor is not None and event.bounce_type == BounceType.PERMANENT:
            for recipient in event.recipients:
                await self.suppressor.suppress(
                    tx,
                    message,
                    address=recipient.email_address,
                    reason="BOUNCE",
                    feedback=event.feedback_id,
                    now=now,
                )
        return True

    # ---------------------------------------------------------------- internals

    async def _bounce(
        self,
        tx: Tx,
        message: CapturedMessage,
        group: list[Bounced],
        now: datetime,
        plan: PublishPlan | None,
    ) -> None:
        first = group[0]
        event = BounceEvent(
            bounce_type=str(first.bounce_type),
            bounce_subtype=str(first.bounce_subtype),
            recipients=tuple(
                BouncedRecipient(o.recipient, o.action, o.status, o.diagnostic_code) for o in group
            ),
            timestamp=now,
            feedback_id=feedback_id(message.message_id, now, group[0].recipient),
            reporting_mta=first.reporting_mta,
            remote_mta_ip=first.remote_mta_ip,
        )
        await self.bounce(tx, message, event, now, plan=plan)

    async def _emit(
        self,
        tx: Tx,
        message: CapturedMessage,
        event: Event,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        plan: PublishPlan | None = None,
    ) -> bool:
        recorded = RecordedEvent(
            event_id=self.new_unique(),
            message_id=message.message_id,
            account_id=message.account_id,
            region=message.region,
            event_type=event_type(event),
            at=now,
            recipients=event_recipients(event),
            detail=event_detail(event),
            dedupe_key=dedupe_key,
        )
        if not await tx.insert_event(recorded):
            return False
        if self.publisher is not None:
            await self.publisher.publish(tx, message, event, now, plan)
        return True

    def _simulated(self, outcome: SimulatedOutcome, now: datetime) -> Outcome:
        bounce = outcome.bounce
        if bounce is None:
            return Delivered(
                outcome.recipient,
                now,
                outcome.smtp_response or SUCCESS_RESPONSE,
                self.reporting_mta,
                SIMULATOR_DOMAIN,
                None,
            )
        return Bounced(
            recipient=outcome.recipient,
            timestamp=now,
            bounce_type=bounce.bounce_type,
            bounce_subtype=bounce.bounce_subtype,
            status=bounce.status,
            diagnostic_code=bounce.diagnostic_code,
            reporting_mta=f"dns; {self.reporting_mta}",
            action=bounce.action,
        )


def _delivery(delivered: list[Delivered], message: CapturedMessage, now: datetime) -> DeliveryEvent:
    first = delivered[0]
    elapsed = int((now - message.created_at).total_seconds() * 1000)
    return DeliveryEvent(
        timestamp=now,
        recipients=tuple(o.recipient for o in delivered),
        processing_time_ms=max(elapsed, 0),
        smtp_response=first.smtp_response,
        reporting_mta=first.reporting_mta,
        remote_mta_ip=first.remote_mta_ip,
    )


def _delay(deferred: list[Deferred], now: datetime) -> DeliveryDelayEvent:
    first = deferred[0]
    return DeliveryDelayEvent(
        delay_type=str(first.delay_type),
        expiration_time=first.expiration_time,
        recipients=tuple(
            DelayedRecipient(o.recipient, o.status, o.diagnostic_code) for o in deferred
        ),
        timestamp=now,
        reporting_mta=first.reporting_mta,
    )


def _bounce_groups(bounced: list[Bounced]) -> list[list[Bounced]]:
    """Bounces of one attempt grouped by (type, subtype): one Bounce event per group, as SES
    reports recipients bounced the same way together."""
    groups: dict[tuple[str, str], list[Bounced]] = {}
    for outcome in bounced:
        groups.setdefault((outcome.bounce_type, outcome.bounce_subtype), []).append(outcome)
    return list(groups.values())


def _schedule(item: ClaimedJob, plan: PublishPlan | None) -> RetrySchedule:
    """The retry schedule: SES's, shortened by the send's configuration set's
    ``MaxDeliverySeconds`` when it sets one."""
    found = configuration_set_of(item.message, plan)
    if found is None or found.max_delivery_seconds is None:
        return DEFAULT_SCHEDULE
    return RetrySchedule.for_max_delivery_seconds(found.max_delivery_seconds)
