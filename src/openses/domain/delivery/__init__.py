"""Delivery outcomes as SES reports them: pure rules, no I/O, no clock, no randomness.

``status`` parses SMTP replies and enhanced status codes; ``replies`` classifies a reply or a
DSN's status fields into SES's bounce type/subtype or DeliveryDelay type; ``failures`` does the
same for failures that left no reply; ``retry`` is the retry schedule; ``outcome`` decides each
recipient of an attempt (delivered, deferred, bounced, expired); ``simulator`` is the SES
mailbox simulator.
"""

from __future__ import annotations

from openses.domain.delivery.failures import ConnectionFailure, FailureKind, classify_failure
from openses.domain.delivery.outcome import (
    ACCOUNT_SUPPRESSED_DIAGNOSTIC,
    SUPPRESSED_DIAGNOSTIC,
    AttemptResult,
    Bounced,
    Deferred,
    Delivered,
    Outcome,
    RemoteMta,
    Replied,
    Unreachable,
    decide,
    decide_one,
    expire,
    expiry_diagnostic,
    suppressed,
)
from openses.domain.delivery.replies import (
    BounceSubType,
    BounceType,
    DelayType,
    Disposition,
    Reason,
    Verdict,
    classify_dsn_fields,
    classify_reply,
)
from openses.domain.delivery.retry import (
    DEFAULT_SCHEDULE,
    RetrySchedule,
    next_attempt,
)
from openses.domain.delivery.simulator import (
    Scenario,
    SimulatedBounce,
    SimulatedOutcome,
    is_simulator_address,
    simulate,
)
from openses.domain.delivery.status import EnhancedStatus, SmtpReply, parse_reply
from openses.domain.sending import SIMULATOR_DOMAIN

__all__ = [
    "ACCOUNT_SUPPRESSED_DIAGNOSTIC",
    "DEFAULT_SCHEDULE",
    "SIMULATOR_DOMAIN",
    "SUPPRESSED_DIAGNOSTIC",
    "AttemptResult",
    "BounceSubType",
    "BounceType",
    "Bounced",
    "ConnectionFailure",
    "Deferred",
    "DelayType",
    "Delivered",
    "Disposition",
    "EnhancedStatus",
    "FailureKind",
    "Outcome",
    "Reason",
    "RemoteMta",
    "Replied",
    "RetrySchedule",
    "Scenario",
    "SimulatedBounce",
    "SimulatedOutcome",
    "SmtpReply",
    "Unreachable",
    "Verdict",
    "classify_dsn_fields",
    "classify_failure",
    "classify_reply",
    "decide",
    "decide_one",
    "expire",
    "expiry_diagnostic",
    "is_simulator_address",
    "next_attempt",
    "parse_reply",
    "simulate",
    "suppressed",
]
