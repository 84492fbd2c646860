"""One normalized submission, whatever carried it, and the pure rules SES applies to it.

Every send path (v1 SendEmail/SendRawEmail/SendTemplatedEmail/SendBulkTemplatedEmail, v2
SendEmail/SendBulkEmail, SMTP) is reduced to a :class:`Submission`: the IAM actions checked,
the API version, the three address roles (source, From, feedback) each with the identity ARN
it is sent through (or none), the envelope recipients and the message bytes.

Address roles (spec §2.4): the *source* is the envelope sender (``Source``, ``MAIL FROM``, v2
``FromEmailAddress``), *from* is the ``From:`` header, *feedback* is where bounces and
complaints are forwarded (``ReturnPath`` / ``Return-Path:`` / ``FeedbackForwardingEmailAddress``,
defaulting to the source). The ARN defaulting of §2.1 (``FromArn`` and ``ReturnPathArn`` fall
back to the source ARN) is applied by whoever builds the submission.

Also here: SES's wording of a verification failure, the simulator addresses, and the token
bucket behind the maximum send rate (it may go negative, so a message with many recipients is
accepted while any capacity remains and later sends wait, as SES does, spec §6.3).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from openses.domain.arn import IdentityArn
from openses.domain.identities import split_address
from openses.domain.mail.headers import RawMessage

#: Recipients per message (To + Cc + Bcc), and per destination of a bulk send.
MAX_RECIPIENTS = 50
#: Destinations per bulk call.
MAX_BULK_DESTINATIONS = 50
#: Message size limits in bytes (after MIME encoding): v1 API, and v2 API / SMTP.
V1_MAX_MESSAGE_BYTES = 10 * 1024 * 1024
V2_MAX_MESSAGE_BYTES = 40 * 1024 * 1024
SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_MAILBOXES = frozenset({"success", "bounce", "ooto", "complaint", "suppressionlist"})


class Role(enum.Enum):
    SOURCE = "source"
    FROM = "from"
    FEEDBACK = "feedback"


@dataclass(frozen=True, slots=True)
class Address:
    """An address as the request gave it (``given``, maybe ``Name <a@b>``) and its parts."""

    address: str
    display_name: str | None = None
    given: str = ""

    @property
    def shown(self) -> str:
        return self.given or self.address


@dataclass(frozen=True, slots=True)
class RoleUse:
    """One address role of a submission and the identity ARN it is sent through, if any."""

    role: Role
    address: Address
    arn: IdentityArn | None


@dataclass(frozen=True, slots=True)
class Submission:
    actions: tuple[str, ...]  # IAM actions checked (v2 bulk checks two)
    api_version: str  # "1" for the v1 API, "2" for v2 and SMTP (ses:ApiVersion)
    source: RoleUse
    from_: RoleUse
    feedback: RoleUse
    recipients: tuple[str, ...]
    message: bytes  # the MIME message, control headers removed, not yet finalized
    subject: str
    configuration_set: str | None = None  # the sending account's set, by name
    tags: tuple[tuple[str, str], ...] = ()  # message tags (name, value), checked
    #: A templated send whose data did not render: accepted, recorded, never delivered.
    rendering_error: str | None = None
    template_name: str | None = None  # the template a templated send used
    #: ``message`` already parsed, when the builder had it (saves reading it again).
    parsed: RawMessage | None = field(default=None, repr=False, compare=False)

    @property
    def roles(self) -> tuple[RoleUse, RoleUse, RoleUse]:
        return (self.source, self.from_, self.feedback)

    @property
    def action(self) -> str:
        """The action named in an access-denied message: the last (most specific) one."""
        return self.actions[-1]

    @property
    def identity_arns(self) -> tuple[str, ...]:
        """The distinct identity ARNs the submission uses, in role order."""
        arns = [use.arn for use in self.roles if use.arn is not None]
        if len(arns) == 3 and arns[0] is arns[1] is arns[2]:  # the usual: all the source ARN
            return (str(arns[0]),)
        return tuple(dict.fromkeys(str(arn) for arn in arns))


def not_verified_message(region: str, addresses: Iterable[Address]) -> str:
    """SES's ``MessageRejected`` text: region upper-cased, given and bare forms, comma-separated."""
    shown = dict.fromkeys(
        form for address in addresses for form in (address.shown, address.address)
    )
    listed = ", ".join(shown)
    return (
        "Email address is not verified. The following identities failed the check in region "
        f"{region.upper()}: {listed}"
    )


def is_simulator(address: str) -> bool:
    """Whether ``address`` is a mailbox-simulator address (plus-labels allowed)."""
    parts = split_address(address)
    if parts is None:
        return False
    local, domain = parts
    return domain == SIMULATOR_DOMAIN and local.partition("+")[0].lower() in SIMULATOR_MAILBOXES


# ------------------------------------------------------------------------- send rate


@dataclass(frozen=True, slots=True)
class RateBucket:
    """The send-rate token bucket of one account in one region.

    Capacity is one second's worth of the rate (at least one token); it refills continuously.
    A send is admitted while the bucket holds at least one token (one recipient's worth) and
    then takes one token per recipient, possibly going below zero: a message to many
    recipients is accepted whole, and later sends wait until the bucket has refilled.
    """

    tokens: float
    updated_ms: int

    @staticmethod
    def full(rate: float, now_ms: int) -> RateBucket:
        return RateBucket(_capacity(rate), now_ms)

    def refilled(self, rate: float, now_ms: int) -> RateBucket:
        return RateBucket(self._refilled_tokens(rate, now_ms), now_ms)

    def _refilled_tokens(self, rate: float, now_ms: int) -> float:
        elapsed = max(0, now_ms - self.updated_ms) / 1000.0
        return min(_capacity(rate), self.tokens + elapsed * rate)

    def take(self, rate: float, now_ms: int, recipients: int) -> RateBucket | None:
        """The bucket after admitting ``recipients``, or None when the rate is exceeded."""
        tokens = self._refilled_tokens(rate, now_ms)  # refilled(), without the bucket
        if tokens < 1:
            return None
        return RateBucket(tokens - recipients, now_ms)


def _capacity(rate: float) -> float:
    return max(rate, 1.0)


def daily_quota_left(max_24_hour_send: float, sent_last_24_hours: float) -> bool:
    """SES accepts while the last-24-hours total is below the maximum (-1 means unlimited)."""
    return max_24_hour_send < 0 or sent_last_24_hours < max_24_hour_send
