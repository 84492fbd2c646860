"""Incoming feedback: bounce reports (RFC 3464 DSNs) and complaints (RFC 5965 ARF reports).

They arrive at the feedback SMTP listener addressed to a message's return path
(``<MessageId>@<bounce or MAIL FROM domain>``), which names the message; a report sent
elsewhere is tied to its message by the returned original's ``Message-ID`` instead. Each
failed recipient of a DSN becomes a Bounce, an ARF report a Complaint, recorded for the
**sending** account through the same :class:`~openses.services.outcomes.OutcomeRecorder` the
delivery worker uses (events, statistics, suppression, notifications).

The same report twice changes nothing: each event carries a key made of the report's own
``Message-ID`` (or, without one, a digest of its bytes) and the recipient, and the store keeps
one event per key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openses.domain.delivery.replies import (
    BounceSubType,
    BounceType,
    Disposition,
    classify_dsn_fields,
)
from openses.domain.events.facts import BouncedRecipient, BounceEvent, ComplaintEvent, feedback_id
from openses.domain.feedback.arf import FeedbackReport, parse_arf
from openses.domain.feedback.dsn import DeliveryStatusNotification, parse_dsn
from openses.domain.feedback.reports import ReportProblem
from openses.domain.feedback.return_path import message_id_from_return_path
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.services.outcomes import OutcomeRecorder
from openses.services.ports import Store, Tx

log = logging.getLogger("openses.feedback")


@dataclass(frozen=True, slots=True)
class Taken:
    """What one incoming report did: events recorded (0 for a repeat or an unknown message)."""

    kind: str  # "bounce", "complaint", or "ignored"
    message_id: str | None
    recorded: int


def return_path_message(address: str) -> str | None:
    """The message id of a return path at any domain we receive feedback for."""
    domain = address.rpartition("@")[2]
    return message_id_from_return_path(address, domain) if domain else None


class FeedbackService:
    def __init__(self, store: Store, recorder: OutcomeRecorder) -> None:
        self.store = store
        self.recorder = recorder

    def accepts(self, recipient: str) -> bool:
        """Whether the listener should take mail for ``recipient`` (a return path of ours)."""
        return return_path_message(recipient) is not None

    async def take(self, recipients: Sequence[str], data: bytes, now: datetime) -> Taken:
        envelope = recipients[0] if recipients else None
        domain = envelope.rpartition("@")[2] if envelope else None
        report: DeliveryStatusNotification | FeedbackReport | ReportProblem = parse_arf(
            data, envelope, domain
        )
        if isinstance(report, ReportProblem):
            report = parse_dsn(data, envelope, domain)
        message_id = report.ses_message_id
        if isinstance(report, ReportProblem) or message_id is None:
            log.info("feedback for %s not understood: %s", envelope, _reason(report))
            return Taken("ignored", message_id, 0)
        key = report.message_id or hashlib.sha256(data).hexdigest()
        async with self.store.transaction() as tx:
            message = await tx.get_message(message_id)
            if message is None or message.kind is not MessageKind.SEND:
                log.info("feedback for unknown message %s", message_id)
                return Taken("ignored", message_id, 0)
            if isinstance(report, FeedbackReport):
                recorded = await self._complaint(tx, message, report, key, now)
                return Taken("complaint", message_id, recorded)
            recorded = await self._bounces(tx, message, report, key, now)
            return Taken("bounce", message_id, recorded)

    async def _complaint(
        self, tx: Tx, message: CapturedMessage, report: FeedbackReport, key: str, now: datetime
    ) -> int:
        recipients = _ours(message, report.original_rcpt_to) or _ours(
            message, report.original.to if report.original is not None else ()
        )
        if not recipients:
            recipients = list(message.recipients)
        event = ComplaintEvent(
            recipients=tuple(recipients),
            timestamp=now,
            feedback_id=feedback_id(message.message_id, now, f"complaint:{key}"),
            complaint_feedback_type=report.feedback_type,
            user_agent=report.user_agent,
            arrival_date=report.arrival_date,
        )
        recorded = await self.recorder.complaint(
            tx,
            message,
            event,
            now,
            dedupe_key=_dedupe("arf", key, ""),
        )
        return int(recorded)

    async def _bounces(
        self,
        tx: Tx,
        message: CapturedMessage,
        report: DeliveryStatusNotification,
        key: str,
        now: datetime,
    ) -> int:
        recorded = 0
        for entry in report.recipients:
            address = entry.final_recipient or entry.original_recipient
            mine = _ours(message, (address,) if address else ())
            if not mine:
                continue
            judged = classify_dsn_fields(entry.action, entry.status, entry.diagnostic_code)
            if judged.disposition is not Disposition.FAILED:
                continue  # delayed, delivered, relayed: nothing to record as a bounce
            event = BounceEvent(
                bounce_type=str(judged.bounce_type or BounceType.UNDETERMINED),
                bounce_subtype=str(judged.bounce_subtype or BounceSubType.UNDETERMINED),
                recipients=(
                    BouncedRecipient(
                        mine[0],
                        entry.action or "failed",
                        str(judged.status) if judged.status is not None else entry.status,
                        entry.diagnostic_code,
                    ),
                ),
                timestamp=now,
                feedback_id=feedback_id(message.message_id, now, f"bounce:{key}:{mine[0]}"),
                reporting_mta=report.reporting_mta,
            )
            if await self.recorder.bounce(
                tx,
                message,
                event,
                now,
                dedupe_key=_dedupe("dsn", key, mine[0]),
            ):
                recorded += 1
        return recorded


def _ours(message: CapturedMessage, addresses: Sequence[str]) -> list[str]:
    """The message's own recipients among ``addresses`` (compared without case), as sent."""
    by_lower = {recipient.lower(): recipient for recipient in message.recipients}
    found = [by_lower[a.lower()] for a in addresses if a and a.lower() in by_lower]
    return list(dict.fromkeys(found))


def _dedupe(kind: str, key: str, recipient: str) -> str:
    """A bounded key for the store's unique column: the report and recipient, digested."""
    digest = hashlib.sha256(f"{key}\x00{recipient.lower()}".encode()).hexdigest()
    return f"{kind}:{digest}"


def _reason(report: object) -> str:
    return report.reason if isinstance(report, ReportProblem) else "no message id"
