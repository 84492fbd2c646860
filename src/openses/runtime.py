"""The composition root: settings -> store, resolver, services -> HTTP app and background work.

This is the one module that builds adapters and hands them to the services; everything else
receives what it needs through its constructor.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import botocore.session
import uvicorn
from starlette.applications import Starlette

from openses.api.admin import admin_routes
from openses.api.app import create_app
from openses.api.dispatch import Dispatcher
from openses.api.handlers import HANDLER_CLASSES
from openses.api.handlers.common import Services
from openses.api.protocol.models import ServiceRegistry
from openses.config import ServeSettings, StoreSettings
from openses.outbound.dns import DnsResolver
from openses.services.account_state import AccountStateService
from openses.services.accounts import AccountsService
from openses.services.identities import IdentitiesService
from openses.services.outbox import OutboxService
from openses.services.principals import Call, Principal, PrincipalKind
from openses.services.sending import SendingService
from openses.services.templates import TemplatesService
from openses.smtp import SmtpListeners, SmtpSettings, start_smtp
from openses.storage.store import SqlStore, open_store
from openses.storage.urls import database_url

log = logging.getLogger("openses")


def utc_now() -> datetime:
    return datetime.now(UTC)


def request_ids() -> Callable[[], str]:
    """UUID-shaped request ids, unique per process: a random 128-bit start drawn once, then
    counted up (a fresh ``uuid4`` per request costs a system call on the hot path)."""
    start = uuid.uuid4().int
    counter = itertools.count()

    def next_id() -> str:
        text = f"{(start + next(counter)) & _UUID_MASK:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    return next_id


_UUID_MASK = (1 << 128) - 1


@dataclass(frozen=True, slots=True)
class OperatorServices:
    """What the operator commands need: the services over an open store."""

    accounts: AccountsService
    identities: IdentitiesService


@dataclass(frozen=True, slots=True)
class Application:
    store: SqlStore
    services: Services
    app: Starlette


class SmtpGateway:
    """The services as the SMTP edge needs them (:class:`openses.smtp.SmtpBackend`)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        found = await self.services.accounts.credentials(access_key_id)
        if found is None or found[1].kind is PrincipalKind.SERVICE:
            return None  # SES's SMTP takes IAM credentials only, not a service's
        return found

    async def submit_smtp(
        self, call: Call, mail_from: str, recipients: Sequence[str], data: bytes
    ) -> str:
        return await self.services.sending.submit_smtp(call, mail_from, recipients, data)


def smtp_settings(settings: ServeSettings) -> SmtpSettings:
    return SmtpSettings(
        starttls=settings.smtp,
        implicit_tls=settings.smtps,
        cert_path=settings.tls_cert,
        key_path=settings.tls_key,
        self_signed_dir=settings.store.data_dir / "tls",
        regions=tuple(botocore.session.get_session().get_available_regions("ses")),
    )


async def start_smtp_listeners(application: Application, settings: ServeSettings) -> SmtpListeners:
    """The SMTP interface of ``application`` as ``settings`` say (none if both are off)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    return await start_smtp(
        smtp_settings(settings), SmtpGateway(application.services), clock=utc_now
    )


@contextlib.asynccontextmanager
async def operator_services(settings: StoreSettings) -> AsyncIterator[OperatorServices]:
    store = await open_store(database_url(settings.data_dir, settings.database_url))
    try:
        identities = IdentitiesService(
            store, DnsResolver(), public_url="", verification_sender="no-reply@openses.invalid"
        )
        yield OperatorServices(AccountsService(store), identities)
    finally:
        await store.close()


async def build(settings: ServeSettings) -> Application:
    """Open the store (migrating it) and assemble the services and the HTTP app."""
    store = await open_store(database_url(settings.store.data_dir, settings.store.database_url))
    nameserver = (
        (settings.dns_resolver.host, settings.dns_resolver.port) if settings.dns_resolver else None
    )
    accounts = AccountsService(store)
    identities = IdentitiesService(
        store,
        DnsResolver(nameserver=nameserver),
        public_url=settings.public_url,
        verification_sender=settings.verification_sender,
    )
    services = Services(
        accounts,
        identities,
        AccountStateService(store),
        SendingService(store, accounts),
        TemplatesService(store),
    )
    outbox = OutboxService(store)
    dispatcher = Dispatcher({name: cls(services) for name, cls in HANDLER_CLASSES.items()})
    app = create_app(
        registry=ServiceRegistry(),
        dispatcher=dispatcher,
        authenticator=accounts,
        clock=utc_now,
        new_request_id=request_ids(),
        extra_routes=admin_routes(
            identities=identities,
            outbox=outbox,
            admin_token=settings.admin_token,
            clock=utc_now,
            public_url=settings.public_url,
        ),
    )
    return Application(store, services, app)


async def check_domains_forever(identities: IdentitiesService, interval: float) -> None:
    """The pending-domain checker: one pass every ``interval`` seconds until cancelled."""
    while True:
        try:
            await identities.check_pending_domains(utc_now())
        except Exception:
            log.exception("pending-domain check failed; trying again next round")
        await asyncio.sleep(interval)


async def serve(settings: ServeSettings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations are routine at start
    application = await build(settings)
    try:
        created = await application.services.accounts.bootstrap(
            utc_now(),
            account_id=settings.root.account_id,
            access_key_id=settings.root.access_key_id,
            secret_access_key=settings.root.secret_access_key,
        )
        if created is not None and not settings.root.secret_access_key:
            account, key = created
            print(
                "openses: created account "
                f"{account.account_id}; its root credentials (shown once):\n"
                f"  aws_access_key_id = {key.access_key_id}\n"
                f"  aws_secret_access_key = {key.secret_access_key}",
                flush=True,
            )
        config = uvicorn.Config(
            application.app,
            host=settings.http.host,
            port=settings.http.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            proxy_headers=False,  # trust no X-Forwarded-* (aws:SourceIp is the peer)
        )
        server = uvicorn.Server(config)
        smtp: SmtpListeners | None = None
        smtp_failure: str | None = None
        checker = asyncio.create_task(
            check_domains_forever(application.services.identities, settings.domain_check_interval)
        )
        try:
            serving = asyncio.create_task(server.serve())
            while not server.started and not serving.done():
                await asyncio.sleep(0.02)
            if server.started:
                print(f"openses: AWS API listening on http://{settings.http}", flush=True)
                try:
                    smtp = await start_smtp_listeners(application, settings)
                except OSError as error:
                    server.should_exit = True
                    smtp_failure = f"openses: could not start the SMTP interface: {error}"
                for name, address in (("STARTTLS", settings.smtp), ("TLS", settings.smtps)):
                    if smtp is not None and address is not None:
                        print(f"openses: SMTP ({name}) listening on {address}", flush=True)
            try:
                await serving
            finally:
                if smtp is not None:
                    await smtp.close()
        finally:
            checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checker
    finally:
        await application.store.close()
    if not server.started:
        sys.exit(f"openses: could not listen on {settings.http}")
    if smtp_failure is not None:
        sys.exit(f"{smtp_failure} (use --smtp/--smtps HOST:PORT, or off)")
