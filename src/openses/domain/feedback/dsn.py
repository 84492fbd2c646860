"""Delivery status notifications (RFC 3464), parsed from bytes into facts, never raising.

A DSN is ``multipart/report; report-type=delivery-status`` (RFC 6522) with a
``message/delivery-status`` part: one block of per-message fields (``Reporting-MTA``,
``Arrival-Date``, ``Original-Envelope-Id``, ``Received-From-MTA``; RFC 3464 section 2.2), then
one block per recipient (``Final-Recipient``, ``Original-Recipient``, ``Action``, ``Status``,
``Remote-MTA``, ``Diagnostic-Code``, ``Last-Attempt-Date``, ``Will-Retry-Until``; section 2.3),
and usually the original message or its headers, whose ``Message-ID`` names our message.

Tolerance (see ``reports``): field names in any case, folded values, blocks merged or split by
stray blank lines, ``Action`` before ``Final-Recipient`` (as SES writes them), a missing
per-message block, a status with a comment (``5.0.0 (permanent failure)``), address types in
any case (``RFC822;``) or missing, angle brackets, ``message/global-delivery-status`` (RFC
6533), the status part declared as ``text/plain``-ish ``text/delivery-status``. What cannot be
read at all is a ``ReportProblem`` naming why, still carrying whatever correlates it: the
message id in the DSN's envelope recipient (our per-message return path, see ``return_path``)
and the original headers if any were returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openses.domain.delivery.replies import Verdict, classify_dsn_fields
from openses.domain.delivery.status import EnhancedStatus
from openses.domain.feedback.reports import (
    Block,
    Field,
    OriginalHeaders,
    ReportProblem,
    bare_address,
    field_blocks,
    find_part,
    first,
    header_fields,
    original_headers,
    parse_date,
    parse_message,
    reported_message_id,
    return_path_id,
    typed_value,
)

DSN_TYPES = (
    "message/delivery-status",
    "message/global-delivery-status",
    "text/delivery-status",
)
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient")


@dataclass(frozen=True, slots=True)
class DsnRecipient:
    """One per-recipient block. Addresses are bare (``a@b``); ``status`` is ``5.1.1`` when a
    status code could be read, else as written; other values are as written, unfolded."""

    final_recipient: str | None
    action: str | None = None  # lower-cased: failed, delayed, delivered, relayed, expanded
    status: str | None = None
    diagnostic_code: str | None = None  # "smtp; 550 5.1.1 ..."
    remote_mta: str | None = None  # "dns; mx.example.net"
    original_recipient: str | None = None
    last_attempt_date: datetime | None = None
    will_retry_until: datetime | None = None

    @property
    def address(self) -> str | None:
        return self.final_recipient or self.original_recipient

    def verdict(self) -> Verdict:
        """SES's reading of this recipient's fields (bounce type and subtype, or delay)."""
        return classify_dsn_fields(self.action, self.status, self.diagnostic_code)


@dataclass(frozen=True, slots=True)
class DeliveryStatusNotification:
    reporting_mta: str | None  # as written: "dns; mx.example.net"
    recipients: tuple[DsnRecipient, ...]
    arrival_date: datetime | None = None
    original_envelope_id: str | None = None
    received_from_mta: str | None = None
    original: OriginalHeaders | None = None
    message_id: str | None = None  # the DSN's own Message-ID, to recognize a repeat
    return_path_message_id: str | None = None  # from the DSN's envelope recipient

    @property
    def reporting_mta_name(self) -> str | None:
        return typed_value(self.reporting_mta)[1]

    @property
    def ses_message_id(self) -> str | None:
        """Our message: the return path's id, else the original's ``Message-ID``."""
        return reported_message_id(self.return_path_message_id, self.original)


def parse_dsn(
    data: bytes, envelope_recipient: str | None = None, bounce_domain: str | None = None
) -> DeliveryStatusNotification | ReportProblem:
    """Read a DSN. ``envelope_recipient`` is the address the DSN was delivered to (the return
    path of our message, from which its id is recovered when ``bounce_domain`` is given)."""
    from_return_path = return_path_id(envelope_recipient, bounce_domain)
    message = parse_message(data)
    if message is None:
        return ReportProblem("unreadable message", from_return_path)
    original = original_headers(message)
    own_id = first(header_fields(message), "Message-ID")
    part = find_part(message, DSN_TYPES)
    if part is None:
        return ReportProblem("no delivery-status part", from_return_path, original, own_id)
    per_message, recipient_blocks = _split(field_blocks(part))
    recipients = tuple(_recipient(block) for block in recipient_blocks)
    if not recipients:
        return ReportProblem("no per-recipient fields", from_return_path, original, own_id)
    return DeliveryStatusNotification(
        reporting_mta=first(per_message, "Reporting-MTA"),
        recipients=recipients,
        arrival_date=parse_date(first(per_message, "Arrival-Date")),
        original_envelope_id=first(per_message, "Original-Envelope-Id"),
        received_from_mta=first(per_message, "Received-From-MTA"),
        original=original,
        message_id=own_id,
        return_path_message_id=from_return_path,
    )


_PER_MESSAGE = {"reporting-mta", "arrival-date", "original-envelope-id", "received-from-mta"}


def _has_recipient(fields: Sequence[Field]) -> bool:
    return any(name.lower() in _RECIPIENT_FIELDS for name, _ in fields)


def _split(blocks: list[Block]) -> tuple[Block, list[Block]]:
    """Per-message fields, and one block per recipient, mending merged or split blocks.

    The first block is per-message unless it names a recipient; per-message fields count as
    such wherever they stand; a repeated ``Final-Recipient`` starts a new recipient; a group
    without a recipient field (an ``Action`` cut off by a stray blank line) joins the next
    recipient, or the last one when none follows.
    """
    per_message: list[Field] = []
    groups: list[list[Field]] = []
    for index, block in enumerate(blocks):
        if index == 0 and not _has_recipient(block):
            per_message.extend(block)
            continue
        group: list[Field] = []
        for name, value in block:
            key = name.lower()
            if key in _PER_MESSAGE:
                per_message.append((name, value))
                continue
            if key in _RECIPIENT_FIELDS and any(k.lower() == key for k, _ in group):
                groups.append(group)
                group = []
            group.append((name, value))
        if group:
            groups.append(group)
    recipients: list[Block] = []
    pending: list[Field] = []
    for group in groups:
        if _has_recipient(group):
            recipients.append((*pending, *group))
            pending = []
        else:
            pending.extend(group)
    if pending and recipients:
        recipients[-1] = (*recipients[-1], *pending)
    return tuple(per_message), recipients


def _recipient(block: Block) -> DsnRecipient:
    status = first(block, "Status")
    found = EnhancedStatus.find(status) if status else None
    action = first(block, "Action")
    return DsnRecipient(
        final_recipient=bare_address(first(block, "Final-Recipient")),
        action=action.split()[0].lower() if action and action.split() else None,
        status=str(found) if found is not None else status,
        diagnostic_code=first(block, "Diagnostic-Code"),
        remote_mta=first(block, "Remote-MTA"),
        original_recipient=bare_address(first(block, "Original-Recipient")),
        last_attempt_date=parse_date(first(block, "Last-Attempt-Date")),
        will_retry_until=parse_date(first(block, "Will-Retry-Until")),
    )
