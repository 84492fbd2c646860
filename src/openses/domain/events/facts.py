"""What happened to a message, as plain values: the mail itself and one type per SES event.

The delivery and feedback services build these and hand them to :mod:`.notifications`, which
renders SES's JSON. Every value is checked when it is built (a bounce subtype that does not go
with its type, a naive datetime, a negative processing time) so that rendering cannot fail.

Times are timezone-aware datetimes; SES shows them in UTC with milliseconds
(``2016-10-19T23:20:52.240Z``, :func:`format_timestamp`), sub-millisecond digits cut off.
Feedback ids have the shape of SES message ids (:func:`feedback_id`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from openses.domain.events.headers import read_headers

# ------------------------------------------------------------------------- SES's vocabularies

#: The documented bounce types and the subtypes each can carry (notification-contents.md).
BOUNCE_SUBTYPES: dict[str, frozenset[str]] = {
    "Undetermined": frozenset({"Undetermined"}),
    "Permanent": frozenset({"General", "NoEmail", "Suppressed", "OnAccountSuppressionList"}),
    "Transient": frozenset(
        {"General", "MailboxFull", "MessageTooLarge", "ContentRejected", "AttachmentRejected"}
    ),
}
#: ``complaintSubType`` is null or this one value.
COMPLAINT_SUBTYPES = frozenset({"OnAccountSuppressionList"})
#: The ``delayType`` values of a DeliveryDelay event.
DELAY_TYPES = frozenset(
    {
        "InternalFailure",
        "General",
        "MailboxFull",
        "SpamDetected",
        "RecipientServerError",
        "IPFailure",
        "TransientCommunicationFailure",
        "BYOIPHostNameLookupUnavailable",
        "Undetermined",
        "SendingDeferral",
    }
)
#: The only reason SES documents for a Reject event (it found a virus).
BAD_CONTENT = "Bad content"

_MESSAGE_ID = re.compile(r"([0-9a-f]{2})[0-9a-f]{14}-[0-9a-f-]{36}-000000")


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not {value!r}")


def format_timestamp(value: datetime) -> str:
    """``value`` as SES writes times: UTC, milliseconds, ``Z`` (``2017-08-05T00:41:02.669Z``)."""
    _aware("a timestamp", value)
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def feedback_id(message_id: str, at: datetime, discriminator: str) -> str:
    """An SES-shaped feedback id for one report about ``message_id``.

    Like a message id: two hex digits (the message id's own prefix), the report's time in
    milliseconds as 14 hex digits, a UUID, ``-000000``. The UUID is name-based (SHA-1, the
    layout of a version-5 UUID) on the message id and ``discriminator`` -- say ``"bounce"`` and
    the recipient, or the incoming report's own Message-ID -- so the same report always gets
    the same id (a redelivered report is recognisable) and nothing random is drawn here.
    """
    _aware("the report time", at)
    match = _MESSAGE_ID.fullmatch(message_id)
    prefix = match.group(1) if match else "01"
    millis = int(at.astimezone(UTC).timestamp() * 1000)
    name = f"{message_id}\n{discriminator}".encode()
    digest = bytearray(hashlib.sha1(name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    hexed = digest.hex()
    uuid = f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"
    return f"{prefix}{millis:014x}-{uuid}-000000"


def caller_identity(caller_arn: str) -> str:
    """The caller as SES names it in ``callerIdentity`` and the ``ses:caller-identity`` tag.

    Observed values are ``root`` for an account's root, the bare IAM user name, and the role
    name for role sessions; a service principal (``ses.amazonaws.com``) is shown as given.
    """
    parts = caller_arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return caller_arn
    resource = parts[5]
    if resource == "root":
        return "root"
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        return rest.split("/", 1)[0]
    if kind in ("user", "role"):
        return rest.rsplit("/", 1)[-1]
    return caller_arn


# ------------------------------------------------------------------------- the mail


@dataclass(frozen=True, slots=True)
class MailFacts:
    """The ``mail`` object's facts: fixed when SES accepts the message.

    ``source`` is the envelope sender as SES shows it (the ``Source`` given, display name and
    all, or the SMTP ``MAIL FROM``). ``source_arn`` is the identity ARN the send used -- the
    owner's identity for a delegated send -- while ``sending_account_id`` and ``caller_arn`` are
    the delegate's. ``destination`` lists the envelope recipients. ``headers`` is the message as
    the client submitted it (or just its header section), before SES added its own Message-ID
    and Date; ``None`` when there is no message to show (a rendering failure). ``tags`` are the
    message tags in the order given. ``configuration_set`` is the set named on the send, if any;
    ``operation`` fills the ``ses:operation`` tag (``SendEmail``, ``SendRawEmail``, ...) and
    ``outgoing_ip`` the ``ses:outgoing-ip`` tag once a delivery attempt has been made.
    """

    timestamp: datetime
    message_id: str
    source: str
    source_arn: str
    source_ip: str
    caller_arn: str
    sending_account_id: str
    destination: tuple[str, ...]
    headers: bytes | None = None
    tags: tuple[tuple[str, str], ...] = ()
    configuration_set: str | None = None
    operation: str | None = None
    outgoing_ip: str | None = None

    def __post_init__(self) -> None:
        _aware("MailFacts.timestamp", self.timestamp)
        if not self.destination:
            raise ValueError("MailFacts.destination must name at least one recipient")
        if self.headers is not None:
            read_headers(self.headers)  # raises MalformedMessage now rather than when rendering


# ------------------------------------------------------------------------- the events


@dataclass(frozen=True, slots=True)
class SendEvent:
    """SES accepted the message and will try to deliver it (the ``send`` object is empty)."""


@dataclass(frozen=True, slots=True)
class RejectEvent:
    reason: str = BAD_CONTENT


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
    """The receiving server accepted the message for ``recipients``."""

    timestamp: datetime
    recipients: tuple[str, ...]
    processing_time_ms: int
    smtp_response: str
    reporting_mta: str  # the host name of our sending MTA
    remote_mta_ip: str | None = None

    def __post_init__(self) -> None:
        _aware("DeliveryEvent.timestamp", self.timestamp)
        if not self.recipients:
            raise ValueError("DeliveryEvent.recipients must not be empty")
        if self.processing_time_ms < 0:
            raise ValueError("DeliveryEvent.processing_time_ms must not be negative")


@dataclass(frozen=True, slots=True)
class BouncedRecipient:
    """One bounced address; the rest come from a DSN when there was one."""

    email_address: str
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = None


@dataclass(frozen=True, slots=True)
class BounceEvent:
    bounce_type: str
    bounce_subtype: str
    recipients: tuple[BouncedRecipient, ...]
    timestamp: datetime
    feedback_id: str
    reporting_mta: str | None = None  # the DSN's Reporting-MTA, e.g. "dns; mta.example.com"
    remote_mta_ip: str | None = None  # when the remote MTA was reached

    def __post_init__(self) -> None:
        _aware("BounceEvent.timestamp", self.timestamp)
        subtypes = BOUNCE_SUBTYPES.get(self.bounce_type)
        if subtypes is None:
            raise ValueError(f"unknown bounce type {self.bounce_type!r}")
        if self.bounce_subtype not in subtypes:
            raise ValueError(f"a {self.bounce_type} bounce has no subtype {self.bounce_subtype!r}")
        if not self.recipients:
            raise ValueError("BounceEvent.recipients must not be empty")


@dataclass(frozen=True, slots=True)
class ComplaintEvent:
    """A complaint about the message; ``recipients`` are those who may have complained."""

    recipients: tuple[str, ...]
    timestamp: datetime
    feedback_id: str
    complaint_feedback_type: str | None = None  # the ARF Feedback-Type (abuse, fraud, ...)
    user_agent: str | None = None
    arrival_date: datetime | None = None
    complaint_subtype: str | None = None

    def __post_init__(self) -> None:
        _aware("ComplaintEvent.timestamp", self.timestamp)
        if self.arrival_date is not None:
            _aware("ComplaintEvent.arrival_date", self.arrival_date)
        if not self.recipients:
            raise ValueError("ComplaintEvent.recipients must not be empty")
        if self.complaint_subtype is not None and self.complaint_subtype not in COMPLAINT_SUBTYPES:
            raise ValueError(f"unknown complaint subtype {self.complaint_subtype!r}")


@dataclass(frozen=True, slots=True)
class DelayedRecipient:
    email_address: str
    status: str  # e.g. "4.4.1"
    diagnostic_code: str  # e.g. "smtp; 421 4.4.1 Unable to connect to remote host"


@dataclass(frozen=True, slots=True)
class DeliveryDelayEvent:
    delay_type: str
    expiration_time: datetime  # when SES stops trying
    recipients: tuple[DelayedRecipient, ...]
    timestamp: datetime
    reporting_mta: str | None = None

    def __post_init__(self) -> None:
        _aware("DeliveryDelayEvent.timestamp", self.timestamp)
        _aware("DeliveryDelayEvent.expiration_time", self.expiration_time)
        if self.delay_type not in DELAY_TYPES:
            raise ValueError(f"unknown delay type {self.delay_type!r}")
        if not self.recipients:
            raise ValueError("DeliveryDelayEvent.recipients must not be empty")


@dataclass(frozen=True, slots=True)
class RenderingFailureEvent:
    template_name: str
    error_message: str  # e.g. "Attribute 'name' is not present in the rendering data."


#: What an identity notification can report.
IdentityEvent = BounceEvent | ComplaintEvent | DeliveryEvent
#: What event publishing can report.
Event = (
    SendEvent
    | RejectEvent
    | DeliveryEvent
    | BounceEvent
    | ComplaintEvent
    | DeliveryDelayEvent
    | RenderingFailureEvent
)
