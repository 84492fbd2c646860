"""Failures before any reply for a recipient: DNS, TCP, TLS, a garbled session, our own fault.

The transport reports these as values; each becomes the pseudo-reply SES reports for it, in
SES's own words where we have seen them in its expiry bounces and DeliveryDelay events
(``421 4.4.1 Failed to establish connection``, ``421 4.4.2 Connection timed out``,
``421 4.4.2 Connection closed unexpectedly``, ``421 4.4.0 Unable to lookup DNS for <domain>``,
``421 4.4.1 Unable to connect to remote host``). Permanent ones follow the RFCs: a domain that
does not exist (RFC 5321 section 5.1: no MX and no address record) is ``550 5.1.2``, a null MX
(RFC 7505 section 4.2) is ``556 5.1.10``. Everything else is temporary, and its delay type is
``TransientCommunicationFailure`` except our own trouble (``InternalFailure``, ``451 4.3.0``)
and a failed lookup of our own sending IP's host name (``BYOIPHostNameLookupUnavailable``).
The transport's detail (an exception's text, the host tried) is appended in parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from openses.domain.delivery.replies import DelayType, Disposition, Reason, Verdict, verdict
from openses.domain.delivery.status import SmtpReply


class FailureKind(StrEnum):
    NO_SUCH_DOMAIN = "no-such-domain"  # NXDOMAIN, or neither MX nor address records
    NULL_MX = "null-mx"  # RFC 7505: the domain accepts no mail
    DNS_FAILURE = "dns-failure"  # SERVFAIL, timeout: try again
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION_TIMEOUT = "connection-timeout"
    CONNECTION_LOST = "connection-lost"  # closed in the middle of the session
    NETWORK_UNREACHABLE = "network-unreachable"
    TLS_FAILURE = "tls-failure"
    PROTOCOL_ERROR = "protocol-error"  # a reply that is not SMTP
    LOCAL_HOSTNAME_LOOKUP = "local-hostname-lookup"  # our IP's PTR name could not be found
    INTERNAL_FAILURE = "internal-failure"  # ours: storage, a crash mid-attempt


@dataclass(frozen=True, slots=True)
class _Shape:
    code: int
    status: str
    text: str  # may hold {domain}
    reason: Reason
    delay_type: DelayType | None = None  # instead of the reason's


_SHAPES: dict[FailureKind, _Shape] = {
    FailureKind.NO_SUCH_DOMAIN: _Shape(
        550, "5.1.2", "Domain {domain} does not exist", Reason.OTHER
    ),
    FailureKind.NULL_MX: _Shape(556, "5.1.10", "Recipient address has null MX", Reason.OTHER),
    FailureKind.DNS_FAILURE: _Shape(
        421, "4.4.0", "Unable to lookup DNS for {domain}", Reason.COMMUNICATION
    ),
    FailureKind.CONNECTION_REFUSED: _Shape(
        421, "4.4.1", "Failed to establish connection", Reason.COMMUNICATION
    ),
    FailureKind.CONNECTION_TIMEOUT: _Shape(
        421, "4.4.2", "Connection timed out", Reason.COMMUNICATION
    ),
    FailureKind.CONNECTION_LOST: _Shape(
        421, "4.4.2", "Connection closed unexpectedly", Reason.COMMUNICATION
    ),
    FailureKind.NETWORK_UNREACHABLE: _Shape(
        421, "4.4.1", "Unable to connect to remote host", Reason.COMMUNICATION
    ),
    FailureKind.TLS_FAILURE: _Shape(421, "4.7.0", "TLS negotiation failed", Reason.COMMUNICATION),
    FailureKind.PROTOCOL_ERROR: _Shape(
        421, "4.5.0", "Invalid SMTP reply from remote host", Reason.COMMUNICATION
    ),
    FailureKind.LOCAL_HOSTNAME_LOOKUP: _Shape(
        451,
        "4.4.3",
        "Unable to look up the sending host name",
        Reason.COMMUNICATION,
        DelayType.BYOIP_HOSTNAME_LOOKUP_UNAVAILABLE,
    ),
    FailureKind.INTERNAL_FAILURE: _Shape(451, "4.3.0", "Internal failure", Reason.INTERNAL),
}


@dataclass(frozen=True, slots=True)
class ConnectionFailure:
    """Why no reply was had: ``domain`` is the recipient's, ``detail`` the transport's words."""

    kind: FailureKind
    domain: str = ""
    detail: str = ""

    @property
    def reply(self) -> SmtpReply:
        """The pseudo-reply SES reports for this failure."""
        shape = _SHAPES[self.kind]
        text = shape.text.format(domain=self.domain or "the recipient domain")
        detail = " ".join(self.detail.split())
        if detail:
            text = f"{text} ({detail})"
        return SmtpReply(shape.code, (f"{shape.status} {text}",))

    @property
    def is_permanent(self) -> bool:
        return _SHAPES[self.kind].code >= 500


def classify_failure(failure: ConnectionFailure) -> Verdict:
    """The verdict for a recipient that got no reply: deferred, or failed for good."""
    shape = _SHAPES[failure.kind]
    reply = failure.reply
    disposition = Disposition.FAILED if failure.is_permanent else Disposition.DEFERRED
    result = verdict(disposition, shape.reason, reply.status, reply.diagnostic_code)
    if shape.delay_type is not None and result.delay_type is not None:
        return replace(result, delay_type=shape.delay_type)
    return result
