"""One SMTP connection: aiosmtpd's protocol, adjusted to behave and word itself like SES.

aiosmtpd parses SMTP; this module decides. What SES does (spec §6.4), and how it is done here:

* TLS before anything that matters. On the STARTTLS listener aiosmtpd's ``require_starttls``
  answers every command but EHLO/HELO/NOOP/QUIT/STARTTLS with ``530 Must issue a STARTTLS
  command first`` and AUTH is not advertised before TLS. On the implicit-TLS listener the
  socket is TLS from the first byte; aiosmtpd only counts STARTTLS as encryption (its issue
  #281), so that listener runs with ``auth_require_tls=False``, which is exact there.
* AUTH PLAIN and LOGIN (aiosmtpd's own parsers). aiosmtpd's authenticator callback is
  synchronous, so it only hands the credentials over and the asynchronous check
  (:mod:`openses.smtp.credentials`) completes the mechanism. Failures answer
  ``535 Authentication Credentials Invalid`` (aiosmtpd's default ``handled=True`` would send
  nothing and hang the client).
* MAIL, RCPT and DATA need AUTH: ``530 Authentication required``.
* Envelope checks and the submission: :mod:`openses.smtp.handler` (aiosmtpd's handler hooks);
  more recipients than the limit: see :mod:`openses.smtp.replies`.
* SIZE is advertised (``data_size_limit``) and enforced both on ``MAIL … SIZE=`` and on the
  bytes actually received; both answer ``552 Message is too long.``. 8BITMIME is offered
  (the message bytes are passed through untouched); SMTPUTF8 is not (SES has none).
* DATA hands the exact received bytes (dot-unstuffed, CRLF as sent) to the backend with a
  :class:`~openses.services.principals.Call` for the session's principal and region, the
  peer's IP address and ``secure_transport=True`` (AUTH is impossible without TLS).
* An idle connection is closed with ``451 Timeout waiting for data from client``. Idle means
  no bytes from the client: a long DATA upload is not idle, and neither is a connection whose
  command is waiting for the backend. (aiosmtpd's own timer counts only between commands and
  closes without a reply, so it is set out of reach.)
* Concurrent connections over the limit get ``421 Too many concurrent SMTP connections`` as
  their greeting and are closed. They are counted once their TLS handshake (implicit TLS) is
  done; handshakes are bounded by the listener's handshake timeout.

Replies aiosmtpd words itself for these situations are rewritten in :meth:`SesSmtp.push`
(table in :mod:`openses.smtp.replies`); everything else (HELO/EHLO, RSET, NOOP, QUIT, command
syntax) is aiosmtpd's standard behaviour.

Three parts of aiosmtpd are replaced by cheaper code that answers the same (each pinned to
aiosmtpd's own code by ``tests/unit/smtp``): plain ``MAIL``/``RCPT`` paths skip the RFC 5322
parser (:func:`openses.smtp.addresses.plain_path`), DATA reads the message in blocks rather than
line by line (:mod:`openses.smtp.message_data`), and aiosmtpd's out-of-reach command timer is
armed once per connection rather than again on every command.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import ssl
from asyncio import sslproto
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final, cast

from aiosmtpd.smtp import (
    MISSING,
    SMTP,
    AuthResult,
    Envelope,
    LoginPassword,
    Session,
    TLSSetupException,
    syntax,
)

from openses.smtp import replies
from openses.smtp.addresses import address_text, plain_path
from openses.smtp.credentials import authenticate
from openses.smtp.handler import SesHandler, SubmissionEnvelope
from openses.smtp.message_data import DataProblem, read_message

log = logging.getLogger(__name__)
#: What aiosmtpd's ``_tls_protocol`` holds after our STARTTLS: aiosmtpd only asks whether it
#: is set (is the session encrypted?), and reads it in no other way once ``connection_made``
#: has run, which ``loop.start_tls`` does not call again.
_UPGRADED: Final = cast(sslproto.SSLProtocol, object())
_aiosmtpd_log = logging.getLogger("mail.log")  # aiosmtpd's own logger, for its own lines

IDENT: Final = "ESMTP OpenSES"
_OUT_OF_REACH: Final = 10 * 365 * 24 * 3600.0  # aiosmtpd's own command timer: never fires


class ConnectionRegistry:
    """The live connections of all listeners, for the concurrency limit and for shutdown."""

    def __init__(self, max_connections: int) -> None:
        self.max_connections = max_connections
        self.live: set[SesSmtp] = set()

    def admit(self, connection: SesSmtp) -> bool:
        if len(self.live) >= self.max_connections:
            return False
        self.live.add(connection)
        return True

    def release(self, connection: SesSmtp) -> None:
        self.live.discard(connection)

    async def abort_all(self, timeout: float = 5.0) -> None:
        """Drop every live connection and wait until their sessions have ended."""
        connections = list(self.live)
        for connection in connections:
            connection.abort()
        waits = [asyncio.ensure_future(connection.ended.wait()) for connection in connections]
        if waits:
            _, pending = await asyncio.wait(waits, timeout=timeout)
            for wait in pending:
                wait.cancel()
        tasks = [task for connection in connections if (task := connection.handler_task)]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)


class _QuietSession(Session):
    """aiosmtpd's Session, without the deprecation log line its ``login_data`` writes."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


@dataclass(frozen=True, slots=True)
class _Submitted:
    """Credentials aiosmtpd parsed, waiting for the asynchronous check."""

    credentials: LoginPassword


def _hold_credentials(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    return AuthResult(success=False, handled=True, auth_data=_Submitted(auth_data))


def _stream(transport: asyncio.BaseTransport | None) -> asyncio.Transport:
    """A connection's transport as the stream transport it is. Not checked with isinstance:
    uvloop's transports (``openses serve`` runs on uvloop) are not asyncio.Transport
    subclasses."""
    assert transport is not None
    return cast(asyncio.Transport, transport)


def peer_ip(peer: Any) -> str | None:
    """The client's IP address from a socket peer name (IPv4-mapped IPv6 as plain IPv4)."""
    if not isinstance(peer, tuple) or not peer or not isinstance(peer[0], str):
        return None
    try:
        address = ipaddress.ip_address(peer[0].split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


class SesSmtp(SMTP):
    """aiosmtpd's SMTP protocol for one connection, with SES's rules and wording."""

    def __init__(
        self,
        handler: SesHandler,
        registry: ConnectionRegistry,
        *,
        tls_context: ssl.SSLContext,
        implicit_tls: bool,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        policy = handler.policy
        self._ses_policy = policy
        self._ses_registry = registry
        self._ses_refused = False
        self._ses_busy = 0
        self._ses_command: tuple[str, str] | None = None
        self._ses_idle: asyncio.TimerHandle | None = None
        self._ses_last_activity = loop.time()
        self._ses_peer: Any = None
        self._ses_source_ip: str | None = None
        self.ended = asyncio.Event()
        super().__init__(
            handler,
            data_size_limit=policy.max_message_size,
            enable_SMTPUTF8=False,
            decode_data=False,
            hostname=policy.hostname,
            ident=IDENT,
            tls_context=None if implicit_tls else tls_context,
            require_starttls=not implicit_tls,
            timeout=_OUT_OF_REACH,
            auth_required=False,  # enforced by check_auth_needed, in SES's words
            auth_require_tls=not implicit_tls,
            authenticator=_hold_credentials,
            loop=loop,
        )

    # ------------------------------------------------------------ connection life
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None:  # the connection itself, not the STARTTLS upgrade
            if not self._ses_registry.admit(self):
                self._ses_refused = True
                log.warning("SMTP connection refused: %d connections", len(self._ses_registry.live))
                _stream(transport).write(f"{replies.TOO_MANY_CONNECTIONS}\r\n".encode("ascii"))
                transport.close()
                return
            self._ses_touch()
            self._ses_arm_idle(self._ses_policy.idle_timeout)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._ses_refused:
            self.ended.set()
            return
        self._ses_registry.release(self)
        if self._ses_idle is not None:
            self._ses_idle.cancel()
        try:
            super().connection_lost(error)
        finally:
            self.ended.set()

    def data_received(self, data: bytes) -> None:
        self._ses_touch()
        super().data_received(data)

    def abort(self) -> None:
        """Drop the connection now (service shutdown)."""
        if self.transport is not None:
            _stream(self.transport).abort()

    @property
    def handler_task(self) -> asyncio.Task[None] | None:
        return self._handler_coroutine

    @contextlib.asynccontextmanager
    async def busy(self) -> AsyncIterator[None]:
        """While the backend works for this connection, the client is not idle."""
        self._ses_busy += 1
        try:
            yield
        finally:
            self._ses_busy -= 1
            self._ses_touch()

    def _reset_timeout(self, duration: float | None = None) -> None:
        # aiosmtpd re-arms its command timer on every command; ours is out of reach (see the
        # module docstring), so arming it once per connection is the same and costs nothing.
        if self._timeout_handle is None or duration is not None:
            super()._reset_timeout(duration)

    def _ses_touch(self) -> None:
        self._ses_last_activity = self.loop.time()

    def _ses_arm_idle(self, delay: float) -> None:
        self._ses_idle = self.loop.call_later(delay, self._ses_check_idle)

    def _ses_check_idle(self) -> None:
        timeout = self._ses_policy.idle_timeout
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        idle = self.loop.time() - self._ses_last_activity
        if self._ses_busy or idle < timeout:
            self._ses_arm_idle(timeout if self._ses_busy else timeout - idle)
            return
        log.info("%r SMTP connection idle for %.0f s, closing", self.session_peer, idle)
        _stream(transport).write(f"{replies.DATA_TIMEOUT}\r\n".encode("ascii"))
        transport.close()

    @property
    def session_peer(self) -> Any:
        return None if self.session is None else self.session.peer

    @property
    def source_ip(self) -> str | None:
        """:func:`peer_ip` of the session's peer, worked out once per connection."""
        peer = self.session_peer
        if peer is not self._ses_peer:
            self._ses_peer, self._ses_source_ip = peer, peer_ip(peer)
        return self._ses_source_ip

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)

    def _create_envelope(self) -> Envelope:
        return SubmissionEnvelope()

    # ------------------------------------------------------------ SES's wording
    async def push(self, status: str | bytes) -> None:
        if isinstance(status, str):
            await super().push(self._ses_reword(status))
        else:
            await super().push(status)

    def _ses_reword(self, status: str) -> str:
        if not status.startswith("5"):  # every reply reworded is a 5xx
            return status
        fixed = replies.AIOSMTPD_REWRITES.get(status)
        if fixed is not None:
            return fixed
        if status == replies.AIOSMTPD_MALFORMED_ADDRESS and self._ses_command is not None:
            verb, text = self._ses_command
            if verb == "MAIL":
                return replies.invalid_sender(text)
            return replies.unknown_recipient(text)
        if status.startswith(replies.AIOSMTPD_MAIL_SYNTAX_PREFIX):
            return replies.BAD_MAIL_SYNTAX
        if status.startswith(replies.AIOSMTPD_RCPT_SYNTAX_PREFIX):
            return replies.BAD_RCPT_SYNTAX
        return status

    def written_address(self, parsed: str) -> str:
        """The address of the current MAIL/RCPT as the client wrote it (else as parsed)."""
        if self._ses_command is not None and self._ses_command[1]:
            return self._ses_command[1]
        return parsed

    async def check_auth_needed(self, caller_method: str) -> bool:
        if self.session is not None and self.session.authenticated:
            return False
        await self.push(replies.AUTH_REQUIRED)
        return True

    # ------------------------------------------------------------ STARTTLS
    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg: str) -> None:  # noqa: N802
        """aiosmtpd's STARTTLS, the TLS layer being the event loop's own (``loop.start_tls``:
        uvloop's, in C) rather than the pure-Python ``asyncio.sslproto`` aiosmtpd builds by
        hand: every command and reply after it passes through that layer."""
        if arg:
            await self.push("501 Syntax: STARTTLS")
            return
        if not self.tls_context:
            await self.push("454 TLS not available")
            return
        await self.push("220 Ready to start TLS")
        plain = _stream(self.transport)
        # Whatever the client sent after STARTTLS in the clear is dropped (RFC 3207 §4.2).
        self._reader._buffer.clear()  # type: ignore[attr-defined]
        try:
            secured = await self.loop.start_tls(plain, self, self.tls_context, server_side=True)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            raise TLSSetupException() from error
        if secured is None:  # the connection closed during the handshake
            return
        # What aiosmtpd's connection_made does when its own TLS layer reports the upgrade.
        self._original_transport = plain  # closed with the connection (connection_lost)
        self._tls_protocol = _UPGRADED
        self._reader._transport = secured  # type: ignore[attr-defined]
        self._writer._transport = secured  # type: ignore[attr-defined]
        self.transport = secured
        self._set_rset_state()  # type: ignore[no-untyped-call]
        self.session = self._create_session()
        self.session.peer = secured.get_extra_info("peername")
        self.session.ssl = {
            name: secured.get_extra_info(name)
            for name in ("sslcontext", "peercert", "cipher", "compression", "ssl_object")
        }
        hook = self._handle_hooks.get("STARTTLS")
        self._tls_handshake_okay = True if hook is None else hook(self, self.session, self.envelope)

    # ------------------------------------------------------------ commands
    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's path parsing, without its RFC 5322 parser for plain paths (same answers)."""
        plain = plain_path(arg)
        if plain is None:
            return super()._getaddr(arg)
        limit = self.local_part_limit
        if limit and len(plain[0].rpartition("@")[0]) > limit:
            return None, None
        return plain

    async def smtp_MAIL(self, arg: str | None) -> None:  # noqa: N802
        self._ses_command = ("MAIL", address_text(arg, "FROM:"))
        try:
            await super().smtp_MAIL(arg)
        finally:
            self._ses_command = None

    async def smtp_RCPT(self, arg: str | None) -> None:  # noqa: N802
        self._ses_command = ("RCPT", address_text(arg, "TO:"))
        try:
            await super().smtp_RCPT(arg)
        finally:
            self._ses_command = None

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802
        envelope = self.envelope
        if (
            isinstance(envelope, SubmissionEnvelope)
            and envelope.too_many_recipients
            and self.session is not None
            and self.session.authenticated
        ):
            # The whole transaction fails, as at SES: never deliver to a silent subset.
            self.envelope = self._create_envelope()
            await self.push(replies.too_many_recipients(self._ses_policy.max_recipients))
            return
        await self._ses_data(arg)

    async def _ses_data(self, arg: str) -> None:
        """aiosmtpd's DATA, reading the message in blocks (:mod:`openses.smtp.message_data`)."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push(replies.AIOSMTPD_NEED_RCPT)
            return
        if arg:
            await self.push(replies.AIOSMTPD_DATA_SYNTAX)
            return
        await self.push(replies.AIOSMTPD_START_DATA)
        try:
            received = await read_message(self._reader, self.data_size_limit)
        except asyncio.CancelledError:
            _aiosmtpd_log.info("Connection lost during DATA")
            self._writer.close()
            raise
        if isinstance(received, DataProblem):
            self.envelope = self._create_envelope()
            if received is DataProblem.TOO_MUCH:
                await self.push(replies.MESSAGE_TOO_LONG)
            else:
                await self.push(replies.AIOSMTPD_LINE_TOO_LONG)
            return
        self.envelope.content = received  # decode_data is off: bytes, as received
        self.envelope.original_content = received
        status = await self._call_handler_hook("DATA")
        self.envelope = self._create_envelope()
        await self.push(replies.AIOSMTPD_OK if status is MISSING else status)

    # ------------------------------------------------------------ AUTH
    async def auth_PLAIN(self, _: Any, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._ses_verify(await super().auth_PLAIN(_, args))

    async def auth_LOGIN(self, _: Any, args: list[str]) -> AuthResult:  # noqa: N802
        return await self._ses_verify(await super().auth_LOGIN(_, args))

    async def _ses_verify(self, parsed: AuthResult) -> AuthResult:
        submitted = parsed.auth_data
        if not isinstance(submitted, _Submitted):
            return parsed  # aiosmtpd has answered already (bad base64, "*" abort, …)
        policy = self._ses_policy
        try:
            async with self.busy():
                identity = await authenticate(
                    policy.backend,
                    submitted.credentials.login,
                    submitted.credentials.password,
                    default_region=policy.default_region,
                    regions=policy.regions,
                )
        except Exception:
            log.exception("SMTP credential lookup failed")
            return AuthResult(success=False, handled=False, message=replies.AUTH_TEMPORARY_FAILURE)
        if identity is None:
            log.info("%r SMTP authentication failed", self.session_peer)
            return AuthResult(success=False, handled=False, message=replies.AUTH_INVALID)
        return AuthResult(success=True, message=replies.AUTH_SUCCESSFUL, auth_data=identity)
