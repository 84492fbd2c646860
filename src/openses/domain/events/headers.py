"""The ``headers`` list and ``commonHeaders`` object of SES's notifications and event records.

``headers`` lists every field of the message's header section in order as ``{"name",
"value"}``: the name as written, the value unfolded, trimmed and RFC 2047-decoded (SES's own
notifications show ``Subject`` values decoded; a malformed encoded-word stays as written).
SES reports the message *as the client submitted it*: the client's own Message-ID and Date (or
none), and control headers such as ``X-SES-CONFIGURATION-SET`` still present.

Truncation: SES documents that it truncates the headers when the original header section is
10 KB or larger, and sets ``headersTruncated``; it does not say what remains. We measure the
header section's bytes (without the blank line that ends it); at 10,240 bytes or more the list
keeps whole fields from the top for as long as their bytes stay under 10,240, and
``headersTruncated`` is true. ``commonHeaders`` is always taken from the whole header section.

``commonHeaders`` carries, in SES's order and only for fields the message has: ``returnPath``
(the bare address), ``from``, ``replyTo``, ``date`` (as written), ``to``, ``cc``, ``bcc``,
``messageId`` and ``subject`` (decoded). Address fields are lists with one element per mailbox
(every field of that name, groups flattened): ``addr`` or ``Name <addr>`` with the display name
decoded, and quoted (``"Doe, Jane" <jane@example.com>``) only when it contains one of RFC 5322's
specials, as SES shows names (``"Sender Name" <...>`` in a header becomes ``Sender Name <...>``).
A field whose value does not parse as addresses is shown as one element, its decoded value.
One documentation sample puts a whole three-address To header into a single element; real
notifications and the other samples show one element per address, which we follow.
``messageId`` is the original Message-ID for identity notifications and SES's own message id
for event records (as SES's samples and real records show); see :func:`common_headers`.
"""

from __future__ import annotations

from collections.abc import Iterable

from openses.domain.mail import (
    InvalidAddress,
    Mailbox,
    RawMessage,
    decode_words,
    parse_address_list,
    parse_addresses,
)
from openses.domain.mail.headers import NO_SEPARATOR, MalformedMessage

#: SES truncates the headers it reports once the original header section reaches 10 KB.
HEADERS_LIMIT_BYTES = 10 * 1024

_SPECIALS = frozenset('()<>@,;:\\".[]')


def read_headers(data: bytes) -> RawMessage:
    """The header fields of ``data``: a whole message, or a header section with or without the
    blank line that ends it. Raises ``MalformedMessage`` for anything else."""
    try:
        return RawMessage.parse(data)
    except MalformedMessage as error:
        if error.reason != NO_SEPARATOR:
            raise
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    end = b"" if data.endswith(b"\n") else newline
    return RawMessage.parse(data + end + newline)


def header_list(message: RawMessage) -> tuple[list[dict[str, str]], bool]:
    """The ``headers`` list and whether it was truncated (``headersTruncated``)."""
    total = sum(len(field.raw) for field in message.fields)
    kept: list[dict[str, str]] = []
    size = 0
    for field in message.fields:
        size += len(field.raw)
        if total >= HEADERS_LIMIT_BYTES and size >= HEADERS_LIMIT_BYTES:
            break
        kept.append({"name": field.name, "value": decode_words(field.value)})
    return kept, total >= HEADERS_LIMIT_BYTES


def common_headers(message: RawMessage, *, message_id: str | None = None) -> dict[str, object]:
    """The ``commonHeaders`` object; ``message_id`` replaces the message's own Message-ID (an
    event record shows SES's message id there)."""
    common: dict[str, object] = {}
    return_path = message.first("Return-Path")
    if return_path is not None:
        common["returnPath"] = _bare_address(return_path)
    _put_addresses(common, "from", message.all("From"))
    _put_addresses(common, "replyTo", message.all("Reply-To"))
    date = message.first("Date")
    if date is not None:
        common["date"] = date
    for key, name in (("to", "To"), ("cc", "Cc"), ("bcc", "Bcc")):
        _put_addresses(common, key, message.all(name))
    original_id = message.first("Message-ID")
    if message_id is not None or original_id is not None:
        common["messageId"] = message_id if message_id is not None else original_id
    subject = message.first("Subject")
    if subject is not None:
        common["subject"] = decode_words(subject)
    return common


def shown_addresses(values: Iterable[str]) -> list[str]:
    """Address field values as ``commonHeaders`` lists them, one element per mailbox."""
    shown: list[str] = []
    for value in values:
        try:
            mailboxes = parse_address_list(value)
        except InvalidAddress:
            mailboxes = []
        if mailboxes:
            shown.extend(shown_mailbox(mailbox) for mailbox in mailboxes)
        elif value:
            shown.append(decode_words(value))
    return shown


def shown_mailbox(mailbox: Mailbox) -> str:
    """``addr`` or ``Name <addr>``, the name quoted only when RFC 5322 requires it."""
    name = mailbox.display_name
    if not name:
        return mailbox.address
    if any(ch in _SPECIALS or ord(ch) < 0x20 or ch == "\x7f" for ch in name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{mailbox.address}>"


def from_domain(message: RawMessage | None, source: str) -> str:
    """The ``ses:from-domain`` tag: the domain of the first From mailbox, else of ``source``."""
    if message is not None:
        try:
            mailboxes = parse_addresses(message.all("From"))
        except InvalidAddress:
            mailboxes = []
        if mailboxes:
            return mailboxes[0].domain
    try:
        mailboxes = parse_address_list(source)
    except InvalidAddress:
        mailboxes = []
    return mailboxes[0].domain if mailboxes else source.rpartition("@")[2].strip("<> ")


def _put_addresses(common: dict[str, object], key: str, values: list[str]) -> None:
    shown = shown_addresses(values)
    if shown:
        common[key] = shown


def _bare_address(value: str) -> str:
    try:
        mailboxes = parse_address_list(value)
    except InvalidAddress:
        mailboxes = []
    return mailboxes[0].address if mailboxes else value.strip("<> \t")
