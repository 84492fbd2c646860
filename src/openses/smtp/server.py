"""The SMTP listeners: settings, and starting them on the caller's event loop.

SES offers STARTTLS on ports 25, 587 and 2587 and implicit TLS ("TLS wrapper") on 465 and 2465,
one endpoint per region (spec §6.4). OpenSES runs at most one listener of each kind, each
serving every region (the SMTP password picks the region, :mod:`openses.smtp.credentials`).

The servers are plain ``loop.create_server`` servers with aiosmtpd's protocol, on the running
loop — no aiosmtpd ``Controller`` thread — so they share the loop with the HTTP API and the
services. Decisions where SES publishes no number:

* ``max_connections`` (default 100) is one budget for both listeners together;
* ``idle_timeout`` (default 300 s, aiosmtpd's and RFC 5321's usual command timeout) closes a
  connection from which no byte arrived for that long;
* the TLS handshake of the implicit-TLS listener must finish within ``handshake_timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final

from openses.config import HostPort
from openses.smtp.handler import SesHandler, SessionPolicy
from openses.smtp.ports import SmtpBackend
from openses.smtp.session import ConnectionRegistry, SesSmtp
from openses.smtp.tls import ensure_self_signed, server_context

MAX_MESSAGE_SIZE: Final = 41_943_040  # 40 MB, SES's SMTP limit (spec §6.1)
MAX_RECIPIENTS: Final = 50


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how the SMTP edge listens. A listener whose address is None is not started.

    Give both ``cert_path`` and ``key_path``, or neither and a ``self_signed_dir`` where a
    self-signed pair is made on first start and reused after (:mod:`openses.smtp.tls`).
    ``regions`` are the regions a password may belong to besides ``default_region`` (e.g.
    botocore's ``Session().get_available_regions("ses")``), tried in this order.
    """

    starttls: HostPort | None = None
    implicit_tls: HostPort | None = None
    cert_path: Path | None = None
    key_path: Path | None = None
    self_signed_dir: Path | None = None
    hostname: str = "localhost"
    default_region: str = "us-east-1"
    regions: Sequence[str] = field(default_factory=tuple)
    max_message_size: int = MAX_MESSAGE_SIZE
    max_recipients: int = MAX_RECIPIENTS
    max_connections: int = 100
    idle_timeout: float = 300.0
    handshake_timeout: float = 30.0

    def __post_init__(self) -> None:
        if (self.cert_path is None) != (self.key_path is None):
            raise ValueError("SMTP TLS needs both a certificate and a key path, or neither")
        for name in ("max_message_size", "max_recipients", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"SMTP {name} must be positive")
        if self.idle_timeout <= 0 or self.handshake_timeout <= 0:
            raise ValueError("SMTP timeouts must be positive")

    def tls_files(self) -> tuple[Path, Path]:
        """The certificate and key to serve, making a self-signed pair if none is configured."""
        if self.cert_path is not None and self.key_path is not None:
            return self.cert_path, self.key_path
        if self.self_signed_dir is None:
            raise ValueError("SMTP needs cert_path and key_path, or a self_signed_dir")
        return ensure_self_signed(self.self_signed_dir, self.hostname)


class SmtpListeners:
    """Running SMTP listeners: their bound ports, the certificate they serve, and ``close``."""

    def __init__(
        self,
        *,
        starttls: asyncio.Server | None,
        implicit_tls: asyncio.Server | None,
        registry: ConnectionRegistry,
        cert_path: Path,
        key_path: Path,
    ) -> None:
        self._starttls = starttls
        self._implicit_tls = implicit_tls
        self._registry = registry
        self.cert_path = cert_path
        self.key_path = key_path

    @property
    def starttls_port(self) -> int | None:
        return _port(self._starttls)

    @property
    def implicit_tls_port(self) -> int | None:
        return _port(self._implicit_tls)

    @property
    def connections(self) -> int:
        return len(self._registry.live)

    async def close(self) -> None:
        """Stop accepting, drop the open connections and wait until their sessions end."""
        servers = [server for server in (self._starttls, self._implicit_tls) if server]
        for server in servers:
            server.close()
        await self._registry.abort_all()
        for server in servers:
            await server.wait_closed()

    async def __aenter__(self) -> SmtpListeners:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def _port(server: asyncio.Server | None) -> int | None:
    if server is None or not server.sockets:
        return None
    port = server.sockets[0].getsockname()[1]
    assert isinstance(port, int)
    return port


async def start_smtp(
    settings: SmtpSettings,
    backend: SmtpBackend,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> SmtpListeners:
    """Start the configured listeners on the running loop (port 0 binds a free port)."""
    loop = asyncio.get_running_loop()
    cert_path, key_path = await asyncio.to_thread(settings.tls_files)  # RSA keygen: not on the loop
    context = server_context(cert_path, key_path)
    policy = SessionPolicy(
        backend=backend,
        clock=clock,
        hostname=settings.hostname,
        default_region=settings.default_region,
        regions=tuple(settings.regions),
        max_message_size=settings.max_message_size,
        max_recipients=settings.max_recipients,
        idle_timeout=settings.idle_timeout,
    )
    handler = SesHandler(policy)
    registry = ConnectionRegistry(settings.max_connections)

    def factory(implicit_tls: bool) -> Callable[[], SesSmtp]:
        def make() -> SesSmtp:
            return SesSmtp(
                handler, registry, tls_context=context, implicit_tls=implicit_tls, loop=loop
            )

        return make

    starttls: asyncio.Server | None = None
    implicit: asyncio.Server | None = None
    try:
        if settings.starttls is not None:
            starttls = await loop.create_server(
                factory(False), settings.starttls.host, settings.starttls.port
            )
        if settings.implicit_tls is not None:
            implicit = await loop.create_server(
                factory(True),
                settings.implicit_tls.host,
                settings.implicit_tls.port,
                ssl=context,
                ssl_handshake_timeout=settings.handshake_timeout,
            )
    except BaseException:
        for server in (starttls, implicit):
            if server is not None:
                server.close()
                await server.wait_closed()
        raise
    return SmtpListeners(
        starttls=starttls,
        implicit_tls=implicit,
        registry=registry,
        cert_path=cert_path,
        key_path=key_path,
    )
