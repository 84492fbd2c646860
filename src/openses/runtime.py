"""The composition root: settings -> store, resolver, services -> HTTP app and background work.

This is the one module that builds adapters and hands them to the services; everything else
receives what it needs through its constructor.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import random
import signal
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
from openses.api.sns_links import sns_routes
from openses.background import (
    Background,
    check_domains_forever,
    deliver_forever,
    delivery_worker,
)
from openses.config import ServeSettings, StoreSettings
from openses.dns import DkimZone, DnsListeners, start_dns
from openses.domain.topics.signing import MessageSigner
from openses.outbound.dns import DnsResolver
from openses.outbound.http_push import HttpPush
from openses.outbound.signing_keys import signing_material
from openses.services.account_state import AccountStateService
from openses.services.accounts import AccountsService
from openses.services.auto_suppression import AccountSuppressionList
from openses.services.configuration_sets import ConfigurationSetsService
from openses.services.custom_verification import CustomVerificationService
from openses.services.delivery import DeliveryWorker
from openses.services.dkim import DkimService
from openses.services.feedback import FeedbackService
from openses.services.feedback_settings import FeedbackSettingsService
from openses.services.identities import IdentitiesService
from openses.services.notifications import Notifier
from openses.services.outbox import OutboxService
from openses.services.outcomes import OutcomeRecorder
from openses.services.principals import Call, Principal, PrincipalKind
from openses.services.sending import SendingService
from openses.services.suppression import SuppressionService
from openses.services.tags import TagsService
from openses.services.templates import TemplatesService
from openses.services.topics import TopicsService
from openses.smtp import SmtpListeners, SmtpSettings, start_smtp
from openses.smtp.feedback import start_feedback_listener
from openses.storage.store import SqlStore, open_store
from openses.storage.urls import database_url

GC_THRESHOLD = 50_000
"""Allocations between young-generation collections while serving (CPython's default: 700)."""
SWITCH_INTERVAL = 0.001
"""Seconds a thread keeps the GIL while another waits for it (CPython's default: 0.005)."""


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
    delivery: DeliveryWorker
    feedback: FeedbackService


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
    resolver = DnsResolver(nameserver=nameserver)
    identities = IdentitiesService(
        store,
        resolver,
        public_url=settings.public_url,
        verification_sender=settings.verification_sender,
    )
    signing = signing_material(
        settings.sns_signing_key,
        settings.sns_signing_cert,
        settings.store.data_dir / "sns",
        now=utc_now(),
    )
    topics = TopicsService(
        store,
        accounts,
        signer=MessageSigner(signing.key, f"{settings.public_url}/sns/{signing.cert_file_name}"),
        public_url=settings.public_url,
        pusher=HttpPush(),
    )
    notifier = Notifier(
        bounce_domain=settings.delivery.bounce_domain, reporting_mta=settings.delivery.helo_name
    )
    services = Services(
        accounts,
        identities,
        AccountStateService(store),
        SendingService(store, accounts, publisher=notifier),
        TemplatesService(store),
        configuration_sets=ConfigurationSetsService(store),
        feedback_settings=FeedbackSettingsService(
            store, resolver, feedback_mx=settings.feedback_mx
        ),
        suppression=SuppressionService(store),
        topics=topics,
        dkim=DkimService(
            store,
            resolver,
            identities,
            zone=settings.dkim_zone,
            ed25519=settings.dkim_ed25519,
            clock=utc_now,
        ),
        custom_verification=CustomVerificationService(store, identities),
        tags=TagsService(store),
    )
    outbox = OutboxService(store)
    dispatcher = Dispatcher({name: cls(services) for name, cls in HANDLER_CLASSES.items()})
    registry = ServiceRegistry()
    new_request_id = request_ids()
    app = create_app(
        registry=registry,
        dispatcher=dispatcher,
        authenticator=accounts,
        clock=utc_now,
        new_request_id=new_request_id,
        extra_routes=[
            *admin_routes(
                identities=identities,
                custom_verification=services.custom_verification,
                outbox=outbox,
                admin_token=settings.admin_token,
                clock=utc_now,
                public_url=settings.public_url,
            ),
            *sns_routes(
                topics=topics,
                registry=registry,
                cert_pem=signing.cert_pem,
                cert_name=signing.cert_file_name,
                clock=utc_now,
                new_request_id=new_request_id,
            ),
        ],
    )
    recorder = OutcomeRecorder(
        reporting_mta=settings.delivery.helo_name,
        new_unique=lambda: str(uuid.uuid4()),
        jitter=random.random,
        publisher=notifier,
        suppressor=AccountSuppressionList(),
    )
    return Application(
        store,
        services,
        app,
        delivery_worker(store, settings, resolver, recorder, services.dkim),
        FeedbackService(store, recorder),
    )


async def start_background(application: Application, settings: ServeSettings) -> Background:
    """The background work ``settings.roles`` ask for, started on the running loop: the delivery
    worker (``worker``) and the feedback listener (``smtp``)."""
    background = Background()
    if "worker" in settings.roles:
        background.start(
            "delivery",
            deliver_forever(application.delivery, settings.delivery.poll, utc_now),
        )
        background.start("sns-deliveries", application.services.topics.deliver_forever(utc_now))
    feedback = settings.delivery.feedback_smtp
    if "smtp" in settings.roles and feedback is not None:
        try:
            server = await start_feedback_listener(
                feedback, application.feedback, hostname=settings.delivery.helo_name, clock=utc_now
            )
        except OSError as error:
            await background.close()
            sys.exit(
                f"openses: could not start the feedback SMTP listener on {feedback}: {error} "
                "(use --feedback-smtp HOST:PORT, or off)"
            )
        background.servers.append(server)
    return background


async def start_dkim_dns(application: Application, settings: ServeSettings) -> DnsListeners | None:
    """The DKIM zone's DNS server on ``--dns`` (None when it is off); exits if it cannot listen."""
    if settings.dns is None:
        return None
    dkim = application.services.dkim
    zone = DkimZone(settings.dkim_zone, lambda token: dkim.zone_record(token, utc_now()))
    try:
        listeners = await start_dns(zone, settings.dns.host, settings.dns.port)
    except OSError as error:
        sys.exit(f"openses: could not serve DNS on {settings.dns}: {error} (use --dns, or off)")
    print(
        f"openses: DNS for the DKIM zone {settings.dkim_zone} listening on {settings.dns} "
        "(UDP and TCP)",
        flush=True,
    )
    return listeners


async def serve(settings: ServeSettings) -> None:
    """Run what ``settings.roles`` ask for until interrupted: ``api`` (the AWS API, the admin
    and SNS routes, the DKIM zone's DNS), ``smtp`` (submission and feedback listeners),
    ``worker`` (delivery, SNS deliveries, the pending-domain checker)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations are routine at start
    application = await build(settings)
    failure: str | None = None
    try:
        await _bootstrap(application, settings)
        _tune_interpreter()
        dns = await start_dkim_dns(application, settings) if "api" in settings.roles else None
        background = await start_background(application, settings)
        if "worker" in settings.roles:
            services = application.services
            background.start(
                "domain-checks",
                check_domains_forever(
                    services.identities,
                    settings.domain_check_interval,
                    services.feedback_settings,
                    services.dkim,
                    utc_now,
                ),
            )
            print(f"openses: delivery worker running ({settings.delivery.mode})", flush=True)
        try:
            failure = await _serve_listeners(application, settings)
        finally:
            await background.close()
            if dns is not None:
                await dns.close()
    finally:
        await application.store.close()
    if failure is not None:
        sys.exit(failure)


def _tune_interpreter() -> None:
    """Once everything is loaded: a shorter GIL switch interval (below), the start-up objects
    (service models, compiled statements, modules) moved out of the collector's way, and the
    young generation collected less often. A request allocates thousands of short-lived
    objects; with the default threshold (700) the collector runs every few requests and, now
    and then, walks the whole heap — pauses that show up as the tail of every request waiting
    behind it."""
    # The SQLite store COMMITs on a thread while its group holds the connection; the loop's
    # thread would keep the GIL for up to 5 ms (the default interval) before that thread may
    # take it back and finish, keeping every waiting transaction out meanwhile.
    sys.setswitchinterval(SWITCH_INTERVAL)
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


async def _bootstrap(application: Application, settings: ServeSettings) -> None:
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


async def _serve_listeners(application: Application, settings: ServeSettings) -> str | None:
    """The HTTP API (``api``) and SMTP listeners (``smtp``) until interrupted; why they could
    not start, if they could not."""
    smtp: SmtpListeners | None = None
    try:
        if "smtp" in settings.roles:
            try:
                smtp = await start_smtp_listeners(application, settings)
            except OSError as error:
                return (
                    f"openses: could not start the SMTP interface: {error} "
                    "(use --smtp/--smtps HOST:PORT, or off)"
                )
            for name, address in (("STARTTLS", settings.smtp), ("TLS", settings.smtps)):
                if address is not None:
                    print(f"openses: SMTP ({name}) listening on {address}", flush=True)
            if settings.delivery.feedback_smtp is not None:
                print(
                    f"openses: feedback SMTP listening on {settings.delivery.feedback_smtp}",
                    flush=True,
                )
        if "api" not in settings.roles:
            await _until_signalled()
            return None
        server = uvicorn.Server(
            uvicorn.Config(
                application.app,
                host=settings.http.host,
                port=settings.http.port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                proxy_headers=False,  # trust no X-Forwarded-* (aws:SourceIp is the peer)
            )
        )
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.02)
        if server.started:
            print(f"openses: AWS API listening on http://{settings.http}", flush=True)
        await serving
        return None if server.started else f"openses: could not listen on {settings.http}"
    finally:
        if smtp is not None:
            await smtp.close()


async def _until_signalled() -> None:
    """Wait for SIGINT or SIGTERM (a process without the HTTP API, whose server would)."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    print("openses: running (no AWS API in this process's roles)", flush=True)
    await stopped.wait()
