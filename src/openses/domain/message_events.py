"""What happened to a message, as the store records it for the sending account.

The ``detail`` object is the event as SES describes it in event publishing (the ``bounce``,
``complaint``, ``delivery``, … object), so the record can be shown and re-published as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    event_id: str
    message_id: str
    account_id: str  # the sending (delegate) account the event counts for
    region: str
    event_type: str  # SES's eventType: Send, Delivery, Bounce, Complaint, DeliveryDelay, …
    at: datetime
    recipients: tuple[str, ...]
    detail: dict[str, object] = field(default_factory=dict)
    dedupe_key: str | None = None  # an incoming report's identity: recorded once
