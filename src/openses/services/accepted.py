"""What accepting a message writes besides its record: its place in the planning queue, and
the events of the send that are more than the record itself.

Called inside the transaction that stores the message (a transactional outbox): when the caller
is told the MessageId, the message is on disk queued for a delivery worker to plan its jobs,
and a crash can lose neither without the other. A send's Send event is its record (the
message's acceptance, :func:`send_record`), not a row of its own; it is published to the send's
configuration set, if it names one, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from openses.domain.authorization import Authorization
from openses.domain.events.facts import RenderingFailureEvent, SendEvent
from openses.domain.identities import Identity, covering_identities
from openses.domain.mail import RawMessage
from openses.domain.message_events import RecordedEvent
from openses.domain.messages import message_id_header, rfc5322_date
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.sending import Submission
from openses.services.event_records import event_detail, event_type
from openses.services.outcomes import EventPublisher
from openses.services.ports import Tx
from openses.services.principals import Call


async def record_accepted(
    tx: Tx,
    message: CapturedMessage,
    new_unique: Callable[[], str],
    publisher: EventPublisher | None = None,
) -> None:
    """After ``message`` is inserted: a rendering failure's event; for a message that is to
    leave (a send, or a verification message OpenSES wrote), its place in the planning queue
    and, for a send, its Send event published to its configuration set."""
    if message.kind is MessageKind.RENDERING_FAILURE:
        failure = RenderingFailureEvent(
            template_name=message.template_name or "", error_message=message.error or ""
        )
        await tx.insert_event(_record(message, failure, new_unique()))
        await _publish(tx, message, failure, publisher)
        return
    await tx.queue_for_planning(message.message_id)
    if message.kind is MessageKind.SEND:
        await _publish(tx, message, SendEvent(), publisher)


def send_record(message: CapturedMessage) -> RecordedEvent:
    """A send's Send event, as its history shows it: the message's acceptance."""
    return _record(message, SendEvent(), f"{message.message_id}.send")


def _record(
    message: CapturedMessage, event: SendEvent | RenderingFailureEvent, event_id: str
) -> RecordedEvent:
    """``event`` of the accepted ``message``, recorded for its sending account."""
    return RecordedEvent(
        event_id=event_id,
        message_id=message.message_id,
        account_id=message.account_id,
        region=message.region,
        event_type=event_type(event),
        at=message.created_at,
        recipients=message.recipients,
        detail=event_detail(event),
    )


async def _publish(
    tx: Tx,
    message: CapturedMessage,
    event: SendEvent | RenderingFailureEvent,
    publisher: EventPublisher | None,
) -> None:
    """To the send's configuration set, if it names one (identity notifications carry
    neither kind)."""
    if publisher is not None and message.configuration_set is not None:
        await publisher.publish(tx, message, event, message.created_at)


def own_identity(own: dict[str, Identity], address: str) -> str:
    """The most specific verified identity of the caller's that covers ``address``."""
    return next(
        (
            name
            for name in covering_identities(address)
            if (identity := own.get(name)) is not None and identity.verified
        ),
        address,
    )


def captured_message(
    call: Call,
    submission: Submission,
    accepted_id: str,
    authorizations: Iterable[Authorization],
    own: dict[str, Identity],
) -> CapturedMessage:
    """The record of an accepted submission: SES's Date and Message-ID set in the message,
    who sent it, as which identity, under which statements (stored as the outbox shows it)."""
    decided = list(authorizations)
    kind = MessageKind.SEND
    raw = submission.message
    if submission.rendering_error is not None:
        kind = MessageKind.RENDERING_FAILURE
    else:
        parsed = submission.parsed or RawMessage.parse(raw)
        raw = parsed.with_fields(
            {
                "Date": rfc5322_date(call.now),
                "Message-ID": message_id_header(accepted_id, call.region),
            }
        )
    statements: tuple[dict[str, object], ...] = tuple(
        {
            "identity": str(a.governing or a.arn),
            "policy": ref.policy,
            "sid": ref.sid,
            "effect": ref.effect.value,
        }
        for a in decided
        if a.decision is not None
        for ref in a.decision.statements
    )
    return CapturedMessage(
        message_id=accepted_id,
        kind=kind,
        region=call.region,
        account_id=call.account_id,
        created_at=call.now,
        source=submission.source.address.address,
        recipients=submission.recipients,
        subject=_storable(submission.subject),
        raw=raw,
        caller_arn=call.principal.arn,
        identity_arns=submission.identity_arns,
        governing_arns=tuple(
            dict.fromkeys(str(a.governing) for a in decided if a.governing is not None)
        ),
        statements=statements,
        error=None if submission.rendering_error is None else _storable(submission.rendering_error),
        source_arn=_source_arn(call, submission, own),
        source_ip=call.source_ip,
        feedback_address=submission.feedback.address.address,
        configuration_set=submission.configuration_set,
        tags=submission.tags,
        template_name=submission.template_name,
    )


def _source_arn(call: Call, submission: Submission, own: dict[str, Identity]) -> str:
    """The identity the message is sent as (notifications' ``sourceArn``): the Source role's
    ARN when given, else the caller's own identity that covers the source address."""
    if submission.source.arn is not None:
        return str(submission.source.arn)
    name = own_identity(own, submission.source.address.address)
    return f"arn:aws:ses:{call.region}:{call.account_id}:identity/{name}"


def _storable(text: str) -> str:
    """Display text as the store keeps it: NUL (which no database text type holds) shown as
    U+FFFD. The message bytes themselves are stored untouched."""
    return text.replace("\x00", "\ufffd")
