"""A loopback SMTP server that receives what OpenSES delivers: the test's "MX" or smarthost.

:class:`MailSink` runs aiosmtpd in its own thread on an ephemeral port of 127.0.0.1 and keeps
every message it accepted (:attr:`MailSink.received`). What it answers is scripted by the
recipient's local part, so one sink can play every kind of receiver:

* ``reject…@`` - ``550 5.1.1`` at RCPT;  ``full…@`` - ``552 5.2.2`` at RCPT;
* ``later…@`` - ``451 4.3.0`` at RCPT;  ``spam…@`` - ``554 5.7.1`` at DATA (whole message);
* anything else is accepted.

Optionally it answers slowly (``delay`` seconds per message), offers STARTTLS (with a
self-signed certificate made for the test) and requires AUTH.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from openses.smtp.tls import ensure_self_signed, server_context
from tests.support.openses_server import free_port


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes
    tls: bool


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0  # seconds each DATA takes (a slow receiver)
    lock: threading.Lock = field(default_factory=threading.Lock)
    condition: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.condition = threading.Condition(self.lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.partition("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 The email account that you tried to reach does not exist"
        if local.startswith("full"):
            return "552 5.2.2 The recipient's mailbox is full"
        if local.startswith("later"):
            return "451 4.3.0 Temporary local problem, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if any(r.partition("@")[0].lower().startswith("spam") for r in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected as spam"
        content = envelope.original_content or b""
        with self.condition:
            self.received.append(
                Received(
                    str(envelope.mail_from),
                    list(envelope.rcpt_tos),
                    bytes(content),
                    session.ssl is not None,
                )
            )
            self.condition.notify_all()
        return "250 2.0.0 Ok: queued as SINK"


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode() == user and data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return check


class MailSink:
    def __init__(
        self,
        *,
        tls_dir: Path | None = None,
        auth: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
        delay: float = 0.0,
    ) -> None:
        self.handler = _Handler(delay=delay)
        self.port = free_port()
        self.host = host
        kwargs: dict[str, Any] = {}
        if tls_dir is not None:
            kwargs["tls_context"] = _server_context(tls_dir)
        if auth is not None:
            kwargs["authenticator"] = _authenticator(*auth)
            kwargs["auth_required"] = True
            kwargs["auth_require_tls"] = tls_dir is not None
        self.controller = Controller(
            self.handler, hostname=host, port=self.port, decode_data=False, **kwargs
        )

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """The received messages once there are at least ``count`` (fails after ``timeout``)."""
        with self.handler.condition:
            if not self.handler.condition.wait_for(
                lambda: len(self.handler.received) >= count, timeout
            ):
                raise AssertionError(
                    f"the sink got {len(self.handler.received)} messages, not {count}"
                )
            return list(self.handler.received)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.controller.stop()


def _server_context(directory: Path) -> ssl.SSLContext:
    return server_context(*ensure_self_signed(directory, "localhost"))
