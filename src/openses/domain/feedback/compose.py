"""The feedback messages we write: DSNs, ARF complaint reports, out-of-office replies.

Used for the mailbox simulator's bounce, complaint and out-of-office responses and for email
feedback forwarding. The DSN follows what SES sends (From ``MAILER-DAEMON@<mail domain>``,
subject ``Delivery Status Notification (Failure)``, a ``text/plain`` "Notification" part
"An error occurred while trying to deliver the mail to the following recipients:", a
``message/delivery-status`` part, then the original) within RFC 3464 and RFC 6522; the
complaint report follows RFC 5965 (``Feedback-Type``, ``User-Agent``, ``Version: 1``,
``Original-Mail-From``, ``Original-Rcpt-To``, ``Arrival-Date``, ``Reporting-MTA``,
``Source-IP``); the out-of-office reply follows RFC 3834 (``Auto-Submitted: auto-replied``,
``In-Reply-To``/``References``, subject ``Auto: <original subject>``, sent to the return path).

Our decisions where SES shows nothing: the original is returned as its header section
(``text/rfc822-headers``, RFC 6522 section 4) unless ``return_body`` asks for the whole
message (``message/rfc822``); every line ends in CRLF; header fields longer than 78
characters are folded before a space, which unfolding undoes exactly; CR and LF inside a value
become spaces; the multipart boundary is ``=_`` and 40 hex digits of a SHA-256 digest of the
message id and the parts, unless one is passed in. Equal inputs give equal bytes: ``now`` and
``message_id`` are arguments, nothing is drawn.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

from openses.domain.feedback.dsn import DsnRecipient
from openses.domain.mail.headers import MalformedMessage, RawMessage

CRLF = b"\r\n"
FOLD_AT = 78
DSN_SUBJECT = "Delivery Status Notification (Failure)"
DELAY_SUBJECT = "Delivery Status Notification (Delay)"
DSN_NOTICE = "An error occurred while trying to deliver the mail to the following recipients:"
DELAY_NOTICE = "Delivery to the following recipients has been delayed:"
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,./:=?\- ]{0,69}[0-9A-Za-z'()+_,./:=?\-]")


def mailer_daemon(mail_domain: str) -> str:
    """SES's DSN sender: ``MAILER-DAEMON@<mail domain>``."""
    return f"MAILER-DAEMON@{mail_domain}"


def _date(when: datetime) -> str:
    return format_datetime(
        when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    )


def _line(value: str) -> str:
    return re.sub(r"\r\n|\r|\n", " ", value)


def _field(name: str, value: str) -> bytes:
    """``Name: value``, CRLF-terminated, folded before spaces to keep lines within 78
    characters where the words allow; every folded line keeps a word, and unfolding (removing
    the inserted CRLFs) gives back the value exactly."""
    text = f"{name}: {_line(value).rstrip()}"
    chunks = re.split(r"(?<=\S)(?= )", text)  # each chunk after the first: spaces, then a word
    lines = ["".join(chunks[:2])]  # never fold between the name and the first word
    for chunk in chunks[2:]:
        if len(lines[-1]) + len(chunk) > FOLD_AT:
            lines.append(chunk)
        else:
            lines[-1] += chunk
    return "\r\n".join(lines).encode("utf-8") + CRLF


def _crlf(data: bytes) -> bytes:
    return re.sub(rb"\r\n|\r|\n", b"\r\n", data)


def _original_part(original: bytes, return_body: bool, description: str) -> bytes:
    """The returned original: the whole message or its header section."""
    if return_body:
        body = _crlf(original)
        kind = b"message/rfc822"
    else:
        try:
            body = _crlf(RawMessage.parse(original).header)
        except MalformedMessage:
            body = _crlf(original)
            body = body.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" if body.strip() else b""
        kind = b"text/rfc822-headers"
    header = b"Content-Type: " + kind + CRLF
    if not body.isascii():
        header += b"Content-Transfer-Encoding: 8bit" + CRLF
    return header + f"Content-Description: {description}".encode() + CRLF + CRLF + body


def _boundary(message_id: str, parts: Sequence[bytes], given: str | None) -> str:
    if given is not None:
        if not _BOUNDARY.fullmatch(given) or any(f"--{given}".encode() in p for p in parts):
            raise ValueError(f"unusable MIME boundary: {given!r}")
        return given
    digest = hashlib.sha256(message_id.encode("utf-8"))
    for part in parts:
        digest.update(part + b"\0")
    salt = 0
    while True:
        candidate = "=_" + hashlib.sha256(digest.digest() + str(salt).encode()).hexdigest()[:40]
        if not any(f"--{candidate}".encode() in part for part in parts):
            return candidate
        salt += 1


def _report(
    headers: Sequence[tuple[str, str]],
    report_type: str,
    message_id: str,
    parts: Sequence[bytes],
    boundary: str | None,
) -> bytes:
    chosen = _boundary(message_id, parts, boundary)
    out = [_field(name, value) for name, value in headers]
    out.append(b"MIME-Version: 1.0" + CRLF)
    content_type = f'multipart/report; report-type={report_type};\r\n\tboundary="{chosen}"'
    out.append(f"Content-Type: {content_type}".encode() + CRLF)
    out.append(CRLF)
    for part in parts:
        out.append(f"--{chosen}".encode() + CRLF + part)
        if not part.endswith(CRLF):
            out.append(CRLF)
    out.append(f"--{chosen}--".encode() + CRLF)
    return b"".join(out)


def _text_part(text: str, description: str) -> bytes:
    body = _crlf(text.encode("utf-8"))
    if not body.endswith(CRLF):
        body += CRLF
    charset = "us-ascii" if body.isascii() else "UTF-8"
    encoding = "7bit" if body.isascii() else "8bit"
    return (
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n"
        f"Content-Description: {description}\r\n\r\n"
    ).encode() + body


def compose_dsn(
    *,
    mail_domain: str,
    to: str,
    message_id: str,
    now: datetime,
    reporting_mta: str,
    recipients: Sequence[DsnRecipient],
    original: bytes,
    arrival_date: datetime | None = None,
    original_envelope_id: str | None = None,
    return_body: bool = False,
    subject: str | None = None,
    boundary: str | None = None,
) -> bytes:
    """A DSN to ``to`` (the return path) about ``recipients`` of ``original``.

    ``message_id`` is the whole ``Message-ID`` value (``<id@host>``); ``reporting_mta`` our
    host name (written ``dns; <host>``); each recipient's fields are written as given.
    """
    if not recipients:
        raise ValueError("a DSN reports on at least one recipient")
    delayed = all(recipient.action == "delayed" for recipient in recipients)
    notice = DELAY_NOTICE if delayed else DSN_NOTICE
    listed = "".join(f"{r.address}\n" for r in recipients if r.address)
    status = [_field("Reporting-MTA", f"dns; {reporting_mta}")]
    if original_envelope_id is not None:
        status.append(_field("Original-Envelope-Id", original_envelope_id))
    if arrival_date is not None:
        status.append(_field("Arrival-Date", _date(arrival_date)))
    for recipient in recipients:
        status.append(CRLF)
        status.extend(_recipient_fields(recipient))
    status_part = (
        b"Content-Type: message/delivery-status"
        + CRLF
        + b"Content-Description: Delivery Status Notification"
        + CRLF
        + CRLF
        + b"".join(status)
    )
    if not b"".join(status).isascii():
        status_part = status_part.replace(
            b"message/delivery-status", b"message/global-delivery-status", 1
        )
    parts = [
        _text_part(f"{notice}\n{listed}", "Notification"),
        status_part,
        _original_part(original, return_body, "Undelivered Message"),
    ]
    headers = [
        ("Date", _date(now)),
        ("From", mailer_daemon(mail_domain)),
        ("To", to),
        ("Message-ID", message_id),
        ("Subject", subject or (DELAY_SUBJECT if delayed else DSN_SUBJECT)),
    ]
    return _report(headers, "delivery-status", message_id, parts, boundary)


def _recipient_fields(recipient: DsnRecipient) -> list[bytes]:
    fields: list[bytes] = []
    if recipient.original_recipient is not None:
        fields.append(_field("Original-Recipient", f"rfc822; {recipient.original_recipient}"))
    if recipient.final_recipient is not None:
        fields.append(_field("Final-Recipient", f"rfc822; {recipient.final_recipient}"))
    for name, value in (
        ("Action", recipient.action),
        ("Status", recipient.status),
        ("Remote-MTA", recipient.remote_mta),
        ("Diagnostic-Code", recipient.diagnostic_code),
    ):
        if value is not None:
            fields.append(_field(name, value))
    if recipient.last_attempt_date is not None:
        fields.append(_field("Last-Attempt-Date", _date(recipient.last_attempt_date)))
    if recipient.will_retry_until is not None:
        fields.append(_field("Will-Retry-Until", _date(recipient.will_retry_until)))
    return fields


def compose_arf(
    *,
    from_address: str,
    to: str,
    message_id: str,
    now: datetime,
    user_agent: str,
    original: bytes,
    feedback_type: str = "abuse",
    version: str = "1",
    original_mail_from: str | None = None,
    original_rcpt_to: Sequence[str] = (),
    arrival_date: datetime | None = None,
    reporting_mta: str | None = None,
    source_ip: str | None = None,
    return_body: bool = False,
    subject: str = "Complaint about a message you sent",
    boundary: str | None = None,
) -> bytes:
    """An RFC 5965 complaint report to ``to`` about ``original``."""
    fields = [
        _field("Feedback-Type", feedback_type),
        _field("User-Agent", user_agent),
        _field("Version", version),
    ]
    if original_mail_from is not None:
        fields.append(_field("Original-Mail-From", f"<{original_mail_from}>"))
    fields.extend(_field("Original-Rcpt-To", f"<{rcpt}>") for rcpt in original_rcpt_to)
    if arrival_date is not None:
        fields.append(_field("Arrival-Date", _date(arrival_date)))
    if reporting_mta is not None:
        fields.append(_field("Reporting-MTA", f"dns; {reporting_mta}"))
    if source_ip is not None:
        fields.append(_field("Source-IP", source_ip))
    notice = "This is an email abuse report for a message you sent"
    notice += f" from {source_ip}." if source_ip else "."
    report_part = b"Content-Type: message/feedback-report" + CRLF + CRLF + b"".join(fields)
    parts = [
        _text_part(notice + "\n", "Notification"),
        report_part,
        _original_part(original, return_body, "Original Message"),
    ]
    headers = [
        ("Date", _date(now)),
        ("From", from_address),
        ("To", to),
        ("Message-ID", message_id),
        ("Subject", subject),
    ]
    return _report(headers, "feedback-report", message_id, parts, boundary)


def compose_auto_reply(
    *,
    from_address: str,
    to: str,
    message_id: str,
    now: datetime,
    original_subject: str | None,
    original_message_id: str | None,
    text: str = "I am out of the office and will reply to your message when I return.\n",
) -> bytes:
    """An RFC 3834 out-of-office reply from ``from_address`` to ``to`` (the return path)."""
    subject = _line(original_subject or "").strip()
    headers = [
        ("Date", _date(now)),
        ("From", from_address),
        ("To", to),
        ("Message-ID", message_id),
        ("Subject", f"Auto: {subject}" if subject else "Auto: Out of the office"),
    ]
    if original_message_id:
        headers.append(("In-Reply-To", original_message_id))
        headers.append(("References", original_message_id))
    headers.append(("Auto-Submitted", "auto-replied"))
    body = _crlf(text.encode("utf-8"))
    if not body.endswith(CRLF):
        body += CRLF
    charset, encoding = ("us-ascii", "7bit") if body.isascii() else ("UTF-8", "8bit")
    out = [_field(name, value) for name, value in headers]
    out.append(b"MIME-Version: 1.0" + CRLF)
    out.append(f"Content-Type: text/plain; charset={charset}".encode() + CRLF)
    out.append(f"Content-Transfer-Encoding: {encoding}".encode() + CRLF + CRLF)
    return b"".join(out) + body
