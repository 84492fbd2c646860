"""What a delivery result means in SES's terms: bounce type and subtype, or delay type.

SES documents the vocabulary, not the mapping (developer guide, notification-contents.md
"Bounce types"; event-publishing-retrieving-sns-contents.md "DeliveryDelay object"):

* ``Undetermined/Undetermined``: a bounce without enough information to classify.
* ``Permanent``: ``General``, ``NoEmail`` (the address does not exist), ``Suppressed`` (SES's
  global list) and ``OnAccountSuppressionList`` -- the last two SES's own, never a remote's.
* ``Transient``: ``General``, ``MailboxFull``, ``MessageTooLarge``, ``ContentRejected``,
  ``AttachmentRejected``. SES reports these also for a 5xx refusal (``552 5.2.2`` over quota is
  ``Transient/MailboxFull``: "you might be able to send to the same recipient in the future"),
  and for a soft bounce that ran out of retries (status ``4.4.7``, SES's own expiry text).
* ``delayType`` of a DeliveryDelay: ``InternalFailure``, ``General``, ``MailboxFull``,
  ``SpamDetected``, ``RecipientServerError``, ``IPFailure``, ``TransientCommunicationFailure``,
  ``BYOIPHostNameLookupUnavailable``, ``Undetermined``, ``SendingDeferral``.

Our mapping, a table: the reply code decides the disposition (2xx delivered, 4xx deferred, 5xx
failed; a DSN's ``Action`` decides it when there is no code); the reason is found first from
specific enhanced codes (RFC 3463: X.1.1 and X.1.6 no mailbox, X.2.2 mailbox full, X.2.3 and
X.3.4 too large), then from the text (providers' wording, in ``_TEXT_RULES`` order: attachment,
IP/reputation blocks, spam/content, mailbox full, size, unknown user, greylisting, server
trouble), then from the status family (X.3 mail system, X.6 media), then, when there is no
enhanced code, from the reply code (421, 451, 452 server trouble; a bare 552 is RFC 5321's
"exceeded storage allocation"); a 3xx where a final reply was due is a protocol failure,
retried. IP and reputation blocks are checked before spam wording so that ``blocked using
zen.spamhaus.org`` is an ``IPFailure``, not spam. A DSN with neither a status, a reply code
nor recognizable text is ``Undetermined``.

An unknown user is ``Permanent/General``, not ``NoEmail``: that is what SES publishes for it,
in the mailbox simulator's bounce (which the guide describes as "550 5.1.1 Unknown User") and in
real notifications (``smtp; 550 5.1.1 <user@...>... User``, ``General``). ``NoEmail``,
``Suppressed`` and ``OnAccountSuppressionList`` stay in the vocabulary; the last two are SES's
own bounces (``outcome.suppressed``). ``Verdict.reason`` still says ``NO_MAILBOX`` for callers
that care (suppression, say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from openses.domain.delivery.status import EnhancedStatus, SmtpReply, status_in_reply_text


class BounceType(StrEnum):
    UNDETERMINED = "Undetermined"
    PERMANENT = "Permanent"
    TRANSIENT = "Transient"


class BounceSubType(StrEnum):
    UNDETERMINED = "Undetermined"
    GENERAL = "General"
    NO_EMAIL = "NoEmail"
    SUPPRESSED = "Suppressed"
    ON_ACCOUNT_SUPPRESSION_LIST = "OnAccountSuppressionList"
    MAILBOX_FULL = "MailboxFull"
    MESSAGE_TOO_LARGE = "MessageTooLarge"
    CONTENT_REJECTED = "ContentRejected"
    ATTACHMENT_REJECTED = "AttachmentRejected"


class DelayType(StrEnum):
    INTERNAL_FAILURE = "InternalFailure"
    GENERAL = "General"
    MAILBOX_FULL = "MailboxFull"
    SPAM_DETECTED = "SpamDetected"
    RECIPIENT_SERVER_ERROR = "RecipientServerError"
    IP_FAILURE = "IPFailure"
    TRANSIENT_COMMUNICATION_FAILURE = "TransientCommunicationFailure"
    BYOIP_HOSTNAME_LOOKUP_UNAVAILABLE = "BYOIPHostNameLookupUnavailable"
    UNDETERMINED = "Undetermined"
    SENDING_DEFERRAL = "SendingDeferral"


class Disposition(StrEnum):
    DELIVERED = "delivered"
    DEFERRED = "deferred"  # temporary: try again
    FAILED = "failed"  # final: a bounce


class Reason(StrEnum):
    """Why a recipient was refused, in the terms the SES types are chosen from."""

    NO_MAILBOX = "no-mailbox"
    MAILBOX_FULL = "mailbox-full"
    TOO_LARGE = "too-large"
    ATTACHMENT = "attachment"
    CONTENT = "content"
    BLOCKED = "blocked"  # the sending IP's reputation, block lists, rate limits
    SERVER = "server"  # the receiving system's own trouble
    COMMUNICATION = "communication"  # the connection, not the recipient
    INTERNAL = "internal"  # our own trouble
    OTHER = "other"
    UNKNOWN = "unknown"  # nothing to go on


# reason -> (type and subtype of a final failure, delay type while deferred, subtype at expiry)
_TABLE: dict[Reason, tuple[BounceType, BounceSubType, DelayType, BounceSubType]] = {
    Reason.NO_MAILBOX: (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,  # what SES reports for "550 5.1.1 user unknown" (module doc)
        DelayType.GENERAL,
        BounceSubType.GENERAL,
    ),
    Reason.MAILBOX_FULL: (
        BounceType.TRANSIENT,
        BounceSubType.MAILBOX_FULL,
        DelayType.MAILBOX_FULL,
        BounceSubType.MAILBOX_FULL,
    ),
    Reason.TOO_LARGE: (
        BounceType.TRANSIENT,
        BounceSubType.MESSAGE_TOO_LARGE,
        DelayType.GENERAL,
        BounceSubType.MESSAGE_TOO_LARGE,
    ),
    Reason.ATTACHMENT: (
        BounceType.TRANSIENT,
        BounceSubType.ATTACHMENT_REJECTED,
        DelayType.SPAM_DETECTED,
        BounceSubType.ATTACHMENT_REJECTED,
    ),
    Reason.CONTENT: (
        BounceType.TRANSIENT,
        BounceSubType.CONTENT_REJECTED,
        DelayType.SPAM_DETECTED,
        BounceSubType.CONTENT_REJECTED,
    ),
    Reason.BLOCKED: (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        DelayType.IP_FAILURE,
        BounceSubType.GENERAL,
    ),
    Reason.SERVER: (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        DelayType.RECIPIENT_SERVER_ERROR,
        BounceSubType.GENERAL,
    ),
    Reason.COMMUNICATION: (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        DelayType.TRANSIENT_COMMUNICATION_FAILURE,
        BounceSubType.GENERAL,
    ),
    Reason.INTERNAL: (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        DelayType.INTERNAL_FAILURE,
        BounceSubType.GENERAL,
    ),
    Reason.OTHER: (
        BounceType.PERMANENT,
        BounceSubType.GENERAL,
        DelayType.GENERAL,
        BounceSubType.GENERAL,
    ),
    Reason.UNKNOWN: (
        BounceType.UNDETERMINED,
        BounceSubType.UNDETERMINED,
        DelayType.UNDETERMINED,
        BounceSubType.GENERAL,
    ),
}

_STATUS_REASONS: dict[tuple[int, int], Reason] = {
    (1, 1): Reason.NO_MAILBOX,  # bad destination mailbox address
    (1, 6): Reason.NO_MAILBOX,  # mailbox has moved, no forwarding address
    (2, 2): Reason.MAILBOX_FULL,
    (2, 3): Reason.TOO_LARGE,  # message length exceeds administrative limit
    (3, 4): Reason.TOO_LARGE,  # message too big for system
}

_TEXT_RULES: tuple[tuple[Reason, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        (
            Reason.ATTACHMENT,
            r"attachment|banned file|file ?(type|extension|name)s? (is |are )?(not allowed|blocked"
            r"|prohibited|rejected)|prohibited file|executable|\.(exe|scr|bat|vbs|js)\b",
        ),
        (
            Reason.BLOCKED,
            r"spamhaus|spamcop|barracuda|sorbs|\b(rbl|dnsbl|uribl)\b|black ?list|block ?list"
            r"|deny ?list|(?<!not )listed (at|on|in|by)|reputation|rate[- ]?limit|throttl"
            r"|too many (connections|messages|mails|emails|concurrent)|\bips?\b|client host"
            r"|\[ts[s]?\d+\]|unexpected volume|user complaints|reverse dns|\bptr\b|rdns",
        ),
        (
            Reason.CONTENT,
            r"spam|unsolicited|bulk mail|junk|virus|malware|phish|infected|dangerous"
            r"|(message|its|the) content|content (rejected|refused|filter|polic)"
            r"|(suspicious|malicious|inappropriate|objectionable|prohibited) (content|link|url)"
            r"|security (issue|threat|risk)",
        ),
        (
            Reason.MAILBOX_FULL,
            r"mail ?box (is )?full|full mail ?box|inbox is full|over ?quota|quota (exceeded|exceeds"
            r"|full|limit)|exceed(ed|s)? (the |his |her |their )?(mailbox |storage |disk )?(quota"
            r"|storage)|out of storage|storage (space|allocation|quota)|mailbox size limit"
            r"|insufficient (disk )?space (in|for) (the |this )?(mail ?box|account|user)",
        ),
        (
            Reason.TOO_LARGE,
            r"too (large|big|long)|size (limit|exceed)|exceeds? (the )?(max|size|message size"
            r"|allowed size)|message (size|length) exceed|larger than|message size",
        ),
        (
            Reason.NO_MAILBOX,
            r"user ?unknown|unknown (user|recipient|mailbox|address|local|addressee|alias)"
            r"|no such (user|mailbox|recipient|address|account|person|local)"
            r"|\b(mailbox|user|recipient|address|account|addressee)\b[^.;]{0,40}"
            r"\b(does not|doesn't|did not|not) exist|(user|recipient|mailbox|address) (not found"
            r"|unknown|invalid)|invalid (recipient|mailbox|address|user)|recipi?e?n?tnotfound"
            r"|not a valid (mailbox|recipient|user|address)|no mailbox here"
            r"|(does not|doesn't) have an? [\w.-]{0,30} ?account|bad destination mailbox"
            r"|address rejected.{0,20}(unknown|not found|does not exist)|not listed in",
        ),
        (Reason.OTHER, r"gr[ea]y[- ]?list"),
        (
            Reason.SERVER,
            r"internal (server )?error|temporar(y|ily) (local )?(problem|failure|error|unavailable)"
            r"|system (busy|overloaded|resources)|server (is )?(busy|error|unavailable|too busy)"
            r"|insufficient system (storage|resources)|service (temporarily )?(not )?available"
            r"|local error|try again later|resources? (temporarily )?unavailable",
        ),
    )
)

_FAMILY_REASONS: dict[int, Reason] = {3: Reason.SERVER, 6: Reason.CONTENT}
_CODE_REASONS: dict[int, Reason] = {
    421: Reason.SERVER,
    451: Reason.SERVER,
    452: Reason.SERVER,
    552: Reason.MAILBOX_FULL,
}


def reason_of(code: int | None, status: EnhancedStatus | None, text: str) -> Reason:
    """The reason for a refusal with this reply code, enhanced status and text."""
    if status is not None and status.subject_detail in _STATUS_REASONS:
        return _STATUS_REASONS[status.subject_detail]
    for reason, pattern in _TEXT_RULES:
        if pattern.search(text):
            return reason
    if status is not None and status.subject in _FAMILY_REASONS:
        return _FAMILY_REASONS[status.subject]
    if code is not None and 300 <= code < 400:
        return Reason.COMMUNICATION  # an intermediate reply where a final one was due
    if status is None and code is not None and code in _CODE_REASONS:
        return _CODE_REASONS[code]
    if code is None and (status is None or status.klass == 2):
        return Reason.UNKNOWN
    return Reason.OTHER


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one result means. For ``DEFERRED``, ``bounce_type``/``bounce_subtype`` are what the
    recipient bounces with if the retries run out (always ``Transient``); for ``DELIVERED`` they
    are ``None``. ``delay_type`` is set for ``DEFERRED`` only."""

    disposition: Disposition
    reason: Reason
    status: EnhancedStatus | None
    diagnostic_code: str | None
    bounce_type: BounceType | None = None
    bounce_subtype: BounceSubType | None = None
    delay_type: DelayType | None = None


def verdict(
    disposition: Disposition,
    reason: Reason,
    status: EnhancedStatus | None,
    diagnostic_code: str | None,
    *,
    gave_up: bool = False,
) -> Verdict:
    """Apply the table. ``gave_up``: a final failure after temporary ones (``Transient``)."""
    if disposition is Disposition.DELIVERED:
        return Verdict(disposition, reason, status, diagnostic_code)
    final_type, final_subtype, delay_type, expiry_subtype = _TABLE[reason]
    if disposition is Disposition.DEFERRED:
        return Verdict(
            disposition,
            reason,
            status,
            diagnostic_code,
            BounceType.TRANSIENT,
            expiry_subtype,
            delay_type,
        )
    if gave_up and final_type is BounceType.PERMANENT:
        final_type, final_subtype = BounceType.TRANSIENT, expiry_subtype
    return Verdict(disposition, reason, status, diagnostic_code, final_type, final_subtype)


def classify_reply(reply: SmtpReply) -> Verdict:
    """An SMTP reply to RCPT TO or to the end of DATA, for one recipient."""
    if reply.is_success:
        disposition = Disposition.DELIVERED
    elif reply.is_permanent:
        disposition = Disposition.FAILED
    else:
        disposition = Disposition.DEFERRED
    reason = reason_of(reply.code, reply.enhanced, reply.text)
    return verdict(disposition, reason, reply.status, reply.diagnostic_code)


_DELIVERED_ACTIONS = {"delivered", "relayed", "expanded"}
_BY_CLASS = {2: Disposition.DELIVERED, 4: Disposition.DEFERRED, 5: Disposition.FAILED}
_CODE_AT_START = re.compile(r"\s*([245]\d\d)(?:[ -]|$)")


def classify_dsn_fields(
    action: str | None, status: str | None, diagnostic_code: str | None
) -> Verdict:
    """A DSN's per-recipient ``Action``, ``Status`` and ``Diagnostic-Code`` (RFC 3464 2.3).

    The disposition comes from ``Action`` (``failed``, ``delayed``, ``delivered``...), else from
    the status class, else from the reply code in the diagnostic (``smtp; 550 ...``), else it is
    a failure; a ``failed`` recipient with a ``4.x.x`` status was given up on after temporary
    failures, so its bounce is ``Transient`` (as SES's own expiry bounces are).
    """
    diagnostic = diagnostic_code.strip() if diagnostic_code and diagnostic_code.strip() else None
    text = (diagnostic or "").partition(";")[2] if ";" in (diagnostic or "") else diagnostic or ""
    match = _CODE_AT_START.match(text)
    code = int(match.group(1)) if match else None
    enhanced = EnhancedStatus.find(status) if status else None
    if enhanced is None:
        enhanced = status_in_reply_text(code, text[match.end() :] if match else text)
    act = (action or "").strip().lower()
    gave_up = False
    if act in _DELIVERED_ACTIONS:
        disposition = Disposition.DELIVERED
    elif act == "delayed":
        disposition = Disposition.DEFERRED
    elif act == "failed":
        disposition = Disposition.FAILED
        klass = enhanced.klass if enhanced is not None else (code // 100 if code else None)
        gave_up = klass == 4
    elif enhanced is not None:
        disposition = _BY_CLASS[enhanced.klass]
    elif code is not None:
        disposition = _BY_CLASS[code // 100]
    else:
        disposition = Disposition.FAILED
    reason = reason_of(code, enhanced, text)
    return verdict(disposition, reason, enhanced, diagnostic, gave_up=gave_up)
