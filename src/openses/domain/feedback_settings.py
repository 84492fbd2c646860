"""An identity's feedback settings, its custom MAIL FROM domain, and the suppression list.

Three groups of rules, all pure (times are arguments):

* **Notification settings** (SES v1 ``SetIdentityNotificationTopic`` and friends, v2
  ``PutEmailIdentityFeedbackAttributes``): an SNS topic per notification type, whether the
  original headers go into each type's notifications, and email feedback forwarding (on by
  default). A topic must be a standard SNS topic in the identity's region, of any account (a
  delegate's). Headers can only be switched on for a type that has a topic; v1 turns
  forwarding off only while both the Bounce and the Complaint topic are set, and clearing one
  of those topics turns forwarding back on (as SES does when a topic stops working).
* **Custom MAIL FROM** (``SetIdentityMailFromDomain``): a strict subdomain of the identity's
  domain whose only MX record names the operator's feedback host. Its status moves
  ``Pending`` → ``Success`` when the MX is found; a pending or temporarily failing setup that
  is not found within 72 hours is ``Failed`` (and no longer checked); a successful one whose
  record disappears is ``TemporaryFailure`` for 72 hours. Until ``Success`` a send either
  falls back to the default MAIL FROM (``UseDefaultValue``) or is refused
  (``RejectMessage`` → ``MailFromDomainNotVerified``).
* **Suppression** (the account-level list of SES v2): entries are keyed by the address with
  its domain lower-cased (local parts keep their case, so ``Foo@x`` and ``foo@x`` are two
  entries, as SES keeps them); a send matches recipients against the list ignoring case. An
  entry holds a send back only while the account suppresses for the entry's reason; an
  empty reason list turns suppression off. New accounts suppress for both reasons.

Which identity's settings govern an address: the most specific *verified* identity that
covers it (address, its ``+label``-less form, its domain, then parent domains); a verified
domain's settings apply to its addresses except those that are verified identities
themselves. See :func:`governing_identity`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from openses.domain.identities import covering_identities, split_address


class FeedbackSettingError(ValueError):
    """A setting SES would refuse; the message is the sentence the API answers with."""


# ------------------------------------------------------------------ notification settings


class NotificationType(enum.Enum):
    BOUNCE = "Bounce"
    COMPLAINT = "Complaint"
    DELIVERY = "Delivery"


_TOPIC_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z]+)*):sns:(?P<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+):"
    r"(?P<account>[0-9]{12}):(?P<name>[A-Za-z0-9_-]{1,256})"
)


def check_topic_arn(arn: str, region: str) -> str:
    """``arn`` if it names a standard SNS topic in ``region`` (any account), else raises."""
    match = _TOPIC_ARN.fullmatch(arn)
    if match is None:
        raise FeedbackSettingError(f"Invalid SNS topic ARN: {arn}.")
    if match["region"] != region:
        raise FeedbackSettingError(
            f"SNS topic {arn} is invalid: it must be in the identity's region, {region}."
        )
    return arn


@dataclass(frozen=True, slots=True)
class IdentityFeedbackSettings:
    """The notification settings of one identity (the defaults: no topics, forwarding on)."""

    bounce_topic: str | None = None
    complaint_topic: str | None = None
    delivery_topic: str | None = None
    forwarding_enabled: bool = True
    headers_in_bounce: bool = False
    headers_in_complaint: bool = False
    headers_in_delivery: bool = False

    def topic(self, kind: NotificationType) -> str | None:
        return {
            NotificationType.BOUNCE: self.bounce_topic,
            NotificationType.COMPLAINT: self.complaint_topic,
            NotificationType.DELIVERY: self.delivery_topic,
        }[kind]

    def headers_included(self, kind: NotificationType) -> bool:
        return {
            NotificationType.BOUNCE: self.headers_in_bounce,
            NotificationType.COMPLAINT: self.headers_in_complaint,
            NotificationType.DELIVERY: self.headers_in_delivery,
        }[kind]

    def with_topic(self, kind: NotificationType, arn: str | None) -> IdentityFeedbackSettings:
        """The topic of ``kind`` set (an already checked ARN) or, with ``None``, cleared.

        Clearing a type's topic also stops its headers; clearing the Bounce or Complaint
        topic turns email forwarding back on, so feedback always has somewhere to go.
        """
        if kind is NotificationType.BOUNCE:
            changed = replace(self, bounce_topic=arn)
        elif kind is NotificationType.COMPLAINT:
            changed = replace(self, complaint_topic=arn)
        else:
            changed = replace(self, delivery_topic=arn)
        if arn is None:
            changed = changed._headers(kind, False)
            if kind is not NotificationType.DELIVERY:
                changed = replace(changed, forwarding_enabled=True)
        return changed

    def with_headers(self, kind: NotificationType, enabled: bool) -> IdentityFeedbackSettings:
        if enabled and self.topic(kind) is None:
            raise FeedbackSettingError(
                f"Headers can only be included in {kind.value} notifications "
                f"when an Amazon SNS topic is set for {kind.value} notifications."
            )
        return self._headers(kind, enabled)

    def with_forwarding(self, enabled: bool, *, topics_required: bool) -> IdentityFeedbackSettings:
        """Forwarding switched; v1 (``topics_required``) needs Bounce and Complaint topics."""
        if not enabled and topics_required and not (self.bounce_topic and self.complaint_topic):
            raise FeedbackSettingError(
                "Feedback forwarding can only be disabled when Amazon SNS topics are set "
                "for both Bounce and Complaint notifications."
            )
        return replace(self, forwarding_enabled=enabled)

    def _headers(self, kind: NotificationType, enabled: bool) -> IdentityFeedbackSettings:
        if kind is NotificationType.BOUNCE:
            return replace(self, headers_in_bounce=enabled)
        if kind is NotificationType.COMPLAINT:
            return replace(self, headers_in_complaint=enabled)
        return replace(self, headers_in_delivery=enabled)


DEFAULT_FEEDBACK_SETTINGS = IdentityFeedbackSettings()


def governing_identity(address: str, verified: Collection[str]) -> str | None:
    """The most specific of the ``verified`` identity names that covers ``address``."""
    return next((name for name in covering_identities(address) if name in verified), None)


def forwards_by_email(
    settings: IdentityFeedbackSettings, kind: NotificationType, *, event_destination: bool
) -> bool:
    """Whether a bounce or complaint is forwarded by email to the message's feedback address.

    Yes when forwarding is on, and also when it is off but nothing else would carry this
    feedback (no topic for the type and no event destination of the send's configuration
    set that takes it): SES's safety net. Deliveries are never forwarded by email.
    """
    if kind is NotificationType.DELIVERY:
        return False
    if settings.forwarding_enabled:
        return True
    return settings.topic(kind) is None and not event_destination


# ------------------------------------------------------------------------ MAIL FROM

MAIL_FROM_DETECTION_WINDOW = timedelta(hours=72)
"""How long a pending or temporarily failing MAIL FROM setup is looked for before ``Failed``."""

DEFAULT_FEEDBACK_MX = "feedback-smtp.{region}.openses.test"
"""The MX host a custom MAIL FROM domain must name unless the operator sets another
(``--feedback-mx``); ``{region}`` is replaced by the identity's region."""

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class BehaviorOnMxFailure(enum.Enum):
    USE_DEFAULT_VALUE = "UseDefaultValue"
    REJECT_MESSAGE = "RejectMessage"


class MailFromStatus(enum.Enum):
    PENDING = "Pending"
    SUCCESS = "Success"
    FAILED = "Failed"
    TEMPORARY_FAILURE = "TemporaryFailure"


class MxOutcome(enum.Enum):
    """What one MX lookup of a MAIL FROM domain found."""

    FOUND = "found"  # exactly one MX record, naming the feedback host
    NOT_FOUND = "not-found"  # no such record, or others besides / instead
    LOOKUP_FAILED = "lookup-failed"  # DNS could not answer now


@dataclass(frozen=True, slots=True)
class MailFromSettings:
    """The custom MAIL FROM setup of one identity.

    ``domain`` is ``None`` when the custom domain is off (the behaviour is still kept, as
    SES reports it); ``status`` and ``window_started_at`` are set whenever ``domain`` is.
    """

    account_id: str
    region: str
    identity: str
    domain: str | None
    behavior: BehaviorOnMxFailure = BehaviorOnMxFailure.USE_DEFAULT_VALUE
    status: MailFromStatus | None = None
    window_started_at: datetime | None = None  # start of the current 72-hour detection window
    checked_at: datetime | None = None  # the last MX lookup

    @property
    def deadline(self) -> datetime | None:
        started = self.window_started_at
        return None if started is None else started + MAIL_FROM_DETECTION_WINDOW

    @property
    def awaiting_record(self) -> bool:
        """A setup SES is still looking for (pending or temporarily failing)."""
        return self.status in (MailFromStatus.PENDING, MailFromStatus.TEMPORARY_FAILURE)

    def configured(
        self, domain: str | None, behavior: BehaviorOnMxFailure, now: datetime
    ) -> MailFromSettings:
        """Set again by its owner: a new (or failed) domain starts a fresh pending setup."""
        if domain is None:
            return replace(
                self, domain=None, behavior=behavior, status=None, window_started_at=None
            )
        if domain == self.domain and self.status not in (None, MailFromStatus.FAILED):
            return replace(self, behavior=behavior)
        return replace(
            self,
            domain=domain,
            behavior=behavior,
            status=MailFromStatus.PENDING,
            window_started_at=now,
            checked_at=None,
        )

    def checked(self, outcome: MxOutcome, now: datetime) -> MailFromSettings:
        """The setup after an MX lookup made at ``now`` (a failed one is not looked at)."""
        if self.domain is None or self.status in (None, MailFromStatus.FAILED):
            return self
        status: MailFromStatus = self.status
        started = self.window_started_at or now
        if outcome is MxOutcome.FOUND:
            status = MailFromStatus.SUCCESS
        elif status is MailFromStatus.SUCCESS:
            status, started = MailFromStatus.TEMPORARY_FAILURE, now  # the record went away
        elif outcome is MxOutcome.LOOKUP_FAILED:
            status = MailFromStatus.TEMPORARY_FAILURE
        if status is not MailFromStatus.SUCCESS and now >= started + MAIL_FROM_DETECTION_WINDOW:
            status = MailFromStatus.FAILED
        return replace(self, status=status, window_started_at=started, checked_at=now)


def check_mail_from_domain(identity: str, domain: str) -> str:
    """``domain`` (lower-cased) if it can be ``identity``'s MAIL FROM domain, else raises.

    It must be a well-formed domain name and a strict subdomain of the identity's domain
    (an address identity's domain is the part after its ``@``).
    """
    parts = split_address(identity)
    base = parts[1] if parts is not None else identity.lower()
    name = domain.lower().removesuffix(".")
    labels = name.split(".")
    if (
        len(name) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not name.endswith(f".{base}")
    ):
        raise FeedbackSettingError(
            f"Provided MAIL-FROM domain '{domain}' is not subdomain of "
            f"the domain of the identity '{identity}'."
        )
    return name


def feedback_mx_host(template: str, region: str) -> str:
    """The MX host MAIL FROM domains of ``region`` must name (``{region}`` filled in)."""
    return template.replace("{region}", region).lower().removesuffix(".")


def mx_outcome(records: Sequence[tuple[int, str]], expected_host: str) -> MxOutcome:
    """Found only when there is exactly one MX record and it names ``expected_host``."""
    if len(records) != 1:
        return MxOutcome.NOT_FOUND
    host = records[0][1].lower().removesuffix(".")
    return MxOutcome.FOUND if host == expected_host else MxOutcome.NOT_FOUND


def mail_from_decision(settings: MailFromSettings | None) -> tuple[str | None, bool]:
    """For a send governed by ``settings``: ``(custom MAIL FROM domain or None, refuse)``.

    The custom domain is used once its setup succeeded; before that (or after it failed) the
    send uses the default MAIL FROM, or is refused when the behaviour is ``RejectMessage``.
    """
    if settings is None or settings.domain is None:
        return None, False
    if settings.status is MailFromStatus.SUCCESS:
        return settings.domain, False
    return None, settings.behavior is BehaviorOnMxFailure.REJECT_MESSAGE


# ---------------------------------------------------------------------- suppression


class SuppressionReason(enum.Enum):
    BOUNCE = "BOUNCE"
    COMPLAINT = "COMPLAINT"


DEFAULT_SUPPRESSED_REASONS = frozenset({SuppressionReason.BOUNCE, SuppressionReason.COMPLAINT})
"""What an account suppresses for until it says otherwise (SES: accounts since Nov 2019)."""


@dataclass(frozen=True, slots=True)
class Suppression:
    """One entry of an account's suppression list in one region."""

    account_id: str
    region: str
    email_address: str  # as keyed: see suppression_address
    reason: SuppressionReason
    last_update_time: datetime
    message_id: str | None = None  # the message whose feedback added it (automatic entries)
    feedback_id: str | None = None


def suppression_address(text: str) -> str:
    """The list's key for an address: surrounding spaces dropped, the domain lower-cased.

    Raises :class:`FeedbackSettingError` for text that is not an address.
    """
    address = text.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c == "\x00" for c in address):
        raise FeedbackSettingError(f"Invalid email address <{text}>.")
    return f"{local}@{domain.lower()}"


def suppresses(entry: Suppression | None, reasons: Collection[SuppressionReason]) -> bool:
    """Whether ``entry`` holds a send back, given the reasons the account suppresses for."""
    return entry is not None and entry.reason in reasons
