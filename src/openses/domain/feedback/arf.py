"""Abuse feedback reports (RFC 5965, ARF), parsed from bytes into facts, never raising.

An ARF report is ``multipart/report; report-type=feedback-report`` with a
``message/feedback-report`` part of fields (RFC 5965 section 3.1: ``Feedback-Type``,
``User-Agent``, ``Version`` required; ``Original-Mail-From``, ``Original-Rcpt-To`` (repeatable),
``Arrival-Date`` -- ``Received-Date`` in older reports, which SES also reads -- ``Reporting-MTA``,
``Source-IP``, ``Original-Envelope-Id``, ``Incidents``, ``Authentication-Results``,
``Reported-Domain``, ``Reported-URI``) and the original message or its headers. SES takes
``complaintFeedbackType``, ``userAgent`` and ``arrivalDate`` from these (notification-contents.md,
"Complaint object"); providers redact the complained-about recipient (``redacted@...``), so the
original's ``Message-ID`` and our return path are what tie a report to a message.

The same tolerance as ``dsn``: any field case, folding, a missing ``Version``, angle brackets or
none, a ``text/plain``-ish report part, ``message/global`` originals. A report without a
feedback-report part (Microsoft's older JMRP sends only the original) is a ``ReportProblem``
that still carries the original headers and the return-path id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from openses.domain.feedback.reports import (
    OriginalHeaders,
    ReportProblem,
    bare_address,
    every,
    field_blocks,
    find_part,
    first,
    header_fields,
    original_headers,
    parse_date,
    parse_message,
    reported_message_id,
    return_path_id,
)

ARF_TYPES = ("message/feedback-report", "text/feedback-report")
FEEDBACK_TYPES = ("abuse", "auth-failure", "fraud", "not-spam", "other", "virus")


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    feedback_type: str | None  # lower-cased: abuse, fraud, virus, not-spam, auth-failure, other
    user_agent: str | None = None
    version: str | None = None
    original_mail_from: str | None = None  # bare; "" for the null sender <>
    original_rcpt_to: tuple[str, ...] = ()
    arrival_date: datetime | None = None
    reporting_mta: str | None = None  # as written: "dns; mx.example.net"
    source_ip: str | None = None
    original_envelope_id: str | None = None
    incidents: int | None = None
    authentication_results: tuple[str, ...] = ()
    reported_domains: tuple[str, ...] = ()
    reported_uris: tuple[str, ...] = ()
    original: OriginalHeaders | None = None
    message_id: str | None = None  # the report's own Message-ID, to recognize a repeat
    return_path_message_id: str | None = None  # from the report's envelope recipient

    @property
    def ses_message_id(self) -> str | None:
        """Our message: the return path's id, else the original's ``Message-ID``."""
        return reported_message_id(self.return_path_message_id, self.original)


def parse_arf(
    data: bytes, envelope_recipient: str | None = None, bounce_domain: str | None = None
) -> FeedbackReport | ReportProblem:
    """Read an ARF report; ``envelope_recipient`` and ``bounce_domain`` as for ``parse_dsn``."""
    from_return_path = return_path_id(envelope_recipient, bounce_domain)
    message = parse_message(data)
    if message is None:
        return ReportProblem("unreadable message", from_return_path)
    original = original_headers(message)
    own_id = first(header_fields(message), "Message-ID")
    part = find_part(message, ARF_TYPES)
    if part is None:
        return ReportProblem("no feedback-report part", from_return_path, original, own_id)
    fields = tuple(field for block in field_blocks(part) for field in block)
    feedback_type = first(fields, "Feedback-Type")
    if feedback_type is None:
        return ReportProblem("no Feedback-Type field", from_return_path, original, own_id)
    mail_from = first(fields, "Original-Mail-From")
    return FeedbackReport(
        feedback_type=(feedback_type.split() or [""])[0].lower() or None,
        user_agent=first(fields, "User-Agent"),
        version=first(fields, "Version"),
        original_mail_from=_sender(mail_from),
        original_rcpt_to=tuple(
            address
            for value in every(fields, "Original-Rcpt-To")
            if (address := bare_address(value)) is not None
        ),
        arrival_date=parse_date(first(fields, "Arrival-Date") or first(fields, "Received-Date")),
        reporting_mta=first(fields, "Reporting-MTA"),
        source_ip=first(fields, "Source-IP"),
        original_envelope_id=first(fields, "Original-Envelope-Id"),
        incidents=_count(first(fields, "Incidents")),
        authentication_results=every(fields, "Authentication-Results"),
        reported_domains=every(fields, "Reported-Domain"),
        reported_uris=every(fields, "Reported-URI"),
        original=original,
        message_id=own_id,
        return_path_message_id=from_return_path,
    )


def _sender(value: str | None) -> str | None:
    if value is None:
        return None
    if re.fullmatch(r"\s*<\s*>\s*", value):
        return ""
    return bare_address(value)


def _count(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
