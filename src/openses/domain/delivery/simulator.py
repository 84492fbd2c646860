"""The SES mailbox simulator: what a send to ``...@simulator.amazonses.com`` produces.

From the developer guide (send-an-email-from-console.md "Using the mailbox simulator manually",
mailbox-simulator.md) and the notifications SES publishes for these addresses:

* ``success@`` -- delivered; SES's Delivery shows ``250 2.6.0 Message received``.
* ``bounce@`` -- the remote refuses with ``550 5.1.1`` "Unknown User": a ``Permanent/General``
  bounce, status ``5.1.1``, ``smtp; 550 5.1.1 user unknown``, an RFC 3464 DSN to the return
  path; the address is *not* added to the suppression list.
* ``ooto@`` -- delivered, then an RFC 3834 automatic reply to the Return-Path (else the
  envelope sender).
* ``complaint@`` -- delivered, then an RFC 5965 complaint, feedback type ``abuse``, user agent
  ``Amazon SES Mailbox Simulator``.
* ``suppressionlist@`` -- "a hard bounce as if the recipient's address is on the global
  suppression list": ``Permanent/Suppressed`` with SES's suppression text, no attempt made.
* any other address there -- the guide warns it "will be placed on the suppression list": we
  treat it as an unknown user (``Permanent/General``, ``550 5.1.1``) that *is* suppressed.

The addresses are not case-sensitive, and ``+label`` forms (``bounce+label1@``) behave like the
bare address. Sends to the simulator count neither toward the sending quota nor toward bounce
and complaint metrics (``counts_toward_metrics`` is always false).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from openses.domain.delivery.outcome import SUPPRESSED_DIAGNOSTIC, SUPPRESSED_STATUS
from openses.domain.delivery.replies import BounceSubType, BounceType
from openses.domain.sending import SIMULATOR_DOMAIN

SIMULATOR_USER_AGENT = "Amazon SES Mailbox Simulator"
SUCCESS_RESPONSE = "250 2.6.0 Message received"
UNKNOWN_USER_STATUS = "5.1.1"
UNKNOWN_USER_DIAGNOSTIC = "smtp; 550 5.1.1 user unknown"


class Scenario(StrEnum):
    SUCCESS = "success"
    BOUNCE = "bounce"
    OOTO = "ooto"
    COMPLAINT = "complaint"
    SUPPRESSION_LIST = "suppressionlist"
    UNLISTED = "unlisted"  # another address at the simulator's domain


@dataclass(frozen=True, slots=True)
class SimulatedBounce:
    bounce_type: BounceType
    bounce_subtype: BounceSubType
    status: str
    diagnostic_code: str
    action: str = "failed"
    attempted: bool = True  # False: SES's own suppression bounce, no remote was contacted


@dataclass(frozen=True, slots=True)
class SimulatedOutcome:
    """What SES produces for one simulator recipient."""

    recipient: str
    scenario: Scenario
    smtp_response: str | None = None  # set when delivered
    bounce: SimulatedBounce | None = None
    auto_reply: bool = False  # an out-of-office reply goes to the return path
    complaint_feedback_type: str | None = None  # a complaint follows the delivery
    complaint_user_agent: str | None = None
    suppress: bool = False  # whether the address goes on the suppression list
    counts_toward_metrics: bool = False

    @property
    def delivered(self) -> bool:
        return self.smtp_response is not None


_UNKNOWN_USER = SimulatedBounce(
    BounceType.PERMANENT, BounceSubType.GENERAL, UNKNOWN_USER_STATUS, UNKNOWN_USER_DIAGNOSTIC
)
_SUPPRESSED = SimulatedBounce(
    BounceType.PERMANENT,
    BounceSubType.SUPPRESSED,
    SUPPRESSED_STATUS,
    SUPPRESSED_DIAGNOSTIC,
    attempted=False,
)


def is_simulator_address(recipient: str) -> bool:
    return _split(recipient) is not None


def _split(recipient: str) -> str | None:
    """The local part without ``+label``, lower-cased, when the domain is the simulator's."""
    address = recipient.strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or domain.lower() != SIMULATOR_DOMAIN:
        return None
    return local.partition("+")[0].lower()


def simulate(recipient: str) -> SimulatedOutcome | None:
    """The simulated outcome for ``recipient``, or ``None`` when it is not a simulator address."""
    base = _split(recipient)
    if base is None:
        return None
    if base == Scenario.SUCCESS:
        return SimulatedOutcome(recipient, Scenario.SUCCESS, smtp_response=SUCCESS_RESPONSE)
    if base == Scenario.BOUNCE:
        return SimulatedOutcome(recipient, Scenario.BOUNCE, bounce=_UNKNOWN_USER)
    if base == Scenario.OOTO:
        return SimulatedOutcome(
            recipient, Scenario.OOTO, smtp_response=SUCCESS_RESPONSE, auto_reply=True
        )
    if base == Scenario.COMPLAINT:
        return SimulatedOutcome(
            recipient,
            Scenario.COMPLAINT,
            smtp_response=SUCCESS_RESPONSE,
            complaint_feedback_type="abuse",
            complaint_user_agent=SIMULATOR_USER_AGENT,
        )
    if base == Scenario.SUPPRESSION_LIST:
        return SimulatedOutcome(recipient, Scenario.SUPPRESSION_LIST, bounce=_SUPPRESSED)
    return SimulatedOutcome(recipient, Scenario.UNLISTED, bounce=_UNKNOWN_USER, suppress=True)
