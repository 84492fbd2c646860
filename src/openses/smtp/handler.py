"""What a connection hands to the service: envelope checks and the submission itself.

:class:`SesHandler` holds aiosmtpd's handler hooks (``handle_MAIL``, ``handle_RCPT``,
``handle_DATA``); :mod:`openses.smtp.session` is the protocol that calls them. The hooks check
envelope addresses (:mod:`openses.smtp.addresses`), count recipients against the limit, and pass
the exact received bytes to the backend with a :class:`~openses.services.principals.Call` for the
session's principal and region, the peer's IP address and ``secure_transport=True`` (AUTH is
impossible without TLS). A :class:`~openses.services.errors.ServiceError` becomes SES's reply
(:func:`openses.smtp.replies.for_error`); anything unexpected is logged and answered with a
temporary failure, so that the client keeps the message and retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aiosmtpd.smtp import Envelope, Session

from openses.services.errors import ServiceError
from openses.services.principals import Call
from openses.smtp import replies
from openses.smtp.addresses import is_valid_address
from openses.smtp.credentials import SmtpIdentity
from openses.smtp.ports import SmtpBackend

if TYPE_CHECKING:
    from openses.smtp.session import SesSmtp

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """What every connection of one service shares: the backend, the clock and the limits."""

    backend: SmtpBackend
    clock: Callable[[], datetime]
    hostname: str
    default_region: str
    regions: Sequence[str]
    max_message_size: int
    max_recipients: int
    idle_timeout: float


class SubmissionEnvelope(Envelope):
    """aiosmtpd's envelope, remembering that a RCPT went over the recipient limit (the whole
    transaction then fails at DATA, as at SES: never deliver to a silent subset)."""

    def __init__(self) -> None:
        super().__init__()
        self.too_many_recipients = False


class SesHandler:
    """aiosmtpd's handler hooks: envelope checks and the submission itself."""

    def __init__(self, policy: SessionPolicy) -> None:
        self.policy = policy

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook names)
        self,
        server: SesSmtp,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if not is_valid_address(address):
            return replies.invalid_sender(server.written_address(address))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return replies.OK

    async def handle_RCPT(  # noqa: N802
        self,
        server: SesSmtp,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not is_valid_address(address):
            return replies.unknown_recipient(server.written_address(address))
        limit = self.policy.max_recipients
        if len(envelope.rcpt_tos) >= limit:
            if isinstance(envelope, SubmissionEnvelope):
                envelope.too_many_recipients = True
            return replies.too_many_recipients(limit)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return replies.OK

    async def handle_DATA(  # noqa: N802
        self, server: SesSmtp, session: Session, envelope: Envelope
    ) -> str:
        identity: object = session.auth_data
        if not isinstance(identity, SmtpIdentity):  # aiosmtpd checked AUTH already
            return replies.AUTH_REQUIRED
        assert envelope.mail_from is not None
        assert envelope.original_content is not None
        call = Call(
            identity.principal,
            identity.region,
            now=self.policy.clock(),
            source_ip=server.source_ip,
            secure_transport=True,
        )
        try:
            async with server.busy():
                message_id = await self.policy.backend.submit_smtp(
                    call, envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content
                )
        except ServiceError as error:
            reply = replies.for_error(error)
            if reply is not None:
                return reply
            log.exception("SMTP submission raised an unexpected %s", type(error).__name__)
            return replies.TEMPORARY_FAILURE
        except Exception:
            log.exception("SMTP submission failed")
            return replies.TEMPORARY_FAILURE
        return replies.accepted(message_id)

    async def handle_exception(self, error: Exception) -> str:
        log.error("SMTP session error", exc_info=error)
        return replies.TEMPORARY_FAILURE
