"""SES-format message ids and the messages OpenSES itself writes.

A MessageId is ``<16 hex>-<UUID>-000000``: the 16 hex digits are a 2-digit prefix (``01``) and
the acceptance time in milliseconds since the epoch (14 hex digits). The ``Message-ID:`` header
is ``<MessageId@email.amazonses.com>`` in us-east-1 and ``<MessageId@<region>.amazonses.com>``
elsewhere (spec A19).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

MESSAGE_ID_PREFIX = "01"


def message_id(now: datetime, unique: str) -> str:
    """``unique`` is a random UUID's text, drawn by the caller (the domain draws nothing)."""
    millis = int(now.timestamp() * 1000)
    return f"{MESSAGE_ID_PREFIX}{millis:014x}-{unique}-000000"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc5322_date(now: datetime) -> str:
    """The ``Date:`` header value for ``now`` in UTC (``Tue, 04 Mar 2025 05:06:07 +0000``):
    what ``email.utils.format_datetime(now.astimezone(UTC))`` gives, without its cost."""
    instant = now.astimezone(UTC)
    return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (  # noqa: UP031 - the fastest formatting
        _WEEKDAYS[instant.weekday()],
        instant.day,
        _MONTHS[instant.month - 1],
        instant.year,
        instant.hour,
        instant.minute,
        instant.second,
    )


def message_id_header(message_id_value: str, region: str) -> str:
    host = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
    return f"<{message_id_value}@{host}>"


def verification_message(
    *, sender: str, address: str, region: str, link: str, message_id_value: str, now: datetime
) -> bytes:
    """The email that proves an address: following ``link`` within 24 hours verifies it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = f"OpenSES Email Address Verification Request in region {region}"
    message["Date"] = rfc5322_date(now)
    message["Message-ID"] = message_id_header(message_id_value, region)
    message.set_content(
        "Dear OpenSES customer,\n\n"
        f"We have received a request to authorize this email address for use with OpenSES in "
        f"region {region}. If you requested this verification, go to the following URL to "
        "confirm that you are authorized to use this email address:\n\n"
        f"{link}\n\n"
        "Your request will not be processed unless you confirm the address using this URL. "
        "This link expires 24 hours after your original verification request.\n\n"
        "If you did not request to verify this email address, do not click on the link.\n"
    )
    return bytes(message)
