"""Feedback about sent mail, pure: read and write DSNs and ARF reports, the return path.

``dsn`` parses RFC 3464 delivery status notifications, ``arf`` RFC 5965 feedback reports
(both through ``reports``, which reads multipart/report messages leniently and never raises);
``compose`` writes DSNs, complaint reports and RFC 3834 auto-replies as CRLF bytes;
``return_path`` builds the per-message envelope sender ``<MessageId>@<bounce domain>`` and
recovers the message id from it.
"""

from __future__ import annotations

from openses.domain.feedback.arf import FeedbackReport, parse_arf
from openses.domain.feedback.compose import (
    compose_arf,
    compose_auto_reply,
    compose_dsn,
    mailer_daemon,
)
from openses.domain.feedback.dsn import DeliveryStatusNotification, DsnRecipient, parse_dsn
from openses.domain.feedback.reports import OriginalHeaders, ReportProblem
from openses.domain.feedback.return_path import (
    is_message_id,
    message_id_from_header,
    message_id_from_return_path,
    return_path,
)

__all__ = [
    "DeliveryStatusNotification",
    "DsnRecipient",
    "FeedbackReport",
    "OriginalHeaders",
    "ReportProblem",
    "compose_arf",
    "compose_auto_reply",
    "compose_dsn",
    "is_message_id",
    "mailer_daemon",
    "message_id_from_header",
    "message_id_from_return_path",
    "parse_arf",
    "parse_dsn",
    "return_path",
]
