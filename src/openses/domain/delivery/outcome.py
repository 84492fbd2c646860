"""One delivery attempt's per-recipient results, decided: delivered, deferred, or bounced.

The transport reports, per recipient, either the remote's reply (to RCPT TO or to the end of
DATA) with the MTA it came from, or a failure that left no reply. ``decide`` turns each into
what SES would report (developer guide, notification-contents.md and
event-publishing-retrieving-sns-contents.md):

* ``Delivered`` -- the Delivery object: ``smtpResponse`` (``250 2.6.0 Message received``),
  ``reportingMTA`` (our host name, bare), ``remoteMtaIp``.
* ``Deferred`` -- a DeliveryDelay: ``delayType``, ``status``, ``diagnosticCode``,
  ``expirationTime``, and when to try again (``run_at``, from ``retry``).
* ``Bounced`` -- the Bounce object: ``bounceType``, ``bounceSubType``, and per recipient
  ``action`` (``failed``), ``status`` (``5.1.1``) and ``diagnosticCode``
  (``smtp; 550 5.1.1 ...``); ``reportingMTA`` is ``dns; <our host>`` as in SES's bounces.

A temporary failure at or past the deadline is a ``Transient`` bounce in SES's own words:
status ``4.4.7``, ``smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<last
reply>``, its subtype the one the last temporary reply implies (``MailboxFull`` for a full
mailbox, else ``General`` ...). ``expire`` does the same for a deferred recipient whose deadline
passed before another attempt. ``suppressed`` is the bounce SES produces itself, without an
attempt, for an address on its global or the account's suppression list, in SES's words.
Nothing here reads a clock: ``now`` and ``jitter`` are arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from openses.domain.delivery.failures import ConnectionFailure, classify_failure
from openses.domain.delivery.replies import (
    BounceSubType,
    BounceType,
    DelayType,
    Disposition,
    Verdict,
    classify_reply,
)
from openses.domain.delivery.retry import DEFAULT_SCHEDULE, RetrySchedule
from openses.domain.delivery.status import SmtpReply

EXPIRED_STATUS = "4.4.7"
SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES has suppressed sending to this address because it has a recent history of "
    "bouncing as an invalid address. For more information about how to remove an address from "
    "the suppression list, see the Amazon SES Developer Guide: "
    "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html"
)
ACCOUNT_SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES did not send the message to this address because it is on the suppression list "
    "for your account. For more information about removing addresses from the suppression list, "
    "see the Amazon SES Developer Guide at "
    "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
)
SUPPRESSED_STATUS = "5.1.1"


# ------------------------------------------------------------------------------ attempt results


@dataclass(frozen=True, slots=True)
class RemoteMta:
    """The receiving MTA of an attempt: its host name (the MX) and the address connected to."""

    name: str
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class Replied:
    """The remote answered for this recipient: 2xx delivered, 4xx temporary, 5xx permanent."""

    recipient: str
    reply: SmtpReply
    mta: RemoteMta


@dataclass(frozen=True, slots=True)
class Unreachable:
    """No reply for this recipient: DNS, connection, TLS or protocol failure, or ours."""

    recipient: str
    failure: ConnectionFailure
    mta: RemoteMta | None = None


AttemptResult = Replied | Unreachable


# ------------------------------------------------------------------------------ outcomes


@dataclass(frozen=True, slots=True)
class Delivered:
    recipient: str
    timestamp: datetime
    smtp_response: str
    reporting_mta: str  # our host name
    remote_mta: str
    remote_mta_ip: str | None


@dataclass(frozen=True, slots=True)
class Deferred:
    recipient: str
    timestamp: datetime
    run_at: datetime
    expiration_time: datetime
    delay_type: DelayType
    status: str
    diagnostic_code: str
    expiry_subtype: BounceSubType  # the Transient subtype should this recipient expire
    reporting_mta: str  # our host name
    remote_mta: str | None
    remote_mta_ip: str | None


@dataclass(frozen=True, slots=True)
class Bounced:
    recipient: str
    timestamp: datetime
    bounce_type: BounceType
    bounce_subtype: BounceSubType
    status: str
    diagnostic_code: str
    reporting_mta: str  # "dns; <host>"
    remote_mta: str | None = None
    remote_mta_ip: str | None = None
    action: str = "failed"
    expired: bool = False


Outcome = Delivered | Deferred | Bounced


# ------------------------------------------------------------------------------ decisions


def decide(
    results: Iterable[AttemptResult],
    *,
    attempts: int,
    first_attempt_at: datetime,
    now: datetime,
    jitter: float,
    reporting_mta: str,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
) -> list[Outcome]:
    """Each recipient's outcome, in order. ``attempts`` counts this attempt (1 for the first)."""
    return [
        decide_one(
            result,
            attempts=attempts,
            first_attempt_at=first_attempt_at,
            now=now,
            jitter=jitter,
            reporting_mta=reporting_mta,
            schedule=schedule,
        )
        for result in results
    ]


def decide_one(
    result: AttemptResult,
    *,
    attempts: int,
    first_attempt_at: datetime,
    now: datetime,
    jitter: float,
    reporting_mta: str,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
) -> Outcome:
    if isinstance(result, Replied):
        judged = classify_reply(result.reply)
        mta: RemoteMta | None = result.mta
    else:
        judged = classify_failure(result.failure)
        mta = result.mta
    name = mta.name if mta is not None else None
    ip = mta.ip if mta is not None else None
    if judged.disposition is Disposition.DELIVERED:
        assert isinstance(result, Replied)  # a failure is never a delivery
        return Delivered(
            result.recipient, now, result.reply.wire, reporting_mta, result.mta.name, ip
        )
    status = str(judged.status)
    diagnostic = judged.diagnostic_code or ""
    if judged.disposition is Disposition.FAILED:
        return _bounce(
            result.recipient, judged, now, reporting_mta=reporting_mta, remote=name, ip=ip
        )
    run_at = schedule.next_attempt(attempts, first_attempt_at, now, jitter)
    assert judged.delay_type is not None
    assert judged.bounce_subtype is not None
    deferred = Deferred(
        recipient=result.recipient,
        timestamp=now,
        run_at=run_at or now,
        expiration_time=schedule.expires_at(first_attempt_at),
        delay_type=judged.delay_type,
        status=status,
        diagnostic_code=diagnostic,
        expiry_subtype=judged.bounce_subtype,
        reporting_mta=reporting_mta,
        remote_mta=name,
        remote_mta_ip=ip,
    )
    if run_at is None:
        return expire(deferred, now=now, schedule=schedule)
    return deferred


def _bounce(
    recipient: str,
    judged: Verdict,
    now: datetime,
    *,
    reporting_mta: str,
    remote: str | None,
    ip: str | None,
) -> Bounced:
    assert judged.bounce_type is not None
    assert judged.bounce_subtype is not None
    return Bounced(
        recipient=recipient,
        timestamp=now,
        bounce_type=judged.bounce_type,
        bounce_subtype=judged.bounce_subtype,
        status=str(judged.status),
        diagnostic_code=judged.diagnostic_code or "",
        reporting_mta=f"dns; {reporting_mta}",
        remote_mta=remote,
        remote_mta_ip=ip,
    )


def expiry_diagnostic(last_diagnostic: str, schedule: RetrySchedule = DEFAULT_SCHEDULE) -> str:
    """SES's expiry text around the last temporary reply (without its ``smtp;`` type)."""
    kind, separator, rest = last_diagnostic.partition(";")
    last = rest.strip() if separator and kind.strip().lower() == "smtp" else last_diagnostic
    return (
        f"smtp; 554 {EXPIRED_STATUS} Message expired: unable to deliver in "
        f"{schedule.max_age_minutes} minutes.<{last}>"
    )


def expire(
    deferred: Deferred, *, now: datetime, schedule: RetrySchedule = DEFAULT_SCHEDULE
) -> Bounced:
    """The ``Transient`` bounce of a deferred recipient whose time ran out."""
    return Bounced(
        recipient=deferred.recipient,
        timestamp=now,
        bounce_type=BounceType.TRANSIENT,
        bounce_subtype=deferred.expiry_subtype,
        status=EXPIRED_STATUS,
        diagnostic_code=expiry_diagnostic(deferred.diagnostic_code, schedule),
        reporting_mta=f"dns; {deferred.reporting_mta}",
        remote_mta=deferred.remote_mta,
        remote_mta_ip=deferred.remote_mta_ip,
        expired=True,
    )


def suppressed(
    recipient: str, *, account_level: bool, now: datetime, reporting_mta: str
) -> Bounced:
    """SES's bounce, without an attempt, for a suppressed address (global or the account's)."""
    return Bounced(
        recipient=recipient,
        timestamp=now,
        bounce_type=BounceType.PERMANENT,
        bounce_subtype=(
            BounceSubType.ON_ACCOUNT_SUPPRESSION_LIST if account_level else BounceSubType.SUPPRESSED
        ),
        status=SUPPRESSED_STATUS,
        diagnostic_code=ACCOUNT_SUPPRESSED_DIAGNOSTIC if account_level else SUPPRESSED_DIAGNOSTIC,
        reporting_mta=f"dns; {reporting_mta}",
    )
