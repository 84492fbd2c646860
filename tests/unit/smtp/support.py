"""SesSmtp sessions driven in process: a fake transport, a recording backend, no sockets.

A :class:`Conversation` feeds the protocol bytes in the chunks a test chooses and records every
byte the protocol writes, so the same input can be played to OpenSES's session and to one that
uses aiosmtpd's own code for a command, and the transcripts compared.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.smtp import SMTP

from openses.domain.smtp_password import derive_smtp_password
from openses.services.principals import Call, Principal
from openses.smtp.handler import SesHandler, SessionPolicy
from openses.smtp.session import ConnectionRegistry, SesSmtp
from tests.wire.fakes import USER_KEY, USER_SECRET, FakeAuthenticator

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
REGION = "us-east-1"
MESSAGE_ID = "0100019c8e1a2b3c-6f1d8c2e-5a4b-4c3d-9e8f-7a6b5c4d3e2f-000000"


@dataclass
class RecordingBackend:
    keys: FakeAuthenticator = field(default_factory=FakeAuthenticator)
    submissions: list[tuple[str, tuple[str, ...], bytes]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        return await self.keys.credentials(access_key_id)

    async def submit_smtp(
        self, call: Call, mail_from: str, recipients: Sequence[str], data: bytes
    ) -> str:
        self.submissions.append((mail_from, tuple(recipients), data))
        self.calls.append(call)
        return MESSAGE_ID


class AiosmtpdData(SesSmtp):
    """OpenSES's session, but reading DATA with aiosmtpd's own code: the reference."""

    async def _ses_data(self, arg: str) -> None:
        await SMTP.smtp_DATA(self, arg)


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("192.0.2.7", 40000) if name == "peername" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


def make_session(
    kind: type[SesSmtp] = SesSmtp,
    *,
    backend: RecordingBackend | None = None,
    max_message_size: int = 10 * 1024 * 1024,
) -> SesSmtp:
    """A session on the running loop, as the implicit-TLS listener makes them."""
    policy = SessionPolicy(
        backend=backend or RecordingBackend(),
        clock=lambda: NOW,
        hostname="smtp.openses.test",
        default_region=REGION,
        regions=(REGION,),
        max_message_size=max_message_size,
        max_recipients=50,
        idle_timeout=300.0,
    )
    return kind(
        SesHandler(policy),
        ConnectionRegistry(10),
        tls_context=None,  # type: ignore[arg-type]  # the implicit-TLS listener passes none on
        implicit_tls=True,
        loop=asyncio.get_running_loop(),
    )


async def settle() -> None:
    """Let the session's task run until it waits for the client again."""
    for _ in range(20):
        await asyncio.sleep(0)


@dataclass
class Conversation:
    session: SesSmtp
    transport: FakeTransport
    lost: bool = False

    @classmethod
    async def logged_in(cls, session: SesSmtp) -> Conversation:
        """Greeted, after EHLO and AUTH PLAIN as the test user."""
        transport = FakeTransport()
        session.connection_made(transport)
        conversation = cls(session, transport)
        password = derive_smtp_password(USER_SECRET, REGION)
        token = base64.b64encode(f"\0{USER_KEY}\0{password}".encode()).decode("ascii")
        await conversation.send(b"EHLO client.test\r\n")
        replies = await conversation.send(f"AUTH PLAIN {token}\r\n".encode("ascii"))
        assert replies == b"235 Authentication successful\r\n", replies
        conversation.transport.written.clear()
        return conversation

    async def send(self, *chunks: bytes) -> bytes:
        """Feed ``chunks`` one at a time; the replies written meanwhile."""
        start = len(self.transport.written)
        for chunk in chunks:
            if self.transport.closing:
                break
            self.session.data_received(chunk)
            await settle()
        return bytes(self.transport.written[start:])

    async def close(self) -> None:
        if not self.lost:
            self.lost = True
            self.session.connection_lost(None)
        await settle()
