"""One outbound SMTP session: connect to one host and hand it several messages in turn.

Every remote answer becomes a value (:class:`~openses.domain.delivery.outcome.Replied` or
:class:`~openses.domain.delivery.outcome.Unreachable`); nothing the far side does raises out of
:func:`hand_over`. Within one session a refused ``MAIL`` or a failed ``DATA`` answers for that
message only (the session is ``RSET`` and goes on); a dropped connection or a timeout answers
for every message not yet finished.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

import aiosmtplib

from openses.domain.delivery.failures import ConnectionFailure, FailureKind
from openses.domain.delivery.outcome import AttemptResult, RemoteMta, Replied, Unreachable
from openses.domain.delivery.status import SmtpReply
from openses.domain.transfer import Envelope, Results, replied_all, unreachable_all


class TlsMode:
    """How a session uses TLS."""

    OPPORTUNISTIC = "opportunistic"  # STARTTLS when offered, certificate not checked (MX)
    REQUIRED = "starttls"  # STARTTLS or fail (smarthost)
    IMPLICIT = "tls"  # TLS from the first byte (port 465 style)
    NONE = "none"


@dataclass(frozen=True, slots=True)
class SessionSettings:
    helo_name: str
    tls: str = TlsMode.OPPORTUNISTIC
    verify_certificates: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class Handed:
    """What a session did: the results, and whether it got past greeting and EHLO."""

    results: Results
    greeted: bool


@functools.cache
def _tls_context(verify: bool) -> ssl.SSLContext:
    """The client TLS context, made once per process (loading the system's trust store costs
    about 20 ms, too much to pay per session)."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def hand_over(
    host: str,
    address: str,
    port: int,
    envelopes: Sequence[Envelope],
    settings: SessionSettings,
    *,
    domain: str = "",
) -> Handed:
    """Deliver ``envelopes`` to the server at ``address:port`` (named ``host``) in one session.

    ``domain`` is the recipients' domain, named in failure texts.
    """
    mta = RemoteMta(host, address)
    session = _Session(mta, domain, settings)
    client = aiosmtplib.SMTP(
        hostname=address,
        port=port,
        local_hostname=settings.helo_name,
        timeout=settings.timeout,
        use_tls=settings.tls == TlsMode.IMPLICIT,
        start_tls=False,
        tls_context=(
            _tls_context(settings.verify_certificates) if settings.tls == TlsMode.IMPLICIT else None
        ),
    )
    try:
        await session.run(client, envelopes)
    except (aiosmtplib.SMTPException, OSError, ssl.SSLError) as error:
        failure = ConnectionFailure(_failure_kind(error), domain, _detail(error))
        for envelope in envelopes:
            if envelope.key not in session.results:
                session.results[envelope.key] = unreachable_all(envelope, failure, mta)
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, ssl.SSLError):
                client.close()
    return Handed(session.results, session.greeted)


class _Session:
    def __init__(self, mta: RemoteMta, domain: str, settings: SessionSettings) -> None:
        self.mta = mta
        self.domain = domain
        self.settings = settings
        self.results: Results = {}
        self.greeted = False

    async def run(self, client: aiosmtplib.SMTP, envelopes: Sequence[Envelope]) -> None:
        """Greet, secure, authenticate, then hand over each envelope, filling ``results``."""
        settings = self.settings
        try:
            await client.connect()
            await client.ehlo()
            if settings.tls in (TlsMode.OPPORTUNISTIC, TlsMode.REQUIRED):
                if client.supports_extension("starttls"):
                    await client.starttls(
                        server_hostname=self.mta.name,
                        tls_context=_tls_context(settings.verify_certificates),
                    )
                    await client.ehlo()
                elif settings.tls == TlsMode.REQUIRED:
                    failure = ConnectionFailure(
                        FailureKind.TLS_FAILURE, self.domain, "the server does not offer STARTTLS"
                    )
                    for envelope in envelopes:
                        self.results[envelope.key] = unreachable_all(envelope, failure, self.mta)
                    return
            if settings.username is not None:
                await client.login(settings.username, settings.password or "")
        except aiosmtplib.SMTPResponseException as error:
            for envelope in envelopes:
                self.results[envelope.key] = self._all(envelope, error.code, error.message)
            return
        self.greeted = True
        for envelope in envelopes:
            self.results[envelope.key] = await self._one(client, envelope)

    def _all(self, envelope: Envelope, code: int, message: str) -> list[AttemptResult]:
        reply = _reply(code, message)
        if reply is None:
            failure = ConnectionFailure(FailureKind.PROTOCOL_ERROR, self.domain, message)
            return unreachable_all(envelope, failure, self.mta)
        return replied_all(envelope, reply, self.mta)

    def _answer(self, recipient: str, code: int, message: str) -> AttemptResult:
        reply = _reply(code, message)
        if reply is None:
            failure = ConnectionFailure(FailureKind.PROTOCOL_ERROR, self.domain, message)
            return Unreachable(recipient, failure, self.mta)
        return Replied(recipient, reply, self.mta)

    async def _one(self, client: aiosmtplib.SMTP, envelope: Envelope) -> list[AttemptResult]:
        eight_bit = not envelope.data.isascii() and client.supports_extension("8bitmime")
        try:
            await client.mail(envelope.mail_from, options=["BODY=8BITMIME"] if eight_bit else [])
        except aiosmtplib.SMTPResponseException as error:
            await _reset(client)
            return self._all(envelope, error.code, error.message)
        answers: dict[str, AttemptResult] = {}
        accepted: list[str] = []
        for recipient in envelope.recipients:
            try:
                reply = await client.rcpt(recipient)
            except aiosmtplib.SMTPResponseException as error:
                answers[recipient] = self._answer(recipient, error.code, error.message)
                continue
            accepted.append(recipient)
            answers[recipient] = self._answer(recipient, reply.code, reply.message)
        if not accepted:
            await _reset(client)
            return [answers[r] for r in envelope.recipients]
        try:
            reply = await client.data(envelope.data)
        except aiosmtplib.SMTPResponseException as error:
            await _reset(client)
            code, message = error.code, error.message
        else:
            code, message = reply.code, reply.message
        for recipient in accepted:
            answers[recipient] = self._answer(recipient, code, message)
        return [answers[r] for r in envelope.recipients]


def _reply(code: int, message: str) -> SmtpReply | None:
    return SmtpReply.of(code, message) if 200 <= code <= 599 else None


async def _reset(client: aiosmtplib.SMTP) -> None:
    # A refused RSET is not fatal: the next MAIL will tell whether the session is usable.
    with contextlib.suppress(aiosmtplib.SMTPResponseException):
        await client.rset()


def _failure_kind(error: BaseException) -> FailureKind:
    if isinstance(error, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return FailureKind.CONNECTION_TIMEOUT
    if isinstance(error, ssl.SSLError):
        return FailureKind.TLS_FAILURE
    if isinstance(error, aiosmtplib.SMTPServerDisconnected):
        return FailureKind.CONNECTION_LOST
    if isinstance(error, aiosmtplib.SMTPConnectError | ConnectionRefusedError):
        return FailureKind.CONNECTION_REFUSED
    if isinstance(error, OSError):
        return FailureKind.NETWORK_UNREACHABLE
    return FailureKind.PROTOCOL_ERROR


def _detail(error: BaseException) -> str:
    return str(error) or type(error).__name__
