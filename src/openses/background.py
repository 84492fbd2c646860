"""The background work of ``openses serve``: the delivery worker and its transport, the loops.

Built by the composition root (:mod:`openses.runtime`) for processes whose ``--roles`` include
``worker``. Several processes (or machines, on PostgreSQL) may run workers side by side: each
has its own lease name, and the queue's claims keep them off each other's jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from openses.config import DeliverySettings, ServeSettings
from openses.outbound.dns import DnsResolver
from openses.outbound.service_dkim_key import load_service_signature
from openses.outbound.smtp_client import SessionSettings, TlsMode
from openses.outbound.transports import CaptureTransport, DirectTransport, SmarthostTransport
from openses.services.delivery import DeliveryWorker, Transport, WorkerSettings
from openses.services.dkim import DkimService
from openses.services.feedback_settings import FeedbackSettingsService
from openses.services.identities import IdentitiesService
from openses.services.outcomes import OutcomeRecorder
from openses.services.outgoing import OutgoingMessages, mail_from_of
from openses.services.ports import Store

log = logging.getLogger("openses.delivery")

_SMARTHOST_TLS = {"starttls": TlsMode.REQUIRED, "tls": TlsMode.IMPLICIT, "none": TlsMode.NONE}


def transport_for(settings: DeliverySettings, resolver: DnsResolver) -> Transport:
    """The transport ``--delivery`` names."""
    if settings.mode == "smarthost":
        assert settings.smarthost is not None  # the settings refuse smarthost without one
        session = SessionSettings(
            helo_name=settings.helo_name,
            tls=_SMARTHOST_TLS[settings.smarthost_tls],
            verify_certificates=False,
            username=settings.smarthost_user,
            password=settings.smarthost_password,
        )
        return SmarthostTransport(settings.smarthost.host, settings.smarthost.port, session)
    if settings.mode == "direct":
        session = SessionSettings(helo_name=settings.helo_name, tls=TlsMode.OPPORTUNISTIC)
        return DirectTransport(resolver, session, port=settings.mx_port)
    return CaptureTransport()


def worker_name() -> str:
    """This process's lease name: host, process id and a random suffix (restarts differ)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def deliver_forever(
    worker: DeliveryWorker, poll: float, clock: Callable[[], datetime]
) -> None:
    """Rounds back to back while there is work; a pause of ``poll`` seconds when idle."""
    while True:
        try:
            claimed = await worker.run_once(clock())
        except Exception:
            log.exception("delivery round failed; trying again after a pause")
            claimed = 0
        if claimed < worker.settings.batch:
            await asyncio.sleep(poll)


class Background:
    """The running background tasks and servers; :meth:`close` stops them."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []
        self.servers: list[asyncio.Server] = []

    def start(self, name: str, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.create_task(work, name=name))

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            await server.wait_closed()
        self.servers.clear()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()


def delivery_worker(
    store: Store,
    settings: ServeSettings,
    resolver: DnsResolver,
    recorder: OutcomeRecorder,
    dkim: DkimService,
) -> DeliveryWorker:
    """The delivery worker of this process (run only when ``--roles`` has ``worker``)."""
    delivery = settings.delivery
    service = delivery.service_dkim
    return DeliveryWorker(
        store,
        transport_for(delivery, resolver),
        OutgoingMessages(
            bounce_domain=delivery.bounce_domain,
            keys_for=dkim.signing_keys,
            mail_from_domain=mail_from_of(store),
            service=None
            if service is None
            else load_service_signature(
                service.domain, service.selector, service.key_file, settings.store.data_dir
            ),
        ),
        recorder,
        WorkerSettings(owner=worker_name(), lease=timedelta(seconds=delivery.lease)),
    )


async def check_domains_forever(
    identities: IdentitiesService,
    interval: float,
    mail_from: FeedbackSettingsService,
    dkim: DkimService,
    clock: Callable[[], datetime],
) -> None:
    """The pending-domain checker: one pass every ``interval`` seconds until cancelled (pending
    domain identities, custom MAIL FROM domains' MX records, pending DKIM setups)."""
    while True:
        try:
            await identities.check_pending_domains(clock())
            await mail_from.check_mail_from_domains(clock())
            await dkim.check_pending(clock())
        except Exception:
            log.exception("pending-domain check failed; trying again next round")
        await asyncio.sleep(interval)
