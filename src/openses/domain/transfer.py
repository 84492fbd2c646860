"""What a transport is given: envelopes, and the per-recipient answer for all of one envelope.

A transport never raises for a remote problem; it answers, per recipient, what the receiving
side said (:class:`~openses.domain.delivery.outcome.Replied`) or why nobody could be asked
(:class:`~openses.domain.delivery.outcome.Unreachable`), and
:func:`~openses.domain.delivery.outcome.decide` turns those into SES outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

from openses.domain.delivery.failures import ConnectionFailure
from openses.domain.delivery.outcome import AttemptResult, RemoteMta, Replied, Unreachable
from openses.domain.delivery.status import SmtpReply

Results = dict[str, list[AttemptResult]]
"""Envelope key -> one result per recipient, in the envelope's order."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message to hand over: ``key`` names it for the caller (a delivery job)."""

    key: str
    mail_from: str
    recipients: tuple[str, ...]
    data: bytes


def replied_all(envelope: Envelope, reply: SmtpReply, mta: RemoteMta) -> list[AttemptResult]:
    """The same reply for every recipient of ``envelope``."""
    return [Replied(recipient, reply, mta) for recipient in envelope.recipients]


def unreachable_all(
    envelope: Envelope, failure: ConnectionFailure, mta: RemoteMta | None = None
) -> list[AttemptResult]:
    """The same failure for every recipient of ``envelope``."""
    return [Unreachable(recipient, failure, mta) for recipient in envelope.recipients]
