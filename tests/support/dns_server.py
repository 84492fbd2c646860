"""A loopback authoritative DNS server for tests, whose records can change while it runs.

:class:`DnsTestServer` answers over UDP and TCP on one ephemeral port of 127.0.0.1, from records
the test sets with ``set_txt``, ``set_cname``, ``set_mx``, ``set_a``, ``set_aaaa``, ``remove`` and
``fail``.
Answers follow what a real authoritative server does, as far as resolvers can tell:

* an unknown name is NXDOMAIN; a known name without records of the asked type is NOERROR with
  an empty answer; a name marked with :meth:`DnsTestServer.fail` is SERVFAIL;
* a UDP answer larger than the client can take (512 bytes, or the EDNS payload size it
  advertises) is replaced by an empty one with the TC flag, so the client asks again over TCP.

dnslib serves the sockets and encodes the messages; the zone is ours, guarded by a lock because
the test thread writes it while the server's threads read it. Every question is logged
(:attr:`DnsTestServer.queries`), so tests can see which transport a lookup used.
"""

from __future__ import annotations

import errno
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from dnslib import (
    AAAA,
    CNAME,
    MX,
    QTYPE,
    RCODE,
    RR,
    TXT,
    A,
)
from dnslib.server import DNSLogger, DNSServer

TTL = 60
"""The TTL of every record served (resolvers under test do not cache)."""

MAX_STRING = 255
"""The longest TXT character-string; longer values are split into several strings."""

_PLAIN_UDP_LIMIT = 512
_OPT = 41
_BIND_ATTEMPTS = 20
_POLL_INTERVAL = 0.01

TxtValue = str | bytes | tuple[str | bytes, ...]
"""One TXT record: a value to split into 255-byte strings, or its exact strings as a tuple."""


@dataclass(frozen=True)
class Query:
    """One question the server received."""

    name: str
    """Lower case, without the trailing dot."""
    rtype: str
    """``"TXT"``, ``"MX"``, ``"A"``, …"""
    transport: str
    """``"udp"`` or ``"tcp"``."""


def _key(name: str) -> str:
    return name.rstrip(".").lower()


def _encode(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _txt_strings(value: TxtValue) -> list[bytes]:
    if isinstance(value, tuple):
        strings = [_encode(part) for part in value]
        if any(len(string) > MAX_STRING for string in strings):
            raise ValueError(f"a TXT character-string holds at most {MAX_STRING} bytes")
        return strings
    data = _encode(value)
    return [data[start : start + MAX_STRING] for start in range(0, len(data), MAX_STRING)] or [b""]


class _Zone:
    """The records by name and type, the failing names and the query log, behind one lock.

    dnslib calls :meth:`resolve` from its server threads with the decoded request and the
    request handler (whose ``protocol`` is ``"udp"`` or ``"tcp"``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, dict[int, list[Any]]] = {}
        self._failing: set[str] = set()
        self._queries: list[Query] = []

    def put(self, name: str, rtype: int, rdatas: list[Any]) -> None:
        with self._lock:
            self._records.setdefault(_key(name), {})[rtype] = rdatas

    def remove(self, name: str) -> None:
        with self._lock:
            self._records.pop(_key(name), None)
            self._failing.discard(_key(name))

    def fail(self, name: str) -> None:
        with self._lock:
            self._failing.add(_key(name))

    def queries(self) -> list[Query]:
        with self._lock:
            return list(self._queries)

    def resolve(self, request: Any, handler: Any) -> Any:
        qname, qtype = request.q.qname, int(request.q.qtype)
        key = _key(str(qname))
        transport = str(handler.protocol)
        with self._lock:
            self._queries.append(Query(key, str(QTYPE[qtype]), transport))
            failing = key in self._failing
            rrsets = self._records.get(key)
            rdatas = list(rrsets.get(qtype, ())) if rrsets is not None else []
        reply = request.reply()
        if failing:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if rrsets is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for rdata in rdatas:
            reply.add_answer(RR(qname, qtype, ttl=TTL, rdata=rdata))
        if transport == "udp" and len(reply.pack()) > _udp_limit(request):
            truncated = request.reply()
            truncated.header.tc = 1
            return truncated
        return reply


def _udp_limit(request: Any) -> int:
    """The largest UDP answer the client accepts: its EDNS payload size, at least 512."""
    for record in request.ar:
        if record.rtype == _OPT:
            return max(_PLAIN_UDP_LIMIT, int(record.rclass))
    return _PLAIN_UDP_LIMIT


class DnsTestServer:
    """An authoritative DNS server on loopback (UDP and TCP, one port) for one test.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. Record setters replace
    the records of their type at the name; names are case-insensitive.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._zone = _Zone()
        self._servers: list[Any] = []
        self._threads: list[threading.Thread] = []
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        if self._servers:
            raise RuntimeError("the DNS test server is already running")
        self._servers = self._bind()
        self._port = int(self._servers[0].server.server_address[1])
        for server in self._servers:
            thread = threading.Thread(
                target=server.server.serve_forever,
                kwargs={"poll_interval": _POLL_INTERVAL},
                name=f"dns-test-server-{self._port}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.server.shutdown()
        for thread in self._threads:
            thread.join()
        for server in self._servers:
            server.server.server_close()  # also joins the request-handler threads
        self._servers, self._threads, self._port = [], [], None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` to point a resolver at."""
        if self._port is None:
            raise RuntimeError("the DNS test server is not running")
        return self._host, self._port

    @property
    def queries(self) -> list[Query]:
        """Every question received so far, oldest first."""
        return self._zone.queries()

    # -------------------------------------------------------------------- records
    def set_txt(self, name: str, *values: TxtValue) -> None:
        """One TXT record per value (no values: the name exists without TXT records)."""
        self._zone.put(name, QTYPE.TXT, [TXT(_txt_strings(value)) for value in values])

    def set_mx(self, domain: str, exchangers: list[tuple[int, str]]) -> None:
        """MX records as ``(preference, host)``; ``"."`` as host makes a null MX."""
        self._zone.put(domain, QTYPE.MX, [MX(host, preference) for preference, host in exchangers])

    def set_cname(self, name: str, target: str) -> None:
        """A CNAME record: ``name`` is an alias for ``target`` (answered as is, not followed)."""
        self._zone.put(name, QTYPE.CNAME, [CNAME(target)])

    def set_a(self, host: str, *ips: str) -> None:
        self._zone.put(host, QTYPE.A, [A(ip) for ip in ips])

    def set_aaaa(self, host: str, *ips: str) -> None:
        self._zone.put(host, QTYPE.AAAA, [AAAA(ip) for ip in ips])

    def remove(self, name: str) -> None:
        """Forget every record at ``name`` (it becomes NXDOMAIN) and any :meth:`fail`."""
        self._zone.remove(name)

    def fail(self, name: str) -> None:
        """Answer SERVFAIL for every question about ``name`` until :meth:`remove`."""
        self._zone.fail(name)

    # -------------------------------------------------------------------- helpers
    def _bind(self) -> list[Any]:
        """UDP on a free port, then TCP on the same port; try again if TCP has it taken."""
        logger = DNSLogger(logf=lambda _message: None)
        for _ in range(_BIND_ATTEMPTS):
            udp = DNSServer(self._zone, address=self._host, port=0, logger=logger)
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self._zone, address=self._host, port=port, tcp=True, logger=logger)
            except OSError as error:
                udp.server.server_close()
                if error.errno != errno.EADDRINUSE:
                    raise
                continue
            return [udp, tcp]
        raise RuntimeError(f"no port free for both UDP and TCP on {self._host}")
