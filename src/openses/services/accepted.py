"""What accepting a message writes besides the message: its Send event and its delivery jobs.

Called inside the transaction that stores the message (a transactional outbox): when the caller
is told the MessageId, the jobs that will deliver it are on disk with it, and a crash can lose
neither without the other.
"""

from __future__ import annotations

from collections.abc import Callable

from openses.domain.events.facts import RenderingFailureEvent, SendEvent
from openses.domain.message_events import RecordedEvent
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.queue import plan_jobs
from openses.services.outcomes import EventPublisher
from openses.services.ports import Tx

SEND = "Send"
RENDERING_FAILURE = "RenderingFailure"


async def record_accepted(
    tx: Tx,
    message: CapturedMessage,
    new_unique: Callable[[], str],
    publisher: EventPublisher | None = None,
) -> None:
    """The Send (or RenderingFailure) event of a send, and the delivery jobs of any message
    that is to leave (a send, or a verification message OpenSES wrote)."""
    if message.kind is MessageKind.RENDERING_FAILURE:
        await tx.insert_event(
            RecordedEvent(
                event_id=new_unique(),
                message_id=message.message_id,
                account_id=message.account_id,
                region=message.region,
                event_type=RENDERING_FAILURE,
                at=message.created_at,
                recipients=message.recipients,
                detail={"errorMessage": message.error or ""},
            )
        )
        if publisher is not None and message.configuration_set is not None:
            failure = RenderingFailureEvent(template_name="", error_message=message.error or "")
            await publisher.publish(tx, message, failure, message.created_at)
        return
    if message.kind is MessageKind.SEND:
        await tx.insert_event(
            RecordedEvent(
                event_id=new_unique(),
                message_id=message.message_id,
                account_id=message.account_id,
                region=message.region,
                event_type=SEND,
                at=message.created_at,
                recipients=message.recipients,
            )
        )
        if publisher is not None and message.configuration_set is not None:
            await publisher.publish(tx, message, SendEvent(), message.created_at)
    await tx.insert_jobs(
        plan_jobs(
            message.message_id,
            message.account_id,
            message.region,
            message.recipients,
            message.created_at,
        )
    )
