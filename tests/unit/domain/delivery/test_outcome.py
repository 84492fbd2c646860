"""Deciding each recipient of an attempt: delivered, deferred, bounced, expired, suppressed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openses.domain.delivery import (
    ACCOUNT_SUPPRESSED_DIAGNOSTIC,
    DEFAULT_SCHEDULE,
    SUPPRESSED_DIAGNOSTIC,
    Bounced,
    BounceSubType,
    BounceType,
    ConnectionFailure,
    Deferred,
    DelayType,
    Delivered,
    FailureKind,
    RemoteMta,
    Replied,
    RetrySchedule,
    SmtpReply,
    Unreachable,
    decide,
    decide_one,
    expire,
    expiry_diagnostic,
    suppressed,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MX = RemoteMta("mx1.example.net", "192.0.2.10")
HOST = "a1-2.smtp-out.openses.example"


def one(result: Replied | Unreachable, *, attempts: int = 1, now: datetime = T0):
    return decide_one(
        result, attempts=attempts, first_attempt_at=T0, now=now, jitter=0.5, reporting_mta=HOST
    )


def replied(code: int, message: str, recipient: str = "r@example.net") -> Replied:
    return Replied(recipient, SmtpReply.of(code, message), MX)


def test_delivered() -> None:
    outcome = one(replied(250, "2.6.0 Message received"))
    assert outcome == Delivered(
        recipient="r@example.net",
        timestamp=T0,
        smtp_response="250 2.6.0 Message received",
        reporting_mta=HOST,
        remote_mta="mx1.example.net",
        remote_mta_ip="192.0.2.10",
    )


def test_hard_bounce() -> None:
    outcome = one(replied(550, "5.1.1 user unknown"))
    assert outcome == Bounced(
        recipient="r@example.net",
        timestamp=T0,
        bounce_type=BounceType.PERMANENT,
        bounce_subtype=BounceSubType.GENERAL,
        status="5.1.1",
        diagnostic_code="smtp; 550 5.1.1 user unknown",
        reporting_mta=f"dns; {HOST}",
        remote_mta="mx1.example.net",
        remote_mta_ip="192.0.2.10",
    )
    assert outcome.action == "failed"
    assert not outcome.expired


def test_permanent_mailbox_full_is_a_transient_bounce_at_once() -> None:
    outcome = one(replied(552, "5.2.2 over quota"))
    assert isinstance(outcome, Bounced)
    assert (outcome.bounce_type, outcome.bounce_subtype) == (
        BounceType.TRANSIENT,
        BounceSubType.MAILBOX_FULL,
    )
    assert outcome.status == "5.2.2"


def test_deferred() -> None:
    outcome = one(replied(452, "4.2.2 Mailbox full"), attempts=3, now=T0 + timedelta(minutes=3))
    assert outcome == Deferred(
        recipient="r@example.net",
        timestamp=T0 + timedelta(minutes=3),
        run_at=T0 + timedelta(minutes=8),
        expiration_time=T0 + timedelta(minutes=840),
        delay_type=DelayType.MAILBOX_FULL,
        status="4.2.2",
        diagnostic_code="smtp; 452 4.2.2 Mailbox full",
        expiry_subtype=BounceSubType.MAILBOX_FULL,
        reporting_mta=HOST,
        remote_mta="mx1.example.net",
        remote_mta_ip="192.0.2.10",
    )


def test_connection_failure_is_deferred_without_a_remote() -> None:
    failure = ConnectionFailure(FailureKind.CONNECTION_TIMEOUT, "example.net")
    outcome = one(Unreachable("r@example.net", failure))
    assert isinstance(outcome, Deferred)
    assert outcome.delay_type is DelayType.TRANSIENT_COMMUNICATION_FAILURE
    assert outcome.diagnostic_code == "smtp; 421 4.4.2 Connection timed out"
    assert outcome.status == "4.4.2"
    assert outcome.remote_mta is None
    assert outcome.remote_mta_ip is None
    assert outcome.run_at == T0 + timedelta(minutes=1)


def test_no_such_domain_bounces_at_once() -> None:
    failure = ConnectionFailure(FailureKind.NO_SUCH_DOMAIN, "example.invalid")
    outcome = one(Unreachable("r@example.invalid", failure))
    assert isinstance(outcome, Bounced)
    assert (outcome.bounce_type, outcome.bounce_subtype) == (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
    )
    assert outcome.diagnostic_code == "smtp; 550 5.1.2 Domain example.invalid does not exist"


@pytest.mark.parametrize(
    ("code", "message", "subtype", "last"),
    [
        (
            452,
            "4.2.2 The recipient's inbox is out of storage space.",
            BounceSubType.MAILBOX_FULL,
            "452 4.2.2 The recipient's inbox is out of storage space.",
        ),
        (
            421,
            "4.4.2 Connection timed out",
            BounceSubType.GENERAL,
            "421 4.4.2 Connection timed out",
        ),
        (451, "4.7.1 spam content", BounceSubType.CONTENT_REJECTED, "451 4.7.1 spam content"),
        (
            452,
            "4.3.4 Message size exceeds limit",
            BounceSubType.MESSAGE_TOO_LARGE,
            "452 4.3.4 Message size exceeds limit",
        ),
        (
            450,
            "4.1.1 unverified: user unknown",
            BounceSubType.GENERAL,
            "450 4.1.1 unverified: user unknown",
        ),
    ],
)
def test_temporary_failure_at_the_deadline_expires(
    code: int, message: str, subtype: BounceSubType, last: str
) -> None:
    outcome = one(replied(code, message), attempts=20, now=T0 + timedelta(minutes=840))
    assert outcome == Bounced(
        recipient="r@example.net",
        timestamp=T0 + timedelta(minutes=840),
        bounce_type=BounceType.TRANSIENT,
        bounce_subtype=subtype,
        status="4.4.7",
        diagnostic_code=(
            f"smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<{last}>"
        ),
        reporting_mta=f"dns; {HOST}",
        remote_mta="mx1.example.net",
        remote_mta_ip="192.0.2.10",
        expired=True,
    )


def test_expire_a_deferred_recipient() -> None:
    deferred = one(replied(421, "4.7.0 Try again later"))
    assert isinstance(deferred, Deferred)
    late = T0 + timedelta(hours=15)
    bounced = expire(deferred, now=late)
    assert bounced.expired
    assert bounced.timestamp == late
    assert bounced.bounce_type is BounceType.TRANSIENT
    assert bounced.bounce_subtype is BounceSubType.GENERAL
    assert bounced.diagnostic_code == (
        "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes."
        "<421 4.7.0 Try again later>"
    )


@pytest.mark.parametrize(
    ("last", "minutes", "expected"),
    [
        ("smtp; 421 4.4.2 Connection timed out", 840, "<421 4.4.2 Connection timed out>"),
        ("SMTP; 421 x", 60, "<421 x>"),
        ("X-Postfix; no route", 840, "<X-Postfix; no route>"),
        ("", 840, "<>"),
    ],
)
def test_expiry_diagnostic(last: str, minutes: int, expected: str) -> None:
    schedule = RetrySchedule(max_age=timedelta(minutes=minutes))
    assert expiry_diagnostic(last, schedule) == (
        f"smtp; 554 4.4.7 Message expired: unable to deliver in {minutes} minutes.{expected}"
    )


def test_a_shorter_max_delivery_time_shows_in_the_expiry_text() -> None:
    schedule = RetrySchedule.for_max_delivery_seconds(600)
    outcome = decide_one(
        replied(421, "4.4.2 timeout"),
        attempts=4,
        first_attempt_at=T0,
        now=T0 + timedelta(minutes=10),
        jitter=0.5,
        reporting_mta=HOST,
        schedule=schedule,
    )
    assert isinstance(outcome, Bounced)
    assert "unable to deliver in 10 minutes." in outcome.diagnostic_code


def test_decide_keeps_order_and_handles_mixed_results() -> None:
    results: list[Replied | Unreachable] = [
        replied(250, "2.0.0 ok", "a@example.net"),
        replied(550, "5.1.1 no such user", "b@example.net"),
        replied(451, "4.3.0 try later", "c@example.net"),
        Unreachable("d@example.net", ConnectionFailure(FailureKind.TLS_FAILURE), MX),
    ]
    outcomes = decide(
        results, attempts=1, first_attempt_at=T0, now=T0, jitter=0.0, reporting_mta=HOST
    )
    assert [type(outcome) for outcome in outcomes] == [Delivered, Bounced, Deferred, Deferred]
    assert [outcome.recipient for outcome in outcomes] == [r.recipient for r in results]
    deferred = outcomes[3]
    assert isinstance(deferred, Deferred)
    assert deferred.remote_mta_ip == "192.0.2.10"
    assert deferred.run_at == T0 + timedelta(seconds=54)  # 1 minute less 10% jitter


def test_decide_with_no_results() -> None:
    assert decide([], attempts=1, first_attempt_at=T0, now=T0, jitter=0.0, reporting_mta=HOST) == []


@pytest.mark.parametrize(
    ("account_level", "subtype", "diagnostic"),
    [
        (False, BounceSubType.SUPPRESSED, SUPPRESSED_DIAGNOSTIC),
        (True, BounceSubType.ON_ACCOUNT_SUPPRESSION_LIST, ACCOUNT_SUPPRESSED_DIAGNOSTIC),
    ],
)
def test_suppressed(account_level: bool, subtype: BounceSubType, diagnostic: str) -> None:
    bounced = suppressed(
        "x@example.net", account_level=account_level, now=T0, reporting_mta="amazonses.com"
    )
    assert bounced == Bounced(
        recipient="x@example.net",
        timestamp=T0,
        bounce_type=BounceType.PERMANENT,
        bounce_subtype=subtype,
        status="5.1.1",
        diagnostic_code=diagnostic,
        reporting_mta="dns; amazonses.com",
    )
    assert diagnostic.startswith("Amazon SES ")


def test_schedule_default_is_used() -> None:
    outcome = one(replied(421, "x"), attempts=7)
    assert isinstance(outcome, Deferred)
    assert outcome.run_at == T0 + DEFAULT_SCHEDULE.wait(7, 0.5)
