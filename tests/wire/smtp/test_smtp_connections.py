"""Connection hygiene: the concurrency limit, the idle timeout, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openses.smtp import SmtpListeners
from tests.wire.smtp.support import (
    MESSAGE,
    MESSAGE_ID,
    USER_KEY,
    FakeSmtpBackend,
    client_context,
    in_thread,
    plain_auth,
    start,
    user_password,
)

TIMEOUT_LINE = b"451 Timeout waiting for data from client\r\n"
REFUSED_LINE = b"421 Too many concurrent SMTP connections\r\n"


class RawClient:
    """A line-level SMTP client on the test's own loop."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def line(self) -> bytes:
        return await asyncio.wait_for(self.reader.readline(), 5)

    async def reply(self) -> bytes:
        """The last line of a (possibly multi-line) reply."""
        while True:
            line = await self.line()
            if line[3:4] != b"-":
                return line

    async def command(self, text: str) -> bytes:
        self.writer.write(text.encode("ascii") + b"\r\n")
        await self.writer.drain()
        return await self.reply()

    async def eof(self) -> bool:
        return await asyncio.wait_for(self.reader.read(), 5) == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


@contextlib.asynccontextmanager
async def raw(listeners: SmtpListeners, *, implicit: bool = False) -> AsyncIterator[RawClient]:
    port = listeners.implicit_tls_port if implicit else listeners.starttls_port
    assert port is not None
    context = client_context(listeners) if implicit else None
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    client = RawClient(reader, writer)
    try:
        yield client
    finally:
        await client.close()


async def logged_in_raw(client: RawClient) -> None:
    assert (await client.line()).startswith(b"220 smtp.openses.test ESMTP")
    assert (await client.command("EHLO client.test")).startswith(b"250 ")
    reply = await client.command(f"AUTH PLAIN {plain_auth(USER_KEY, user_password())}")
    assert reply == b"235 Authentication successful\r\n"


async def wait_for_connections(listeners: SmtpListeners, count: int) -> None:
    async with asyncio.timeout(5):
        while listeners.connections != count:
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls-port", "implicit-tls-port"])
async def test_connections_over_the_limit_get_421(
    backend: FakeSmtpBackend, tls_dir: Path, implicit: bool
) -> None:
    async with (
        await start(backend, tls_dir, max_connections=2) as listeners,
        raw(listeners, implicit=implicit) as first,
        raw(listeners) as second,
    ):
        assert (await first.line()).startswith(b"220 ")
        assert (await second.line()).startswith(b"220 ")
        assert listeners.connections == 2
        async with raw(listeners, implicit=implicit) as third:
            assert await third.line() == REFUSED_LINE
            assert await third.eof()
        await first.close()
        await wait_for_connections(listeners, 1)
        async with raw(listeners, implicit=implicit) as fourth:
            assert (await fourth.line()).startswith(b"220 ")
            assert listeners.connections == 2


async def test_smtplib_sees_the_421_as_a_connect_error(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    async with await start(backend, tls_dir, max_connections=1) as listeners:
        assert listeners.starttls_port is not None
        port = listeners.starttls_port
        async with raw(listeners) as first:
            assert (await first.line()).startswith(b"220 ")

            def conversation() -> None:
                with smtplib.SMTP("127.0.0.1", port, timeout=10):
                    pass

            with pytest.raises(smtplib.SMTPConnectError) as raised:
                await in_thread(conversation)
    assert raised.value.smtp_code == 421
    assert raised.value.smtp_error == b"Too many concurrent SMTP connections"


async def test_idle_connection_gets_451_and_is_closed(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    async with (
        await start(backend, tls_dir, idle_timeout=0.3) as listeners,
        raw(listeners, implicit=True) as client,
    ):
        await logged_in_raw(client)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await client.line() == TIMEOUT_LINE
        assert 0.2 < loop.time() - started < 3
        assert await client.eof()
        await wait_for_connections(listeners, 0)


async def test_a_silent_client_before_starttls_times_out_too(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    async with (
        await start(backend, tls_dir, idle_timeout=0.3) as listeners,
        raw(listeners) as client,
    ):
        assert (await client.line()).startswith(b"220 ")
        assert await client.line() == TIMEOUT_LINE
        assert await client.eof()


async def test_a_slow_upload_is_not_idle(backend: FakeSmtpBackend, tls_dir: Path) -> None:
    async with (
        await start(backend, tls_dir, idle_timeout=0.3) as listeners,
        raw(listeners, implicit=True) as client,
    ):
        await logged_in_raw(client)
        assert await client.command("MAIL FROM:<sender@example.com>") == b"250 Ok\r\n"
        assert await client.command("RCPT TO:<rcpt@example.net>") == b"250 Ok\r\n"
        assert (await client.command("DATA")).startswith(b"354 ")
        lines = MESSAGE.splitlines(keepends=True)
        for line in lines:  # each gap under the idle timeout, the whole upload well over it
            client.writer.write(line)
            await client.writer.drain()
            await asyncio.sleep(0.15)
        assert await client.command(".") == f"250 Ok {MESSAGE_ID}\r\n".encode()
    assert backend.last.data == MESSAGE


async def test_a_slow_backend_does_not_time_the_client_out(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    backend.delay = 0.8
    async with (
        await start(backend, tls_dir, idle_timeout=0.3) as listeners,
        raw(listeners, implicit=True) as client,
    ):
        await logged_in_raw(client)
        assert await client.command("MAIL FROM:<sender@example.com>") == b"250 Ok\r\n"
        assert await client.command("RCPT TO:<rcpt@example.net>") == b"250 Ok\r\n"
        assert (await client.command("DATA")).startswith(b"354 ")
        client.writer.write(MESSAGE)
        assert await client.command(".") == f"250 Ok {MESSAGE_ID}\r\n".encode()
        # and the idle clock starts again once the reply is out
        assert await client.line() == TIMEOUT_LINE


async def test_close_drops_open_connections_and_stops_listening(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    listeners = await start(backend, tls_dir)
    assert listeners.starttls_port is not None
    port = listeners.starttls_port
    async with raw(listeners) as plain, raw(listeners, implicit=True) as tls:
        assert (await plain.line()).startswith(b"220 ")
        await logged_in_raw(tls)
        assert listeners.connections == 2
        await listeners.close()
        assert listeners.connections == 0
        assert await plain.eof()
        with contextlib.suppress(ssl.SSLError, ConnectionError):
            assert await tls.eof()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_only_one_listener_may_run(backend: FakeSmtpBackend, tls_dir: Path) -> None:
    async with await start(backend, tls_dir, starttls=None) as listeners:
        assert listeners.starttls_port is None
        assert listeners.implicit_tls_port is not None
        async with raw(listeners, implicit=True) as client:
            await logged_in_raw(client)
