"""The feedback listener: the SMTP server the bounce domain's MX points at.

Receivers send bounces (DSNs) and complaints (ARF reports) to the envelope sender of our
messages, ``<MessageId>@<bounce domain>`` (or a custom MAIL FROM domain). This listener takes
mail for such addresses only (``550 5.1.1`` for any other recipient), no authentication, as an
MX does; STARTTLS is offered with the same certificate as the submission listeners. A report is
answered ``250`` only after the service has recorded what it says (``451`` if that failed, so
the sender tries again later); one it cannot read is accepted and dropped, as MXs do with
backscatter they cannot use.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from aiosmtpd.smtp import SMTP, Envelope, Session

from openses.config import HostPort

log = logging.getLogger("openses.feedback")

MAX_REPORT_SIZE = 10 * 1024 * 1024


class FeedbackBackend(Protocol):
    def accepts(self, recipient: str) -> bool: ...
    async def take(self, recipients: Sequence[str], data: bytes, now: datetime) -> object: ...


class _Handler:
    def __init__(self, backend: FeedbackBackend, clock: Callable[[], datetime]) -> None:
        self.backend = backend
        self.clock = clock

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.backend.accepts(address):
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        data = envelope.original_content or b""
        try:
            await self.backend.take(list(envelope.rcpt_tos), bytes(data), self.clock())
        except Exception:
            log.exception("could not record feedback for %s", envelope.rcpt_tos)
            return "451 4.3.0 Could not record the report; try again later"
        return "250 2.0.0 Ok: report received"


async def start_feedback_listener(
    address: HostPort,
    backend: FeedbackBackend,
    *,
    hostname: str,
    clock: Callable[[], datetime],
    tls_context: ssl.SSLContext | None = None,
) -> asyncio.Server:
    """Listen on ``address`` (port 0 binds a free one) on the running loop."""
    loop = asyncio.get_running_loop()
    handler = _Handler(backend, clock)

    def make() -> SMTP:
        options: dict[str, Any] = {}
        if tls_context is not None:
            options["tls_context"] = tls_context
        return SMTP(
            handler,
            hostname=hostname,
            data_size_limit=MAX_REPORT_SIZE,
            decode_data=False,
            loop=loop,
            **options,
        )

    return await loop.create_server(make, address.host, address.port)
