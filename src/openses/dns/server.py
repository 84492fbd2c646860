"""The DKIM zone's listeners: UDP and TCP on one address, on the running event loop.

UDP: one datagram in, one out (answered in a task, since a lookup may wait for the store).
TCP (RFC 7766): messages framed by a two-byte length, answered in order, several per
connection; a connection idle for :data:`TCP_IDLE_SECONDS` is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from dataclasses import dataclass
from typing import cast

from openses.dns.zone import DkimZone

log = logging.getLogger("openses.dns")

TCP_IDLE_SECONDS = 10.0
_BIND_ATTEMPTS = 20


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, zone: DkimZone) -> None:
        self.zone = zone
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A datagram transport, though not always an instance of the class (selector loops).
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        task = asyncio.get_running_loop().create_task(self._reply(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        reply = await self.zone.answer(data, tcp=False)
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)


@dataclass
class DnsListeners:
    """The running UDP endpoint and TCP server; :attr:`address` is where they listen."""

    udp: asyncio.DatagramTransport
    udp_protocol: _UdpProtocol
    tcp: asyncio.Server
    address: tuple[str, int]

    async def close(self) -> None:
        self.udp.close()
        self.tcp.close()
        for task in list(self.udp_protocol.tasks):
            task.cancel()
        await self.tcp.wait_closed()


async def start_dns(zone: DkimZone, host: str, port: int) -> DnsListeners:
    """Serve ``zone`` on ``host:port`` over UDP and TCP (port 0: one free port for both)."""
    loop = asyncio.get_running_loop()
    for _ in range(_BIND_ATTEMPTS if port == 0 else 1):
        udp, protocol = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(zone), local_addr=(host, port)
        )
        bound = udp.get_extra_info("sockname")
        try:
            tcp = await asyncio.start_server(
                lambda reader, writer: _serve_tcp(zone, reader, writer), host, bound[1]
            )
        except OSError as error:
            udp.close()
            if port != 0 or error.errno != errno.EADDRINUSE:
                raise
            continue
        return DnsListeners(udp, protocol, tcp, (bound[0], bound[1]))
    raise OSError(errno.EADDRINUSE, f"no port free for both UDP and TCP on {host}")


async def _serve_tcp(
    zone: DkimZone, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                size = int.from_bytes(
                    await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_SECONDS), "big"
                )
                message = await asyncio.wait_for(reader.readexactly(size), TCP_IDLE_SECONDS)
            except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
                return
            reply = await zone.answer(message, tcp=True)
            if reply is None:
                return
            writer.write(len(reply).to_bytes(2, "big") + reply)
            await writer.drain()
    except ConnectionError:
        return
    except Exception:
        log.exception("DKIM zone TCP connection failed")
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
