"""The per-message return path, and the message id it carries back.

SES sends each message with the envelope sender ``<MessageId>@<mail domain>`` (spec 6.6: the
us-east-1 sample's ``Return-Path`` is ``<MessageId>@amazonses.com``), so that a bounce or
complaint arriving there names its message in its envelope recipient. Ours is
``<MessageId>@<bounce domain>``, the domain our feedback listener receives for.

Recovery is strict: the local part must have the shape of an SES MessageId, ``<16 hex>-<UUID>-
000000`` (spec 6.6), and the domain must be the bounce domain, compared case-insensitively (DNS
names are; a trailing root dot is accepted). Hex digits are accepted in either case and returned
lower-case, as we issue them. Anything else -- another domain, a VERP suffix, a quoted local
part -- is ``None``. The same shape is recovered from a ``Message-ID:`` header
(``<MessageId@email.amazonses.com>`` or ``<MessageId@<region>.amazonses.com>``, spec A19), where
any host is accepted because the header may have been written for another region.
"""

from __future__ import annotations

import re

_HEX = "[0-9a-fA-F]"
MESSAGE_ID_PATTERN = (
    f"{_HEX}{{16}}-{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}-000000"
)
_MESSAGE_ID = re.compile(MESSAGE_ID_PATTERN)
_HEADER = re.compile(rf"\s*<?\s*({MESSAGE_ID_PATTERN})@([A-Za-z0-9.-]+)\s*>?\s*")


def is_message_id(value: str) -> bool:
    """Whether ``value`` has the shape of an SES MessageId."""
    return _MESSAGE_ID.fullmatch(value) is not None


def return_path(message_id: str, bounce_domain: str) -> str:
    """The envelope sender of message ``message_id``: ``<message_id>@<bounce_domain>``."""
    if not is_message_id(message_id):
        raise ValueError(f"not an SES message id: {message_id!r}")
    domain = bounce_domain.strip().rstrip(".")
    if not domain or not re.fullmatch(r"[A-Za-z0-9.-]+", domain) or ".." in domain:
        raise ValueError(f"not a bounce domain: {bounce_domain!r}")
    return f"{message_id.lower()}@{domain}"


def message_id_from_return_path(address: str, bounce_domain: str) -> str | None:
    """The message id an envelope recipient names, or ``None`` when it is not one of ours."""
    value = address.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    local, at, domain = value.rpartition("@")
    if not at or not is_message_id(local):
        return None
    if domain.rstrip(".").lower() != bounce_domain.strip().rstrip(".").lower() or not domain:
        return None
    return local.lower()


def message_id_from_header(value: str) -> str | None:
    """The SES MessageId in a ``Message-ID:`` value such as ``<id@email.amazonses.com>``."""
    match = _HEADER.fullmatch(value)
    return match.group(1).lower() if match else None
