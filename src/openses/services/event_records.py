"""What the store and the subscribers are told about an event: the ``mail`` object of a
message, and an event's type, recipients and SES object (:mod:`openses.domain.events`)."""

from __future__ import annotations

from openses.domain.events.facts import (
    BounceEvent,
    ComplaintEvent,
    DeliveryDelayEvent,
    DeliveryEvent,
    Event,
    MailFacts,
)
from openses.domain.events.notifications import EVENT_TYPES, event_object
from openses.domain.outbox import CapturedMessage, MessageKind


def mail_facts(message: CapturedMessage) -> MailFacts:
    """The ``mail`` object of ``message``'s events."""
    return MailFacts(
        timestamp=message.created_at,
        message_id=message.message_id,
        source=message.source,
        source_arn=message.source_arn or "",
        source_ip=message.source_ip or "",
        caller_arn=message.caller_arn or "",
        sending_account_id=message.account_id,
        destination=message.recipients,
        # A rendering failure has no message to show (SES shows no headers for it either).
        headers=message.raw if message.kind is not MessageKind.RENDERING_FAILURE else None,
        tags=message.tags,
        configuration_set=message.configuration_set,
    )


def event_type(event: Event) -> str:
    """SES's ``eventType``, as the store labels events (``Rendering Failure`` without its
    space, like SES's metric and API names)."""
    return EVENT_TYPES[type(event)][0].replace(" ", "")


def event_recipients(event: Event) -> tuple[str, ...]:
    if isinstance(event, DeliveryEvent | ComplaintEvent):
        return event.recipients
    if isinstance(event, BounceEvent):
        return tuple(r.email_address for r in event.recipients)
    if isinstance(event, DeliveryDelayEvent):
        return tuple(r.email_address for r in event.recipients)
    return ()


def event_detail(event: Event) -> dict[str, object]:
    """What the store keeps of the event: SES's object for it (``bounce``, ``delivery``, …)."""
    return event_object(event)
