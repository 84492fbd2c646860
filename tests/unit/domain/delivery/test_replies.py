"""Classifying SMTP replies and DSN fields into SES's bounce and delay types, provider by "
"provider."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openses.domain.delivery import (
    BounceSubType,
    BounceType,
    DelayType,
    Disposition,
    SmtpReply,
    classify_dsn_fields,
    classify_reply,
)
from openses.domain.delivery.replies import Reason, reason_of

P, T, U = BounceType.PERMANENT, BounceType.TRANSIENT, BounceType.UNDETERMINED
S = BounceSubType
D = DelayType


class Case(NamedTuple):
    id: str
    code: int
    message: str
    bounce_type: BounceType | None
    subtype: BounceSubType | None
    delay_type: DelayType | None = None
    reason: Reason | None = None


# 5xx: a bounce now. (A 4xx's bounce type is what it would bounce with on expiry.)
PERMANENT = [
    Case(
        "gmail no such user",
        550,
        "5.1.1 The email account that you tried to reach does not exist. Please try\n5.1.1 "
        "double-checking the recipient's email address for typos or\n5.1.1 unnecessary spaces. "
        "Learn more at\n5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si2 - gsmtp",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "gmail disabled account",
        550,
        "5.2.1 The email account that you tried to reach is disabled. a1si2 - gsmtp",
        P,
        S.GENERAL,
    ),
    Case(
        "gmail over quota (5xx)",
        552,
        "5.2.2 The email account that you tried to reach is over quota. Please direct\n5.2.2 the "
        "recipient to\n5.2.2  https://support.google.com/mail/?p=OverQuotaPerm a1si2 - gsmtp",
        T,
        S.MAILBOX_FULL,
    ),
    Case(
        "gmail message too large",
        552,
        "5.2.3 Your message exceeded Google's message size limits. Please visit\n5.2.3  "
        "https://support.google.com/mail/?p=MaxSizeError to view our size guidelines. a1si2 - "
        "gsmtp",
        T,
        S.MESSAGE_TOO_LARGE,
    ),
    Case(
        "gmail spam",
        550,
        "5.7.1 [192.0.2.1] Our system has detected that this message is\n5.7.1 likely "
        "unsolicited mail. To reduce the amount of spam sent to Gmail,\n5.7.1 this message has "
        "been blocked.",
        T,
        S.CONTENT_REJECTED,
    ),
    Case(
        "gmail content unsolicited",
        550,
        "5.7.1 Our system has detected that this message is likely unsolicited mail.",
        T,
        S.CONTENT_REJECTED,
    ),
    Case(
        "gmail attachment",
        552,
        "5.7.0 This message was blocked because its content presents a potential\n5.7.0 security "
        "issue. Please visit\n5.7.0  https://support.google.com/mail/?p=BlockedMessage to review "
        "our\n5.7.0 message content and attachment content guidelines. a1si2 - gsmtp",
        T,
        S.ATTACHMENT_REJECTED,
    ),
    Case(
        "gmail security content",
        552,
        "5.7.0 This message was blocked because its content presents a potential security issue.",
        T,
        S.CONTENT_REJECTED,
    ),
    Case(
        "gmail unauthenticated",
        550,
        "5.7.26 This mail is unauthenticated, which poses a security risk to the\n5.7.26 sender "
        "and Gmail users, and has been blocked.",
        T,
        S.CONTENT_REJECTED,
    ),
    Case(
        "gmail dmarc",
        550,
        "5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC "
        "policy.",
        P,
        S.GENERAL,
    ),
    Case(
        "postfix user unknown",
        550,
        "5.1.1 <nosuchuser@example.net>: Recipient address rejected: User unknown in virtual "
        "mailbox table",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "postfix local user unknown",
        550,
        "5.1.1 <bob@example.net>: Recipient address rejected: User unknown in local recipient "
        "table",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case("postfix relay denied", 554, "5.7.1 <x@example.net>: Relay access denied", P, S.GENERAL),
    Case("postfix mailbox full 5xx", 552, "5.2.2 <x@example.net>: Mailbox full", T, S.MAILBOX_FULL),
    Case("postfix size", 552, "5.3.4 Message size exceeds fixed limit", T, S.MESSAGE_TOO_LARGE),
    Case(
        "postfix rbl",
        554,
        "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
        "https://www.spamhaus.org/query/ip/192.0.2.1",
        P,
        S.GENERAL,
    ),
    Case(
        "postfix helo",
        504,
        "5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname",
        P,
        S.GENERAL,
    ),
    Case("exim unknown user", 550, "Unknown user", P, S.GENERAL, reason=Reason.NO_MAILBOX),
    Case("exim unrouteable", 550, "Unrouteable address", P, S.GENERAL),
    Case("exim size", 552, "Message size exceeds maximum permitted", T, S.MESSAGE_TOO_LARGE),
    Case("exim no such user", 550, "No Such User Here", P, S.GENERAL, reason=Reason.NO_MAILBOX),
    Case(
        "exim verify failed",
        550,
        "Verification failed for <x@example.net>\nUnrouteable address\nSender verify failed",
        P,
        S.GENERAL,
    ),
    Case(
        "sendmail user unknown",
        550,
        "5.1.1 <x@example.net>... User unknown",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case("sendmail bare", 550, "User unknown", P, S.GENERAL, reason=Reason.NO_MAILBOX),
    Case(
        "microsoft recipient not found",
        550,
        "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "microsoft recip not found",
        550,
        "5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "microsoft access denied",
        550,
        "5.4.1 Recipient address rejected: Access denied. AS(201806281) "
        "[DM6NAM12FT034.eop-nam12.prod.protection.outlook.com]",
        P,
        S.GENERAL,
    ),
    Case(
        "microsoft quota",
        554,
        "5.2.2 mailbox full; "
        "STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded",
        T,
        S.MAILBOX_FULL,
    ),
    Case(
        "microsoft block list",
        550,
        "5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your "
        "Internet service provider since part of their network is on our block list (S3150).",
        P,
        S.GENERAL,
    ),
    Case(
        "microsoft banned ip",
        550,
        "5.7.606 Access denied, banned sending IP [192.0.2.1].",
        P,
        S.GENERAL,
    ),
    Case(
        "microsoft invalid mime",
        554,
        "5.6.211 Invalid MIME Content: Single text value size = 32 exceeds allowed maximum of 16",
        T,
        S.CONTENT_REJECTED,
    ),
    Case(
        "microsoft sender denied",
        550,
        "5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus.",
        P,
        S.GENERAL,
    ),
    Case(
        "outlook.com mailbox unavailable",
        550,
        "5.5.0 Requested action not taken: mailbox unavailable (S2017062302).",
        P,
        S.GENERAL,
    ),
    Case(
        "yahoo no account",
        554,
        "delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0] - "
        "mta1234.mail.ne1.yahoo.com",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "yahoo policy",
        554,
        "5.7.9 Message not accepted for policy reasons.  See "
        "https://postmaster.yahooinc.com/error-codes",
        P,
        S.GENERAL,
    ),
    Case(
        "yahoo tss09",
        553,
        "5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will "
        "NOT succeed.",
        P,
        S.GENERAL,
    ),
    Case("yahoo mailbox unavailable", 554, "5.7.1 Mailbox unavailable", P, S.GENERAL),
    Case(
        "mail.ru user",
        550,
        "Message was not accepted -- invalid mailbox.  Local mailbox x@mail.ru is unavailable: "
        "user not found",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "virus",
        554,
        "5.7.1 Message rejected: virus found (Eicar-Test-Signature)",
        T,
        S.CONTENT_REJECTED,
    ),
    Case("phishing", 550, "5.7.1 Message rejected as phishing", T, S.CONTENT_REJECTED),
    Case(
        "exe attachment",
        552,
        "5.7.0 Message contains a prohibited file .exe",
        T,
        S.ATTACHMENT_REJECTED,
    ),
    Case(
        "banned attachment",
        554,
        "5.7.1 Banned attachment type (zip) rejected",
        T,
        S.ATTACHMENT_REJECTED,
    ),
    Case("bad destination system", 550, "5.1.2 Host unknown", P, S.GENERAL),
    Case(
        "moved no forwarding",
        551,
        "5.1.6 User has moved; no forwarding address",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "mailbox does not exist",
        550,
        "Mailbox does not exist",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "address does not exist",
        550,
        "5.1.1 Address does not exist",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "invalid recipient",
        550,
        "Invalid recipient <x@example.net>",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case(
        "no such recipient", 550, "No such recipient here", P, S.GENERAL, reason=Reason.NO_MAILBOX
    ),
    Case("bare 550", 550, "", P, S.GENERAL),
    Case("bare 554", 554, "Transaction failed", P, S.GENERAL),
    Case(
        "bare 552 storage",
        552,
        "Requested mail action aborted: exceeded storage allocation",
        T,
        S.MAILBOX_FULL,
    ),
    Case("bare 552", 552, "", T, S.MAILBOX_FULL),
    Case("too many recipients permanent", 552, "5.5.3 Too many recipients", P, S.GENERAL),
    Case(
        "status in parentheses",
        550,
        "Requested action not taken: mailbox unavailable (5.1.1)",
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    Case("mismatched class", 550, "4.2.2 mailbox full", T, S.MAILBOX_FULL),
    Case("5.3.0 system", 554, "5.3.0 Mail system error", P, S.GENERAL),
    Case("suspended", 550, "5.2.1 Mailbox disabled, not accepting messages", P, S.GENERAL),
    Case("over quota text", 550, "User is over quota", T, S.MAILBOX_FULL),
    Case("quota exceeded", 552, "5.2.2 Quota exceeded", T, S.MAILBOX_FULL),
    Case("inbox full", 550, "The recipient's inbox is full", T, S.MAILBOX_FULL),
    Case("too big", 552, "Message too big", T, S.MESSAGE_TOO_LARGE),
    Case("message size 5.3.4", 552, "5.3.4 Message too big for system", T, S.MESSAGE_TOO_LARGE),
]

TEMPORARY = [
    Case(
        "gmail over quota (4xx)",
        452,
        "4.2.2 The email account that you tried to reach is over quota. Please direct\n4.2.2 the "
        "recipient to\n4.2.2  https://support.google.com/mail/?p=OverQuotaTemp a1si2 - gsmtp",
        T,
        S.MAILBOX_FULL,
        D.MAILBOX_FULL,
    ),
    Case(
        "gmail inbox out of storage",
        452,
        "4.2.2 The recipient's inbox is out of storage space. Please direct the\n4.2.2 recipient "
        "to\n4.2.2  https://support.google.com/mail/?p=OverQuotaTemp",
        T,
        S.MAILBOX_FULL,
        D.MAILBOX_FULL,
    ),
    Case(
        "gmail rate ip",
        421,
        "4.7.28 [192.0.2.1] Our system has detected an unusual rate of\n4.7.28 unsolicited mail "
        "originating from your IP address.",
        T,
        S.GENERAL,
        D.IP_FAILURE,
    ),
    Case(
        "gmail rate dkim",
        421,
        "4.7.28 Our system has detected an unusual rate of unsolicited mail originating from "
        "your DKIM domain.",
        T,
        S.CONTENT_REJECTED,
        D.SPAM_DETECTED,
    ),
    Case(
        "gmail try later",
        421,
        "4.7.0 Try again later, closing connection. (EHLO) a1si2 - gsmtp",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "gmail receiving too fast",
        450,
        "4.2.1 The user you are trying to contact is receiving mail at a rate that\n4.2.1 "
        "prevents additional messages from being delivered.",
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    Case(
        "gmail ptr",
        421,
        "4.7.0 [192.0.2.1] The IP address sending this message does not have a PTR record setup",
        T,
        S.GENERAL,
        D.IP_FAILURE,
    ),
    Case(
        "gmail temporary system problem",
        451,
        "4.3.0 Mail server temporarily rejected message. a1si2 - gsmtp",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "postfix greylisted",
        450,
        "4.2.0 <x@example.net>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/example.net.html",
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    Case(
        "postfix greylisting",
        451,
        "4.7.1 Greylisting in action, please come back later",
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    Case(
        "postfix unverified",
        450,
        "4.1.1 <x@example.net>: Recipient address rejected: unverified address: host "
        "mx.example.net said: 550 user unknown",
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    Case(
        "postfix mailbox full 4xx",
        452,
        "4.2.2 <x@example.net>: Mailbox full",
        T,
        S.MAILBOX_FULL,
        D.MAILBOX_FULL,
    ),
    Case(
        "postfix lookup failure",
        451,
        "4.3.0 <x@example.net>: Temporary lookup failure",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "postfix client host",
        450,
        "4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]",
        T,
        S.GENERAL,
        D.IP_FAILURE,
    ),
    Case(
        "postfix insufficient storage",
        452,
        "4.3.1 Insufficient system storage",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "postfix too many recipients",
        452,
        "4.5.3 Error: too many recipients",
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    Case(
        "exim temporary local problem",
        451,
        "Temporary local problem - please try later",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case("exim rate limit", 451, "4.7.1 Rate limit exceeded", T, S.GENERAL, D.IP_FAILURE),
    Case(
        "exim spam deferred",
        451,
        "Message temporarily deferred due to spam content",
        T,
        S.CONTENT_REJECTED,
        D.SPAM_DETECTED,
    ),
    Case(
        "microsoft rate limited",
        451,
        "4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP "
        "reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
        T,
        S.GENERAL,
        D.IP_FAILURE,
    ),
    Case(
        "microsoft 451 4.7.500",
        451,
        "4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719)",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "microsoft resources",
        452,
        "4.3.1 Insufficient system resources",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "microsoft server busy",
        421,
        "4.3.2 Service not available, closing transmission channel",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "yahoo tss04",
        421,
        "4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or "
        "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        T,
        S.GENERAL,
        D.IP_FAILURE,
    ),
    Case("yahoo quota", 452, "4.2.2 Mailbox quota exceeded", T, S.MAILBOX_FULL, D.MAILBOX_FULL),
    Case(
        "comcast rbl",
        421,
        "4.7.0 [192.0.2.1] Comcast block for spam. Please see "
        "http://postmaster.comcast.net/smtp-error-codes.php#BL000000",
        T,
        S.CONTENT_REJECTED,
        D.SPAM_DETECTED,
    ),
    Case(
        "spam content",
        451,
        "4.7.1 Message held for spam content review",
        T,
        S.CONTENT_REJECTED,
        D.SPAM_DETECTED,
    ),
    Case(
        "attachment temp",
        451,
        "4.7.0 Attachment scanning timed out",
        T,
        S.ATTACHMENT_REJECTED,
        D.SPAM_DETECTED,
    ),
    Case(
        "too large temp",
        452,
        "4.3.4 Message size exceeds the limit",
        T,
        S.MESSAGE_TOO_LARGE,
        D.GENERAL,
    ),
    Case("bare 421", 421, "", T, S.GENERAL, D.RECIPIENT_SERVER_ERROR),
    Case(
        "bare 450",
        450,
        "Requested mail action not taken: mailbox unavailable",
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    Case(
        "bare 451",
        451,
        "Requested action aborted: local error in processing",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case("bare 452", 452, "", T, S.GENERAL, D.RECIPIENT_SERVER_ERROR),
    Case(
        "bare 454 tls", 454, "4.7.0 TLS not available due to local problem", T, S.GENERAL, D.GENERAL
    ),
    Case("4.4.x routing", 451, "4.4.0 DNS resolution failed", T, S.GENERAL, D.GENERAL),
    Case(
        "4.3.2 not accepting",
        421,
        "4.3.2 System not accepting network messages",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "mailbox busy",
        450,
        "4.2.1 Mailbox busy, try again later",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    Case(
        "too many connections",
        421,
        "Too many concurrent SMTP connections; please try again later.",
        T,
        S.GENERAL,
        D.IP_FAILURE,
    ),
    Case(
        "temporarily unavailable",
        450,
        "Service temporarily unavailable",
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
]


def _ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


@pytest.mark.parametrize("case", PERMANENT, ids=_ids(PERMANENT))
def test_permanent_replies(case: Case) -> None:
    verdict = classify_reply(SmtpReply.of(case.code, case.message))
    assert verdict.disposition is Disposition.FAILED
    assert (verdict.bounce_type, verdict.bounce_subtype) == (case.bounce_type, case.subtype)
    assert verdict.delay_type is None
    assert verdict.diagnostic_code is not None
    assert verdict.diagnostic_code.startswith(f"smtp; {case.code}")
    if case.reason is not None:
        assert verdict.reason is case.reason
    else:
        assert verdict.reason is not Reason.NO_MAILBOX


@pytest.mark.parametrize("case", TEMPORARY, ids=_ids(TEMPORARY))
def test_temporary_replies(case: Case) -> None:
    verdict = classify_reply(SmtpReply.of(case.code, case.message))
    assert verdict.disposition is Disposition.DEFERRED
    assert verdict.delay_type is case.delay_type
    assert verdict.bounce_type is BounceType.TRANSIENT  # what it bounces with on expiry
    assert verdict.bounce_subtype is case.subtype


@pytest.mark.parametrize(
    ("code", "message", "status"),
    [
        (250, "2.6.0 Message received", "2.6.0"),
        (250, "2.0.0 OK  1700000000 a1si2 - gsmtp", "2.0.0"),
        (250, "Ok: queued as 4F3A1C0A12", "2.0.0"),
        (250, "2.6.0 <id@email.amazonses.com> [InternalId=123] Queued mail for delivery", "2.6.0"),
        (251, "2.1.5 User not local; will forward", "2.1.5"),
        (250, "ok dirdel", "2.0.0"),
    ],
)
def test_delivered_replies(code: int, message: str, status: str) -> None:
    verdict = classify_reply(SmtpReply.of(code, message))
    assert verdict.disposition is Disposition.DELIVERED
    assert str(verdict.status) == status
    assert verdict.bounce_type is None
    assert verdict.delay_type is None


def test_status_and_diagnostic_of_a_reply() -> None:
    verdict = classify_reply(SmtpReply.of(550, "5.1.1 user unknown"))
    assert str(verdict.status) == "5.1.1"
    assert verdict.diagnostic_code == "smtp; 550 5.1.1 user unknown"
    bare = classify_reply(SmtpReply.of(550, "user unknown"))
    assert str(bare.status) == "5.0.0"  # as in SES's sample: "5.0.0" with "smtp; 550 user unknown"
    assert bare.diagnostic_code == "smtp; 550 user unknown"


class DsnCase(NamedTuple):
    id: str
    action: str | None
    status: str | None
    diagnostic: str | None
    disposition: Disposition
    bounce_type: BounceType | None
    subtype: BounceSubType | None
    delay_type: DelayType | None = None
    reason: Reason | None = None


DSN_CASES = [
    DsnCase(
        "ses doc sample",
        "failed",
        "5.0.0",
        "smtp; 550 user unknown",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "postfix x-postfix",
        "failed",
        "5.0.0",
        "X-Postfix; unknown user",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "postfix host said",
        "failed",
        "5.1.1",
        "smtp; 550 5.1.1 <x@example.net>: Recipient address rejected: User unknown",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "exim mailbox full",
        "failed",
        "5.0.0",
        "smtp; 550 5.2.2 <x@example.net>: mailbox full",
        Disposition.FAILED,
        T,
        S.MAILBOX_FULL,
    ),
    DsnCase(
        "gmail no such user",
        "failed",
        "5.1.1",
        "smtp; 550-5.1.1 The email account that you tried to reach does not exist. 550 5.1.1 "
        "https://support.google.com/mail/?p=NoSuchUser - gsmtp",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "microsoft",
        "failed",
        "5.1.10",
        "smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient user@contoso.com not found by "
        "SMTP address lookup",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "ses expiry mailbox full",
        "failed",
        "4.4.7",
        "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<452-4.2.2 The "
        "recipient's inbox is out of storage space. Please direct the<CRLF>452-4.2.2 recipient "
        "to<CRLF>452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp - gsmtp>",
        Disposition.FAILED,
        T,
        S.MAILBOX_FULL,
    ),
    DsnCase(
        "ses expiry timeout",
        "failed",
        "4.4.7",
        "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection "
        "timed out>",
        Disposition.FAILED,
        T,
        S.GENERAL,
    ),
    DsnCase(
        "ses expiry rate limited",
        "failed",
        "4.4.7",
        "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<451 4.7.651 The mail "
        "server [192.0.2.1] has been temporarily rate limited due to IP reputation.>",
        Disposition.FAILED,
        T,
        S.GENERAL,
    ),
    DsnCase(
        "postfix gave up",
        "failed",
        "4.4.1",
        "X-Postfix; connect to mx.example.net[192.0.2.1]:25: Connection timed out",
        Disposition.FAILED,
        T,
        S.GENERAL,
    ),
    DsnCase(
        "postfix delayed",
        "delayed",
        "4.4.1",
        "X-Postfix; connect to mx.example.net[192.0.2.1]:25: Connection refused",
        Disposition.DEFERRED,
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    DsnCase(
        "delayed mailbox full",
        "delayed",
        "4.2.2",
        "smtp; 452 4.2.2 Mailbox full",
        Disposition.DEFERRED,
        T,
        S.MAILBOX_FULL,
        D.MAILBOX_FULL,
    ),
    DsnCase(
        "delayed greylist",
        "delayed",
        "4.0.0",
        "smtp; 450 4.2.0 Greylisted",
        Disposition.DEFERRED,
        T,
        S.GENERAL,
        D.GENERAL,
    ),
    DsnCase(
        "delivered", "delivered", "2.0.0", "smtp; 250 2.0.0 OK", Disposition.DELIVERED, None, None
    ),
    DsnCase("relayed", "relayed", "2.0.0", None, Disposition.DELIVERED, None, None),
    DsnCase("expanded", "Expanded", "2.0.0", None, Disposition.DELIVERED, None, None),
    DsnCase("no information", "failed", None, None, Disposition.FAILED, U, S.UNDETERMINED),
    DsnCase(
        "only unhelpful text",
        "failed",
        None,
        "X-Unix; exit 75",
        Disposition.FAILED,
        U,
        S.UNDETERMINED,
    ),
    DsnCase("empty strings", "failed", "", "  ", Disposition.FAILED, U, S.UNDETERMINED),
    DsnCase("nothing at all", None, None, None, Disposition.FAILED, U, S.UNDETERMINED),
    DsnCase(
        "text only no mailbox",
        "failed",
        None,
        "X-Notes; User jdoe (jdoe@example.net) not listed in Domino Directory",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "text only user unknown",
        "failed",
        None,
        "X-Unix; user unknown",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase("code only", "failed", None, "smtp; 550 sorry", Disposition.FAILED, P, S.GENERAL),
    DsnCase(
        "status only 5.1.1",
        "failed",
        "5.1.1",
        None,
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase("status only 5.0.0", "failed", "5.0.0", None, Disposition.FAILED, P, S.GENERAL),
    DsnCase(
        "status with comment",
        "failed",
        "5.0.0 (permanent failure)",
        "smtp; 550 mailbox unavailable",
        Disposition.FAILED,
        P,
        S.GENERAL,
    ),
    DsnCase(
        "no action, 5xx status",
        None,
        "5.2.2",
        "smtp; 552 mailbox full",
        Disposition.FAILED,
        T,
        S.MAILBOX_FULL,
    ),
    DsnCase(
        "no action, 4xx status",
        None,
        "4.2.2",
        "smtp; 452 mailbox full",
        Disposition.DEFERRED,
        T,
        S.MAILBOX_FULL,
        D.MAILBOX_FULL,
    ),
    DsnCase(
        "no action, code only",
        None,
        None,
        "smtp; 421 try later",
        Disposition.DEFERRED,
        T,
        S.GENERAL,
        D.RECIPIENT_SERVER_ERROR,
    ),
    DsnCase("no action, 2xx code", None, None, "smtp; 250 ok", Disposition.DELIVERED, None, None),
    DsnCase(
        "status in diagnostic only",
        "failed",
        None,
        "smtp; 550 5.1.1 unknown",
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "upper-case action",
        "FAILED",
        "5.1.1",
        None,
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
    DsnCase(
        "upper-case type",
        "failed",
        "5.3.4",
        "SMTP; 552 5.3.4 Message too big",
        Disposition.FAILED,
        T,
        S.MESSAGE_TOO_LARGE,
    ),
    DsnCase(
        "no type prefix",
        "failed",
        "5.7.1",
        "554 5.7.1 message rejected as spam",
        Disposition.FAILED,
        T,
        S.CONTENT_REJECTED,
    ),
    DsnCase(
        "spam block list",
        "failed",
        "5.7.1",
        "smtp; 554 5.7.1 Client host blocked using zen.spamhaus.org",
        Disposition.FAILED,
        P,
        S.GENERAL,
    ),
    DsnCase(
        "failed with 4xx code, no status",
        "failed",
        None,
        "smtp; 452 4.2.2 over quota",
        Disposition.FAILED,
        T,
        S.MAILBOX_FULL,
    ),
    DsnCase(
        "unknown action word",
        "bogus",
        "5.1.1",
        None,
        Disposition.FAILED,
        P,
        S.GENERAL,
        reason=Reason.NO_MAILBOX,
    ),
]


@pytest.mark.parametrize("case", DSN_CASES, ids=[case.id for case in DSN_CASES])
def test_dsn_fields(case: DsnCase) -> None:
    verdict = classify_dsn_fields(case.action, case.status, case.diagnostic)
    assert verdict.disposition is case.disposition
    assert (verdict.bounce_type, verdict.bounce_subtype) == (case.bounce_type, case.subtype)
    assert verdict.delay_type is case.delay_type
    if case.reason is not None:
        assert verdict.reason is case.reason


def test_dsn_fields_keep_the_diagnostic_as_written() -> None:
    text = "smtp; 452 4.2.2  two  spaces"
    assert classify_dsn_fields("delayed", "4.2.2", f"  {text} ").diagnostic_code == text
    assert classify_dsn_fields("failed", None, None).diagnostic_code is None
    assert str(classify_dsn_fields("failed", "5.1.1 (x)", None).status) == "5.1.1"


@pytest.mark.parametrize(
    ("code", "status", "text", "reason"),
    [
        (550, None, "", Reason.OTHER),
        (None, None, "", Reason.UNKNOWN),
        (None, None, "no rule matches this", Reason.UNKNOWN),
        (452, None, "", Reason.SERVER),
        (552, None, "", Reason.MAILBOX_FULL),
    ],
)
def test_reason_defaults(code: int | None, status: None, text: str, reason: Reason) -> None:
    assert reason_of(code, status, text) is reason


@given(st.integers(200, 599), st.text(max_size=300))
def test_every_reply_gets_a_consistent_verdict(code: int, text: str) -> None:
    verdict = classify_reply(SmtpReply.of(code, text))
    if code < 300:
        assert verdict.disposition is Disposition.DELIVERED
        assert verdict.bounce_type is None
    elif code < 500:
        assert verdict.disposition is Disposition.DEFERRED
        assert verdict.bounce_type is BounceType.TRANSIENT
        assert verdict.delay_type is not None
    else:
        assert verdict.disposition is Disposition.FAILED
        assert verdict.bounce_type in (BounceType.PERMANENT, BounceType.TRANSIENT)
        assert verdict.delay_type is None
    if verdict.bounce_type is BounceType.PERMANENT:
        assert verdict.bounce_subtype is BounceSubType.GENERAL


@given(
    st.none() | st.text(max_size=20),
    st.none() | st.text(max_size=20),
    st.none() | st.text(max_size=200),
)
def test_dsn_fields_never_raise(
    action: str | None, status: str | None, diagnostic: str | None
) -> None:
    verdict = classify_dsn_fields(action, status, diagnostic)
    if verdict.disposition is Disposition.FAILED:
        assert verdict.bounce_type is not None
        assert verdict.bounce_subtype is not None
