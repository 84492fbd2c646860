"""A scripted SmtpBackend, and smtplib clients that run in a thread beside the test's loop.

The listeners run on the test's event loop, so every blocking ``smtplib`` conversation runs
through ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import base64
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openses.config import HostPort
from openses.domain.smtp_password import derive_legacy_smtp_password, derive_smtp_password
from openses.services.principals import Call, Principal
from openses.smtp import SmtpListeners, SmtpSettings, start_smtp
from tests.wire.fakes import (
    INACTIVE_KEY,
    INACTIVE_SECRET,
    ROOT_KEY,
    ROOT_SECRET,
    UNKNOWN_KEY,
    USER,
    USER_KEY,
    USER_SECRET,
    FakeAuthenticator,
)

__all__ = [
    "INACTIVE_KEY",
    "INACTIVE_SECRET",
    "ROOT_KEY",
    "ROOT_SECRET",
    "UNKNOWN_KEY",
    "USER",
    "USER_KEY",
    "USER_SECRET",
    "derive_legacy_smtp_password",
    "derive_smtp_password",
]

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
DEFAULT_REGION = "us-west-2"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
MESSAGE_ID = "0100019c8e1a2b3c-6f1d8c2e-5a4b-4c3d-9e8f-7a6b5c4d3e2f-000000"
SENDER = "sender@example.com"
RECIPIENT = "rcpt@example.net"


@dataclass
class Submission:
    call: Call
    mail_from: str
    recipients: tuple[str, ...]
    data: bytes


@dataclass
class FakeSmtpBackend:
    """The lead's real keys (tests.wire.fakes), a record of submissions, a scripted outcome."""

    keys: FakeAuthenticator = field(default_factory=FakeAuthenticator)
    submissions: list[Submission] = field(default_factory=list)
    error: BaseException | None = None
    lookup_error: BaseException | None = None
    delay: float = 0.0

    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        if self.lookup_error is not None:
            raise self.lookup_error
        return await self.keys.credentials(access_key_id)

    async def submit_smtp(
        self, call: Call, mail_from: str, recipients: Sequence[str], data: bytes
    ) -> str:
        self.submissions.append(Submission(call, mail_from, tuple(recipients), data))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return MESSAGE_ID

    @property
    def last(self) -> Submission:
        return self.submissions[-1]


def settings(tls_dir: Path, **overrides: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "starttls": HostPort("127.0.0.1", 0),
        "implicit_tls": HostPort("127.0.0.1", 0),
        "self_signed_dir": tls_dir,
        "hostname": "smtp.openses.test",
        "default_region": DEFAULT_REGION,
        "regions": REGIONS,
    }
    values.update(overrides)
    return SmtpSettings(**values)


async def start(backend: FakeSmtpBackend, tls_dir: Path, **overrides: Any) -> SmtpListeners:
    return await start_smtp(settings(tls_dir, **overrides), backend, clock=lambda: NOW)


def client_context(listeners: SmtpListeners) -> ssl.SSLContext:
    """A client context that trusts exactly the listeners' (self-signed) certificate."""
    return ssl.create_default_context(cafile=str(listeners.cert_path))


def starttls_client(listeners: SmtpListeners) -> smtplib.SMTP:
    """Connected to the STARTTLS port, after EHLO, STARTTLS and EHLO again."""
    assert listeners.starttls_port is not None
    client = smtplib.SMTP("127.0.0.1", listeners.starttls_port, timeout=10)
    try:
        client.ehlo("client.test")
        client.starttls(context=client_context(listeners))
        client.ehlo("client.test")
    except BaseException:
        client.close()
        raise
    return client


def implicit_client(listeners: SmtpListeners) -> smtplib.SMTP_SSL:
    assert listeners.implicit_tls_port is not None
    client = smtplib.SMTP_SSL(
        "127.0.0.1", listeners.implicit_tls_port, timeout=10, context=client_context(listeners)
    )
    client.ehlo("client.test")
    return client


def plain_auth(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")


def auth_plain(client: smtplib.SMTP, user: str, password: str) -> tuple[int, bytes]:
    return client.docmd("AUTH", f"PLAIN {plain_auth(user, password)}")


def auth_login(client: smtplib.SMTP, user: str, password: str) -> tuple[int, bytes]:
    """AUTH LOGIN with the two challenges, as the SES guide's example does."""
    code, _ = client.docmd("AUTH", "LOGIN")
    assert code == 334
    code, _ = client.docmd(base64.b64encode(user.encode()).decode("ascii"))
    assert code == 334
    return client.docmd(base64.b64encode(password.encode()).decode("ascii"))


def user_password(region: str = DEFAULT_REGION) -> str:
    return derive_smtp_password(USER_SECRET, region)


def logged_in(listeners: SmtpListeners, *, implicit: bool = False) -> smtplib.SMTP:
    client = implicit_client(listeners) if implicit else starttls_client(listeners)
    code, reply = auth_plain(client, USER_KEY, user_password())
    assert (code, reply) == (235, b"Authentication successful")
    return client


def transaction(
    client: smtplib.SMTP, data: bytes, *, sender: str = SENDER, recipients: Sequence[str] = ()
) -> tuple[int, bytes]:
    """MAIL, RCPT(s) and DATA, returning the reply to the end of DATA."""
    assert client.mail(sender) == (250, b"Ok")
    for recipient in recipients or (RECIPIENT,):
        assert client.rcpt(recipient) == (250, b"Ok")
    return client.data(data)


def in_thread(conversation: Callable[[], Any]) -> Any:
    return asyncio.to_thread(conversation)


MESSAGE = (
    b"From: Sender <sender@example.com>\r\nTo: rcpt@example.net\r\nSubject: hello\r\n\r\nHello.\r\n"
)
