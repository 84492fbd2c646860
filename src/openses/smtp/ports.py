"""What the SMTP edge needs from the services: key lookup and raw-message submission.

The composition root implements :class:`SmtpBackend`; the listener only speaks SMTP. SES's SMTP
interface is ``ses:SendRawEmail`` with ``ses:ApiVersion`` "2" (spec §1.4): the backend treats a
submission as SendRawEmail whose ``Source`` is the envelope ``MAIL FROM`` and whose
destinations are the ``RCPT TO`` addresses (spec §2.3), and reads the ``X-SES-*`` headers from
the message itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from openses.services.principals import Call, Principal


class SmtpBackend(Protocol):
    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        """The secret access key and principal of an *active* key; None for any other key.

        Keys SES does not accept on SMTP (inactive, unknown, temporary STS keys) are all None:
        the client sees ``535 Authentication Credentials Invalid`` for each alike.
        """

    async def submit_smtp(
        self, call: Call, mail_from: str, recipients: Sequence[str], data: bytes
    ) -> str:
        """Accept the message and return its SES MessageId, or raise a ``ServiceError``.

        ``data`` is the message exactly as received after DATA (dot-unstuffed, CRLF line ends).
        """
