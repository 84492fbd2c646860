"""SES's notification and event JSON, from plain values (pure: no I/O, clock or randomness).

``facts`` holds the values -- :class:`MailFacts` and one type per event -- plus SES-shaped
timestamps and feedback ids; ``headers`` derives the ``headers`` list and ``commonHeaders``
object from a message; ``notifications`` renders identity notifications and event-publishing
records and writes them as SES does (:func:`to_json`).
"""

from __future__ import annotations

from openses.domain.events.facts import (
    BAD_CONTENT,
    BOUNCE_SUBTYPES,
    COMPLAINT_SUBTYPES,
    DELAY_TYPES,
    BouncedRecipient,
    BounceEvent,
    ComplaintEvent,
    DelayedRecipient,
    DeliveryDelayEvent,
    DeliveryEvent,
    Event,
    IdentityEvent,
    MailFacts,
    RejectEvent,
    RenderingFailureEvent,
    SendEvent,
    caller_identity,
    feedback_id,
    format_timestamp,
)
from openses.domain.events.headers import (
    HEADERS_LIMIT_BYTES,
    common_headers,
    header_list,
    read_headers,
)
from openses.domain.events.notifications import (
    EVENT_TYPES,
    event_object,
    event_record,
    identity_notification,
    to_json,
)

__all__ = [
    "BAD_CONTENT",
    "BOUNCE_SUBTYPES",
    "COMPLAINT_SUBTYPES",
    "DELAY_TYPES",
    "EVENT_TYPES",
    "HEADERS_LIMIT_BYTES",
    "BounceEvent",
    "BouncedRecipient",
    "ComplaintEvent",
    "DelayedRecipient",
    "DeliveryDelayEvent",
    "DeliveryEvent",
    "Event",
    "IdentityEvent",
    "MailFacts",
    "RejectEvent",
    "RenderingFailureEvent",
    "SendEvent",
    "caller_identity",
    "common_headers",
    "event_object",
    "event_record",
    "feedback_id",
    "format_timestamp",
    "header_list",
    "identity_notification",
    "read_headers",
    "to_json",
]
