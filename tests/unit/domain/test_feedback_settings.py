"""Feedback settings, MAIL FROM setups and suppression: the pure rules, as tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from openses.domain.feedback_settings import (
    DEFAULT_FEEDBACK_SETTINGS,
    MAIL_FROM_DETECTION_WINDOW,
    BehaviorOnMxFailure,
    FeedbackSettingError,
    IdentityFeedbackSettings,
    MailFromSettings,
    MailFromStatus,
    MxOutcome,
    NotificationType,
    Suppression,
    SuppressionReason,
    check_mail_from_domain,
    check_topic_arn,
    feedback_mx_host,
    forwards_by_email,
    governing_identity,
    mail_from_decision,
    mx_outcome,
    suppresses,
    suppression_address,
)

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BOUNCE, COMPLAINT, DELIVERY = NotificationType
TOPIC = "arn:aws:sns:us-east-1:123456789012:feedback"
BOTH = IdentityFeedbackSettings(bounce_topic=TOPIC, complaint_topic=TOPIC)

# ------------------------------------------------------------------------- topic ARNs


@pytest.mark.parametrize(
    "arn",
    [
        TOPIC,
        "arn:aws:sns:us-east-1:888888888888:Delegate_Topic-1",  # another account's topic
        "arn:aws:sns:us-east-1:123456789012:" + "t" * 256,
    ],
    ids=["own", "other-account", "longest-name"],
)
def test_topics_in_the_region_are_accepted(arn: str) -> None:
    assert check_topic_arn(arn, "us-east-1") == arn


@pytest.mark.parametrize(
    ("arn", "says"),
    [
        ("feedback", "Invalid SNS topic ARN"),
        ("arn:aws:sns:us-east-1:1234:feedback", "Invalid SNS topic ARN"),
        ("arn:aws:sqs:us-east-1:123456789012:feedback", "Invalid SNS topic ARN"),
        ("arn:aws:sns:us-east-1:123456789012:feedback.fifo", "Invalid SNS topic ARN"),
        ("arn:aws:sns:us-east-1:123456789012:" + "t" * 257, "Invalid SNS topic ARN"),
        ("arn:aws:sns:us-east-1:123456789012:a:b", "Invalid SNS topic ARN"),
        ("arn:aws:sns:eu-west-1:123456789012:feedback", "identity's region, us-east-1"),
    ],
    ids=["name", "short-account", "sqs", "fifo", "long-name", "subscription", "other-region"],
)
def test_topics_that_are_refused(arn: str, says: str) -> None:
    with pytest.raises(FeedbackSettingError, match=says):
        check_topic_arn(arn, "us-east-1")


# ------------------------------------------------------------- notification settings


def test_defaults_are_no_topics_and_forwarding_on() -> None:
    assert [DEFAULT_FEEDBACK_SETTINGS.topic(kind) for kind in NotificationType] == [None] * 3
    assert DEFAULT_FEEDBACK_SETTINGS.forwarding_enabled
    assert not any(DEFAULT_FEEDBACK_SETTINGS.headers_included(kind) for kind in NotificationType)


@pytest.mark.parametrize("kind", list(NotificationType), ids=lambda k: k.value)
def test_setting_a_topic_touches_only_its_type(kind: NotificationType) -> None:
    changed = DEFAULT_FEEDBACK_SETTINGS.with_topic(kind, TOPIC)
    assert [changed.topic(k) for k in NotificationType] == [
        TOPIC if k is kind else None for k in NotificationType
    ]
    assert changed.forwarding_enabled


@pytest.mark.parametrize(
    ("cleared", "forwarding_after"),
    [(BOUNCE, True), (COMPLAINT, True), (DELIVERY, False)],
    ids=["bounce", "complaint", "delivery"],
)
def test_clearing_a_topic_stops_its_headers_and_may_restore_forwarding(
    cleared: NotificationType, forwarding_after: bool
) -> None:
    settings = IdentityFeedbackSettings(TOPIC, TOPIC, TOPIC, False, True, True, True)
    changed = settings.with_topic(cleared, None)
    assert changed.topic(cleared) is None
    assert not changed.headers_included(cleared)
    assert all(changed.headers_included(k) for k in NotificationType if k is not cleared)
    assert changed.forwarding_enabled is forwarding_after


@pytest.mark.parametrize("kind", list(NotificationType), ids=lambda k: k.value)
def test_headers_need_a_topic_of_their_type(kind: NotificationType) -> None:
    with pytest.raises(
        FeedbackSettingError, match=f"when an Amazon SNS topic is set for {kind.value}"
    ):
        DEFAULT_FEEDBACK_SETTINGS.with_headers(kind, True)
    assert not DEFAULT_FEEDBACK_SETTINGS.with_headers(kind, False).headers_included(kind)
    with_topic = DEFAULT_FEEDBACK_SETTINGS.with_topic(kind, TOPIC)
    assert with_topic.with_headers(kind, True).headers_included(kind)


@pytest.mark.parametrize(
    ("settings", "topics_required", "allowed"),
    [
        (DEFAULT_FEEDBACK_SETTINGS, True, False),
        (IdentityFeedbackSettings(bounce_topic=TOPIC), True, False),
        (IdentityFeedbackSettings(complaint_topic=TOPIC, delivery_topic=TOPIC), True, False),
        (BOTH, True, True),
        (DEFAULT_FEEDBACK_SETTINGS, False, True),  # v2: event destinations may carry feedback
    ],
    ids=["none-v1", "bounce-only-v1", "complaint-delivery-v1", "both-v1", "none-v2"],
)
def test_turning_forwarding_off(
    settings: IdentityFeedbackSettings, topics_required: bool, allowed: bool
) -> None:
    if allowed:
        assert not settings.with_forwarding(
            False, topics_required=topics_required
        ).forwarding_enabled
    else:
        with pytest.raises(FeedbackSettingError, match="both Bounce and Complaint"):
            settings.with_forwarding(False, topics_required=topics_required)
    assert settings.with_forwarding(True, topics_required=topics_required).forwarding_enabled


@pytest.mark.parametrize(
    ("settings", "kind", "event_destination", "forwarded"),
    [
        (DEFAULT_FEEDBACK_SETTINGS, BOUNCE, False, True),
        (BOTH, BOUNCE, True, True),  # forwarding on: always, besides the topics
        (replace(BOTH, forwarding_enabled=False), BOUNCE, False, False),
        (replace(BOTH, forwarding_enabled=False), COMPLAINT, False, False),
        (IdentityFeedbackSettings(forwarding_enabled=False), BOUNCE, False, True),  # safety net
        (IdentityFeedbackSettings(forwarding_enabled=False), COMPLAINT, True, False),
        (
            IdentityFeedbackSettings(bounce_topic=TOPIC, forwarding_enabled=False),
            COMPLAINT,
            False,
            True,
        ),
        (DEFAULT_FEEDBACK_SETTINGS, DELIVERY, False, False),  # deliveries: SNS only
    ],
    ids=[
        "default",
        "on-with-topics",
        "off-bounce-topic",
        "off-complaint-topic",
        "off-nothing-else",
        "off-event-destination",
        "off-no-complaint-topic",
        "delivery",
    ],
)
def test_forwarding_by_email_and_the_safety_net(
    settings: IdentityFeedbackSettings,
    kind: NotificationType,
    event_destination: bool,
    forwarded: bool,
) -> None:
    assert forwards_by_email(settings, kind, event_destination=event_destination) is forwarded


@pytest.mark.parametrize(
    ("address", "verified", "governing"),
    [
        ("a@example.com", {"a@example.com", "example.com"}, "a@example.com"),
        ("b@example.com", {"a@example.com", "example.com"}, "example.com"),
        ("a+tag@example.com", {"a@example.com", "example.com"}, "a@example.com"),
        ("a@mail.example.com", {"example.com"}, "example.com"),
        ("a@mail.example.com", {"mail.example.com", "example.com"}, "mail.example.com"),
        ("a@Example.COM", {"example.com"}, "example.com"),
        ("a@other.example", {"example.com"}, None),
        ("not-an-address", {"example.com"}, None),
    ],
    ids=[
        "address-identity",
        "domain",
        "plus-label",
        "parent-domain",
        "subdomain-identity",
        "domain-case",
        "uncovered",
        "no-at",
    ],
)
def test_the_governing_identity(address: str, verified: set[str], governing: str | None) -> None:
    assert governing_identity(address, verified) == governing


# ------------------------------------------------------------------------ MAIL FROM


@pytest.mark.parametrize(
    ("identity", "domain", "stored"),
    [
        ("example.com", "mail.example.com", "mail.example.com"),
        ("example.com", "Bounce.Mail.Example.COM.", "bounce.mail.example.com"),
        ("sender@example.com", "mail.example.com", "mail.example.com"),
        ("sub.example.com", "m.sub.example.com", "m.sub.example.com"),
    ],
    ids=["domain", "case-and-dot", "address-identity", "subdomain-identity"],
)
def test_mail_from_domains_accepted(identity: str, domain: str, stored: str) -> None:
    assert check_mail_from_domain(identity, domain) == stored


@pytest.mark.parametrize(
    ("identity", "domain"),
    [
        ("example.com", "example.com"),
        ("example.com", "mail.example.org"),
        ("example.com", "mailexample.com"),
        ("sender@example.com", "example.com"),
        ("sub.example.com", "mail.example.com"),
        ("example.com", "bad_label.example.com"),
        ("example.com", "-x.example.com"),
        ("example.com", "a..example.com"),
    ],
    ids=[
        "itself",
        "other",
        "suffix-only",
        "address-domain",
        "sibling",
        "underscore",
        "hyphen",
        "empty-label",
    ],
)
def test_mail_from_domains_refused(identity: str, domain: str) -> None:
    with pytest.raises(
        FeedbackSettingError, match="is not subdomain of the domain of the identity"
    ):
        check_mail_from_domain(identity, domain)


@pytest.mark.parametrize(
    ("records", "outcome"),
    [
        ([(10, "feedback-smtp.us-east-1.openses.test")], MxOutcome.FOUND),
        ([(0, "FEEDBACK-SMTP.us-east-1.openses.test.")], MxOutcome.FOUND),
        ([], MxOutcome.NOT_FOUND),
        ([(10, "mx.example.com")], MxOutcome.NOT_FOUND),
        (
            [(10, "feedback-smtp.us-east-1.openses.test"), (20, "mx.example.com")],
            MxOutcome.NOT_FOUND,
        ),
        ([(10, "feedback-smtp.eu-west-1.openses.test")], MxOutcome.NOT_FOUND),
    ],
    ids=["one", "case-dot", "none", "other-host", "two", "other-region"],
)
def test_exactly_one_mx_naming_the_feedback_host(
    records: list[tuple[int, str]], outcome: MxOutcome
) -> None:
    host = feedback_mx_host("feedback-smtp.{region}.openses.test", "us-east-1")
    assert mx_outcome(records, host) is outcome


def _setup(status: MailFromStatus, started: datetime = T0) -> MailFromSettings:
    return MailFromSettings(
        "111122223333", "us-east-1", "example.com", "mail.example.com",
        BehaviorOnMxFailure.USE_DEFAULT_VALUE, status, started, None,
    )  # fmt: skip


LATER = T0 + timedelta(hours=1)
EXPIRED = T0 + MAIL_FROM_DETECTION_WINDOW
P, S, F, TF = MailFromStatus
FOUND, NOT_FOUND, LOOKUP_FAILED = MxOutcome


@pytest.mark.parametrize(
    ("status", "outcome", "now", "after", "window_from"),
    [
        (P, FOUND, LATER, S, T0),
        (P, NOT_FOUND, LATER, P, T0),
        (P, LOOKUP_FAILED, LATER, TF, T0),
        (P, NOT_FOUND, EXPIRED, F, T0),
        (P, FOUND, EXPIRED, S, T0),
        (TF, FOUND, LATER, S, T0),
        (TF, NOT_FOUND, LATER, TF, T0),
        (TF, LOOKUP_FAILED, EXPIRED, F, T0),
        (S, FOUND, EXPIRED, S, T0),
        (S, NOT_FOUND, EXPIRED, TF, EXPIRED),  # the record went away: a new 72-hour window
        (S, LOOKUP_FAILED, LATER, TF, LATER),
        (F, FOUND, LATER, F, T0),  # failed setups are not looked at again
    ],
    ids=[
        "pending-found",
        "pending-missing",
        "pending-dns-down",
        "pending-expired",
        "pending-found-late",
        "tempfail-found",
        "tempfail-missing",
        "tempfail-expired",
        "success-found",
        "success-lost",
        "success-dns-down",
        "failed",
    ],
)
def test_mail_from_status_after_a_lookup(
    status: MailFromStatus,
    outcome: MxOutcome,
    now: datetime,
    after: MailFromStatus,
    window_from: datetime,
) -> None:
    checked = _setup(status).checked(outcome, now)
    assert (checked.status, checked.window_started_at) == (after, window_from)
    assert checked.checked_at == (None if status is F else now)


def test_configuring_restarts_only_what_needs_it() -> None:
    none = MailFromSettings("111122223333", "us-east-1", "example.com", None)
    reject = BehaviorOnMxFailure.REJECT_MESSAGE
    fresh = none.configured("mail.example.com", reject, LATER)
    assert (fresh.status, fresh.window_started_at, fresh.behavior) == (P, LATER, reject)
    same = _setup(S).configured("mail.example.com", reject, LATER)
    assert (same.status, same.window_started_at, same.behavior) == (S, T0, reject)
    retried = _setup(F).configured("mail.example.com", reject, LATER)
    assert (retried.status, retried.window_started_at) == (P, LATER)
    moved = _setup(S).configured("bounce.example.com", reject, LATER)
    assert (moved.domain, moved.status, moved.window_started_at) == ("bounce.example.com", P, LATER)
    off = _setup(S).configured(None, reject, LATER)
    assert (off.domain, off.status, off.window_started_at, off.behavior) == (
        None,
        None,
        None,
        reject,
    )


@pytest.mark.parametrize(
    ("settings", "decision"),
    [
        (None, (None, False)),
        (MailFromSettings("1", "r", "example.com", None), (None, False)),
        (_setup(S), ("mail.example.com", False)),
        (_setup(P), (None, False)),
        (_setup(TF), (None, False)),
        (replace(_setup(P), behavior=BehaviorOnMxFailure.REJECT_MESSAGE), (None, True)),
        (replace(_setup(F), behavior=BehaviorOnMxFailure.REJECT_MESSAGE), (None, True)),
        (
            replace(_setup(S), behavior=BehaviorOnMxFailure.REJECT_MESSAGE),
            ("mail.example.com", False),
        ),
    ],
    ids=[
        "none",
        "off",
        "success",
        "pending",
        "tempfail",
        "pending-reject",
        "failed-reject",
        "success-reject",
    ],
)
def test_mail_from_decision(
    settings: MailFromSettings | None, decision: tuple[str | None, bool]
) -> None:
    assert mail_from_decision(settings) == decision


# ---------------------------------------------------------------------- suppression


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Reader@Example.COM", "Reader@example.com"),
        ("  reader@example.com ", "reader@example.com"),
        ('"a@b"@example.com', '"a@b"@example.com'),
    ],
    ids=["domain-lowered", "trimmed", "quoted-local"],
)
def test_suppression_keys(text: str, key: str) -> None:
    assert suppression_address(text) == key


@pytest.mark.parametrize(
    "text", ["", "reader", "@example.com", "reader@", "a b@example.com", "a\x00@example.com"]
)
def test_suppression_addresses_refused(text: str) -> None:
    with pytest.raises(FeedbackSettingError, match="Invalid email address"):
        suppression_address(text)


@pytest.mark.parametrize(
    ("reason", "reasons", "held_back"),
    [
        (SuppressionReason.BOUNCE, {SuppressionReason.BOUNCE, SuppressionReason.COMPLAINT}, True),
        (SuppressionReason.COMPLAINT, {SuppressionReason.BOUNCE}, False),
        (SuppressionReason.BOUNCE, set(), False),
    ],
    ids=["enabled", "other-reason", "disabled"],
)
def test_suppresses_only_for_the_accounts_reasons(
    reason: SuppressionReason, reasons: set[SuppressionReason], held_back: bool
) -> None:
    entry = Suppression("111122223333", "us-east-1", "r@example.com", reason, T0)
    assert suppresses(entry, reasons) is held_back
    assert not suppresses(None, reasons)
