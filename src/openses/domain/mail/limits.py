"""The size, recipient and header limits SES enforces on a message, as problem strings.

SES refuses a message over 10 MB (10,485,760 bytes) on the v1 API and over 40 MB on the v2 API
and SMTP, sizes measured on the MIME message as sent; more than 50 recipients across To, Cc and
Bcc (``Recipient count exceeds 50.``, observed as ``InvalidParameterValue`` and as SMTP ``554
Transaction failed: ...``); a message with no recipient (``Missing required header 'To'.``,
observed for raw sends without destinations or ``To:``); a header field that may appear only once
but appears twice (``Duplicate header 'Content-Type'.``, observed over SMTP; the list of such
fields is the developer guide's); and v2 custom ``Headers`` beyond 15, with a name outside 1-126
printable ASCII characters other than ``:``, a value outside 1-995 printable ASCII characters,
name and value together over 996, or a name SES sets itself (Bcc, Cc, Content-Disposition,
Content-Type, Date, From, Message-ID, MIME-Version, Reply-To, Return-Path, Subject, To).
Where SES's wording is unknown (the size limit and the custom-header rules) the messages here
are ours, written in the same style; callers choose the error code. Every check returns
``None`` when the message passes, so callers can collect problems without exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence

from openses.domain.mail.headers import RawMessage

V1_MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # 10,485,760
V2_MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # 41,943,040
SMTP_MAX_MESSAGE_BYTES = V2_MAX_MESSAGE_BYTES
MAX_RECIPIENTS = 50
MAX_CUSTOM_HEADERS = 15
MAX_HEADER_NAME = 126
MAX_HEADER_VALUE = 995
MAX_HEADER_NAME_AND_VALUE = 996

NO_RECIPIENTS = "Missing required header 'To'."

DISALLOWED_CUSTOM_HEADERS = (
    "BCC",
    "CC",
    "Content-Disposition",
    "Content-Type",
    "Date",
    "From",
    "Message-ID",
    "MIME-Version",
    "Reply-To",
    "Return-Path",
    "Subject",
    "To",
)
_DISALLOWED = frozenset(name.lower() for name in DISALLOWED_CUSTOM_HEADERS)

# header-fields.md: these may appear at most once in a message's header section
SINGLE_INSTANCE_HEADERS = (
    "Accept-Language",
    "acceptLanguage",
    "Archived-At",
    "Auto-Submitted",
    "Bounces-to",
    "Comments",
    "Content-Alternative",
    "Content-Base",
    "Content-Class",
    "Content-Description",
    "Content-Disposition",
    "Content-Duration",
    "Content-ID",
    "Content-Language",
    "Content-Length",
    "Content-Location",
    "Content-MD5",
    "Content-Transfer-Encoding",
    "Content-Type",
    "Date",
    "Delivered-To",
    "Disposition-Notification-Options",
    "Disposition-Notification-To",
    "DKIM-Signature",
    "DomainKey-Signature",
    "Errors-To",
    "From",
    "Importance",
    "In-Reply-To",
    "Keywords",
    "List-Archive",
    "List-Help",
    "List-Id",
    "List-Owner",
    "List-Post",
    "List-Subscribe",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Message-Context",
    "Message-ID",
    "MIME-Version",
    "Organization",
    "Original-From",
    "Original-Message-ID",
    "Original-Recipient",
    "Original-Subject",
    "Precedence",
    "Priority",
    "References",
    "Reply-To",
    "Return-Path",
    "Return-Receipt-To",
    "Sender",
    "Solicitation",
    "Sensitivity",
    "Subject",
    "Thread-Index",
    "Thread-Topic",
    "User-Agent",
    "VBR-Info",
)
_SINGLE = frozenset(name.lower() for name in SINGLE_INSTANCE_HEADERS)


def message_size_problem(size: int, limit: int) -> str | None:
    """``size`` bytes against ``limit`` (``V1_MAX_MESSAGE_BYTES`` or ``V2_MAX_MESSAGE_BYTES``)."""
    if size > limit:
        return f"Message length exceeds the limit of {limit} bytes: {size} bytes."
    return None


def recipient_count_problem(count: int) -> str | None:
    """At least one and at most 50 recipients (To, Cc and Bcc together)."""
    if count < 1:
        return NO_RECIPIENTS
    if count > MAX_RECIPIENTS:
        return f"Recipient count exceeds {MAX_RECIPIENTS}."
    return None


def duplicate_header_problem(message: RawMessage) -> str | None:
    """The first field that may appear once but appears again, as SES words it."""
    seen: set[str] = set()
    for field in message.fields:
        key = field.name.lower()
        if key in _SINGLE:
            if key in seen:
                return f"Duplicate header '{field.name}'."
            seen.add(key)
    return None


def _printable(text: str, *, space: bool) -> bool:
    low = " " if space else "!"
    return all(low <= ch <= "~" for ch in text)


def custom_header_problem(name: str, value: str) -> str | None:
    """One v2 ``Headers`` entry against SES's rules."""
    if not 1 <= len(name) <= MAX_HEADER_NAME or not _printable(name, space=False) or ":" in name:
        return (
            f"Invalid header name '{name}': it must be 1 to {MAX_HEADER_NAME} printable ASCII "
            "characters other than ':'."
        )
    if name.lower() in _DISALLOWED:
        return f"Header '{name}' is set by SES and cannot be given as a custom header."
    if not 1 <= len(value) <= MAX_HEADER_VALUE or not _printable(value, space=True):
        return (
            f"Invalid value for header '{name}': it must be 1 to {MAX_HEADER_VALUE} printable "
            "ASCII characters."
        )
    if len(name) + len(value) > MAX_HEADER_NAME_AND_VALUE:
        return (
            f"Header '{name}' is too long: name and value together exceed "
            f"{MAX_HEADER_NAME_AND_VALUE} characters."
        )
    return None


def custom_headers_problem(headers: Sequence[tuple[str, str]]) -> str | None:
    """The first problem with a v2 ``Headers`` list (at most 15 entries, each valid)."""
    if len(headers) > MAX_CUSTOM_HEADERS:
        return f"Too many custom headers: {len(headers)}, the limit is {MAX_CUSTOM_HEADERS}."
    for name, value in headers:
        problem = custom_header_problem(name, value)
        if problem is not None:
            return problem
    return None
