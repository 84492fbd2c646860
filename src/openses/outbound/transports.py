"""The three ways accepted mail leaves: captured, through a smarthost, or straight to the MX.

Each transport takes the messages bound for one recipient domain and answers, per message and
recipient, what happened (:data:`~openses.domain.transfer.Results`). One SMTP session
carries all of them when the destination allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from openses.domain.delivery.failures import ConnectionFailure, FailureKind
from openses.domain.delivery.outcome import RemoteMta, Unreachable
from openses.domain.delivery.status import SmtpReply
from openses.domain.transfer import Envelope, Results, replied_all, unreachable_all
from openses.outbound.dns import DnsResolver, DnsTemporaryFailure
from openses.outbound.smtp_client import Handed, SessionSettings, TlsMode, hand_over

CAPTURED = SmtpReply(250, ("2.0.0 Ok: captured by OpenSES",))


class CaptureTransport:
    """Delivery into the capture outbox: the message stays where it was stored, for the admin
    API and the tests to read; every recipient counts as delivered."""

    name = "capture"

    def __init__(self, host_name: str = "localhost") -> None:
        self.mta = RemoteMta(host_name, "127.0.0.1")

    async def deliver(
        self, domain: str, envelopes: Sequence[Envelope], *, require_tls: bool = False
    ) -> Results:
        return {envelope.key: replied_all(envelope, CAPTURED, self.mta) for envelope in envelopes}


@dataclass(frozen=True, slots=True)
class SmarthostTransport:
    """Everything to one relay (``--smarthost``), which does the routing."""

    host: str
    port: int
    settings: SessionSettings
    name = "smarthost"

    async def deliver(
        self, domain: str, envelopes: Sequence[Envelope], *, require_tls: bool = False
    ) -> Results:
        settings = _requiring_tls(self.settings) if require_tls else self.settings
        handed = await hand_over(
            self.host, self.host, self.port, envelopes, settings, domain=domain
        )
        return handed.results


def mail_exchangers(exchangers: Sequence[tuple[int, str]], domain: str) -> list[str] | None:
    """The hosts to try for ``domain``, most preferred first (RFC 5321 §5.1).

    No MX records means the domain itself is the exchanger ("implicit MX"); a null MX
    (RFC 7505: a single ``0 .``) means the domain takes no mail, answered as ``None``.
    """
    if not exchangers:
        return [domain]
    hosts = [host for _preference, host in exchangers if host not in (".", "")]
    if not hosts:
        return None
    return hosts


class DirectTransport:
    """Delivery to the recipient domain's mail exchangers, found with DNS.

    Hosts are tried in preference order and each host's addresses in the order served, until
    one answers; a host that cannot be reached, or greets with a temporary error, hands over to
    the next. ``port`` is 25 in deployments (tests point it at a loopback listener).
    """

    name = "direct"

    def __init__(self, resolver: DnsResolver, settings: SessionSettings, *, port: int = 25):
        self.resolver = resolver
        self.settings = settings
        self.port = port

    async def deliver(
        self, domain: str, envelopes: Sequence[Envelope], *, require_tls: bool = False
    ) -> Results:
        """``require_tls`` (a configuration set's ``TlsPolicy: REQUIRE``): STARTTLS or no
        delivery (a temporary failure, retried until the message expires)."""
        settings = _requiring_tls(self.settings) if require_tls else self.settings

        def everyone(kind: FailureKind, detail: str = "") -> Results:
            failure = ConnectionFailure(kind, domain, detail)
            return {e.key: unreachable_all(e, failure) for e in envelopes}

        try:
            hosts = mail_exchangers(await self.resolver.mx(domain), domain)
        except DnsTemporaryFailure as trouble:
            return everyone(FailureKind.DNS_FAILURE, str(trouble))
        if hosts is None:
            return everyone(FailureKind.NULL_MX)
        last: Handed | None = None
        dns_trouble: str | None = None
        for host in hosts:
            try:
                addresses = await self.resolver.addresses(host)
            except DnsTemporaryFailure as trouble:
                dns_trouble = str(trouble)
                continue
            for address in addresses:
                handed = await hand_over(
                    host, address, self.port, envelopes, settings, domain=domain
                )
                if handed.greeted or _final(handed.results):
                    return handed.results
                last = handed
        if last is not None:
            return last.results
        if dns_trouble is not None:
            return everyone(FailureKind.DNS_FAILURE, dns_trouble)
        return everyone(FailureKind.NO_SUCH_DOMAIN)


def _requiring_tls(settings: SessionSettings) -> SessionSettings:
    """``settings`` with TLS required: implicit TLS stays, anything else becomes STARTTLS."""
    if settings.tls == TlsMode.IMPLICIT:
        return settings
    return replace(settings, tls=TlsMode.REQUIRED)


def _final(results: Results) -> bool:
    """Whether a session that never got going still gave a final answer (a 5xx greeting);
    otherwise (unreachable, or a temporary greeting error) the next host is tried."""
    return any(
        not isinstance(result, Unreachable) and result.reply.code >= 500
        for answers in results.values()
        for result in answers
    )
