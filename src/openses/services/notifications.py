"""Who hears of an event, and how: owner's identity topics, delegate's event destinations,
feedback forwarding by email (spec §3, "How each party receives feedback").

For each event recorded about a message, inside the same transaction:

1. **Identity notifications** (Bounce, Complaint, Delivery) go to the topics the identity's
   *owner* set on the identity the message was sent as (address settings override the
   domain's); the topic may be another account's — the delegate's — when its policy lets
   ``ses.amazonaws.com`` publish for that identity. SES drops a bounce or complaint topic it
   cannot publish to and turns email forwarding back on; so do we.
2. **Event destinations** of the configuration set named on the send, which is the *sending*
   (delegate) account's own: each enabled SNS destination matching the event type gets SES's
   event record.
3. **Feedback forwarding** (bounces and complaints): when the owner's identity has forwarding
   on — or, as SES's safety net, when neither of the above reached anyone for this bounce or
   complaint — the report goes by email to the message's feedback address through the normal
   outbound path (a DSN for a bounce, an ARF report for a complaint), from the null sender.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from openses.domain.configuration_sets import EventType
from openses.domain.events.facts import (
    BounceEvent,
    ComplaintEvent,
    DeliveryDelayEvent,
    DeliveryEvent,
    Event,
    IdentityEvent,
    RejectEvent,
    RenderingFailureEvent,
    SendEvent,
)
from openses.domain.events.notifications import event_record, identity_notification, to_json
from openses.domain.feedback.compose import (
    compose_arf,
    compose_auto_reply,
    compose_dsn,
    mailer_daemon,
)
from openses.domain.feedback.dsn import DsnRecipient
from openses.domain.feedback_settings import NotificationType
from openses.domain.messages import message_id as new_message_id
from openses.domain.messages import message_id_header
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.services.accepted import record_accepted
from openses.services.event_records import mail_facts
from openses.services.feedback_settings import EffectiveFeedback, effective_feedback
from openses.services.outgoing import owner_account
from openses.services.ports import Tx
from openses.services.publish_plan import PublishPlan
from openses.services.topics import publish_as_service

SES_SERVICE = "ses.amazonaws.com"
_KINDS: dict[type, NotificationType] = {
    BounceEvent: NotificationType.BOUNCE,
    ComplaintEvent: NotificationType.COMPLAINT,
    DeliveryEvent: NotificationType.DELIVERY,
}


class Notifier:
    """The :class:`~openses.services.outcomes.EventPublisher` of a running service."""

    def __init__(
        self,
        *,
        bounce_domain: str,
        reporting_mta: str,
        new_unique: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.bounce_domain = bounce_domain
        self.reporting_mta = reporting_mta
        self.new_unique = new_unique

    async def plan(self, tx: Tx, messages: Sequence[CapturedMessage]) -> PublishPlan:
        plan = PublishPlan()
        for message in messages:
            await self._feedback(tx, message, plan)
            await plan.configuration_set(tx, message)
        return plan

    async def publish(
        self,
        tx: Tx,
        message: CapturedMessage,
        event: Event,
        now: datetime,
        plan: PublishPlan | None = None,
    ) -> None:
        known = plan if plan is not None else PublishPlan()
        reached = False
        forwarding = True
        if isinstance(event, BounceEvent | ComplaintEvent | DeliveryEvent):
            reached, forwarding = await self._identity_topic(tx, message, event, now, known)
        if message.configuration_set is not None:
            reached = await self._destinations(tx, message, event, now, known) or reached
        if isinstance(event, BounceEvent | ComplaintEvent) and (forwarding or not reached):
            await self._forward(tx, message, event, now)

    async def _feedback(
        self, tx: Tx, message: CapturedMessage, plan: PublishPlan
    ) -> EffectiveFeedback:
        owner = owner_account(message.source_arn) or message.account_id
        key = (owner, message.region, message.source)
        found = plan.feedback.get(key)
        if found is None:
            found = plan.feedback[key] = await effective_feedback(tx, *key)
        return found

    async def _identity_topic(
        self,
        tx: Tx,
        message: CapturedMessage,
        event: IdentityEvent,
        now: datetime,
        plan: PublishPlan,
    ) -> tuple[bool, bool]:
        """(whether a bounce/complaint topic took it, whether forwarding by email is on)."""
        owner = owner_account(message.source_arn) or message.account_id
        governing = await self._feedback(tx, message, plan)
        settings = governing.settings
        kind = _KINDS[type(event)]
        topic = settings.topic(kind)
        if topic is None:
            return False, settings.forwarding_enabled
        if _region_of(topic) != message.region:
            topic = None  # SES publishes only to topics in the identity's own region
        published = topic is not None and await publish_as_service(
            tx,
            topic_arn=topic,
            message=to_json(
                identity_notification(
                    event, mail_facts(message), include_headers=settings.headers_included(kind)
                )
            ),
            subject=None,
            service=SES_SERVICE,
            source_account=owner,
            source_arn=message.source_arn or "",
            now=now,
        )
        if published or kind is NotificationType.DELIVERY:
            return published and kind is not NotificationType.DELIVERY, settings.forwarding_enabled
        if governing.identity is not None:
            # SES's rule: a bounce or complaint topic it cannot publish to is removed, and
            # forwarding by email comes back on.
            cleared = replace(
                settings,
                forwarding_enabled=True,
                bounce_topic=None if kind is NotificationType.BOUNCE else settings.bounce_topic,
                complaint_topic=(
                    None if kind is NotificationType.COMPLAINT else settings.complaint_topic
                ),
            )
            await tx.put_feedback_settings(owner, message.region, governing.identity, cleared)
        return False, True

    async def _destinations(
        self, tx: Tx, message: CapturedMessage, event: Event, now: datetime, plan: PublishPlan
    ) -> bool:
        name = message.configuration_set
        found = await plan.configuration_set(tx, message)
        if found is None or name is None:
            return False
        record = to_json(event_record(event, mail_facts(message), configuration_set=name))
        kind = _EVENT_TYPES[type(event)]
        reached = False
        source_arn = f"arn:aws:ses:{message.region}:{message.account_id}:configuration-set/{name}"
        for destination in found.event_destinations:
            if destination.sns_topic_arn is None or not destination.publishes(kind):
                continue
            published = await publish_as_service(
                tx,
                topic_arn=destination.sns_topic_arn,
                message=record,
                subject=None,
                service=SES_SERVICE,
                source_account=message.account_id,
                source_arn=source_arn,
                now=now,
            )
            reached = reached or (published and isinstance(event, BounceEvent | ComplaintEvent))
        return reached

    async def _forward(
        self, tx: Tx, message: CapturedMessage, event: BounceEvent | ComplaintEvent, now: datetime
    ) -> None:
        to = message.feedback_address or message.source
        if not to:
            return
        forwarded_id = new_message_id(now, self.new_unique())
        header_id = message_id_header(forwarded_id, message.region)
        if isinstance(event, BounceEvent):
            raw = compose_dsn(
                mail_domain=self.bounce_domain,
                to=to,
                message_id=header_id,
                now=now,
                reporting_mta=self.reporting_mta,
                recipients=[
                    DsnRecipient(
                        final_recipient=r.email_address,
                        action=r.action or "failed",
                        status=r.status,
                        diagnostic_code=r.diagnostic_code,
                    )
                    for r in event.recipients
                ],
                original=message.raw,
                arrival_date=message.created_at,
            )
            subject = "Delivery Status Notification (Failure)"
        else:
            raw = compose_arf(
                from_address=mailer_daemon(self.bounce_domain),
                to=to,
                message_id=header_id,
                now=now,
                user_agent=event.user_agent or "OpenSES",
                original=message.raw,
                feedback_type=event.complaint_feedback_type or "abuse",
                original_rcpt_to=event.recipients,
                arrival_date=event.arrival_date,
            )
            subject = "Complaint about a message you sent"
        await self._send_generated(
            tx, message, message_id=forwarded_id, to=to, subject=subject, raw=raw, now=now
        )

    async def out_of_office(
        self, tx: Tx, message: CapturedMessage, recipient: str, now: datetime
    ) -> None:
        """The mailbox simulator's ``ooto@`` answer: an automatic reply to the feedback
        address (RFC 3834), through the outbound path like any message."""
        to = message.feedback_address or message.source
        reply_id = new_message_id(now, self.new_unique())
        raw = compose_auto_reply(
            from_address=recipient,
            to=to,
            message_id=message_id_header(reply_id, message.region),
            now=now,
            original_subject=message.subject,
            original_message_id=message_id_header(message.message_id, message.region),
        )
        subject = f"Auto: {message.subject}"
        await self._send_generated(
            tx, message, message_id=reply_id, to=to, subject=subject, raw=raw, now=now
        )

    async def _send_generated(
        self,
        tx: Tx,
        about: CapturedMessage,
        *,
        message_id: str,
        to: str,
        subject: str,
        raw: bytes,
        now: datetime,
    ) -> None:
        """Store and queue a message OpenSES writes about ``about`` (sent from ``<>``)."""
        generated = CapturedMessage(
            message_id=message_id,
            kind=MessageKind.FEEDBACK,
            region=about.region,
            account_id=about.account_id,
            created_at=now,
            source=mailer_daemon(self.bounce_domain),
            recipients=(to,),
            subject=subject,
            raw=raw,
        )
        await tx.insert_message(generated)
        await record_accepted(tx, generated, self.new_unique)


_EVENT_TYPES: dict[type, EventType] = {
    SendEvent: EventType.SEND,
    RejectEvent: EventType.REJECT,
    BounceEvent: EventType.BOUNCE,
    ComplaintEvent: EventType.COMPLAINT,
    DeliveryEvent: EventType.DELIVERY,
    DeliveryDelayEvent: EventType.DELIVERY_DELAY,
    RenderingFailureEvent: EventType.RENDERING_FAILURE,
}


def _region_of(topic_arn: str) -> str | None:
    parts = topic_arn.split(":")
    return parts[3] if len(parts) >= 6 and parts[2] == "sns" else None
