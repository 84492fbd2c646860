"""Shared machinery of the sending benchmarks (``send_api.py``, ``send_smtp.py``).

The method is the one of ``api_overhead.py`` (whose code this repeats rather than imports, so
that the two can change independently):

- **Servers** run as subprocesses pinned to the first CPU (:func:`child_process`), one at a
  time under load; their CPU use is read from ``/proc`` over each measured window.
- **The load generator** is a separate process (this file with ``--generator``) pinned to the
  second CPU, running asyncio on uvloop. It takes one JSON command per stdin line and answers
  one JSON line: ``{"op": "http" | "smtp", "spec": {...}}`` runs a load for ``seconds`` with
  ``connections`` concurrent connections, each doing one request (or message) at a time.
- **HTTP** (:class:`HttpSpec`) is written by hand as HTTP/1.1 on asyncio streams, keep-alive
  unless the server answers ``Connection: close`` (moto does: every request then opens a new
  connection, and the connect counts in its latency). The request is SigV4-signed with
  botocore's ``SigV4Auth`` (what boto3 uses) when a run starts and again every
  :data:`RESIGN_SECONDS`; every request sent in between carries that signature. The body is
  constant, so the signature (which covers the SHA-256 of the exact body) stays valid for it;
  a SigV4 signature has no nonce and is valid for 5 minutes, and the server verifies it in
  full on every request. Only HTTP 200 counts.
- **SMTP** (:class:`SmtpSpec`) uses a minimal asyncio SMTP client (no ``aiosmtplib`` here):
  per connection EHLO, STARTTLS (certificate checked against the given CA file), EHLO,
  AUTH PLAIN, once, before the measured window; then MAIL FROM / RCPT TO / DATA repeatedly on
  that connection, one command at a time (neither server offers PIPELINING). A message counts
  when the reply to the end of DATA is 250; its latency runs from MAIL FROM to that reply.
- **Rounds** (:func:`run_rounds`): a warm-up per target, then rounds alternating the targets,
  so that the machine's noise spreads over all of them; figures are medians over the rounds.
  Each window also reads ``/proc/stat`` for the servers' CPU: the share other processes used
  meanwhile is printed ("others") and a warning names the windows where it passed 10%.

Every run also reports ``succeeded_total``: the successes over the whole run including those
that completed after the window closed (the workers finish the request in flight), so that a
benchmark can check them against what the server says it stored; ``unsettled`` counts requests
lost to a broken connection, whose outcome the client cannot know.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

REGION = "us-east-1"
FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
RESIGN_SECONDS = 1.0
START_TIMEOUT = 60.0
DRAIN_TIMEOUT = 30.0  # after the window, how long requests in flight may take to finish
NOISY = 0.10  # others' share of the servers' CPU above which a window is called noisy


# ============================================================================== the specs


@dataclass(frozen=True, slots=True)
class HttpSpec:
    """One HTTP load against one target."""

    host: str
    port: int
    method: str
    path: str
    body: str = ""
    access_key_id: str | None = None  # sign with SigV4 when set
    secret_access_key: str = ""
    service: str = "ses"
    connections: int = 64
    seconds: float = 5.0
    server_pid: int | None = None  # whose CPU time to read over the measured window
    server_on: int | None = None  # the CPU the server is pinned to: how busy others keep it


@dataclass(frozen=True, slots=True)
class SmtpSpec:
    """One SMTP submission load against one target (STARTTLS + AUTH PLAIN)."""

    host: str
    port: int
    cafile: str
    username: str
    password: str
    mail_from: str
    recipient: str
    message: str  # the message, CRLF line ends, ending with CRLF
    server_hostname: str = "localhost"
    connections: int = 16
    seconds: float = 5.0
    server_pid: int | None = None
    server_on: int | None = None


@dataclass(slots=True)
class LoadResult:
    ok: int  # successes completed within the window
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    generator_cpu: float  # fraction of one CPU over the measured window
    server_cpu: float | None
    others_cpu: float | None  # share of the server's CPU that other processes used meanwhile
    succeeded_total: int  # successes over the whole run, the window's and after it
    unsettled: int  # requests lost to a broken connection: stored or not, the client can't tell
    signatures: int = 0
    signing_seconds: float = 0.0


@dataclass(slots=True)
class Tally:
    deadline: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    succeeded_total: int = 0
    unsettled: int = 0
    connected: int = 0  # workers connected (and, over SMTP, logged in), waiting for the start

    def record(self, success: bool, label: str, started: float, ended: float) -> None:
        if success:
            self.succeeded_total += 1
        if ended > self.deadline:
            return  # finished after the window: not counted
        if success:
            self.latencies.append(ended - started)
        else:
            self.errors[label] += 1

    def error(self, error: BaseException, ended: float, *, in_flight: bool) -> None:
        if in_flight:
            self.unsettled += 1
        if ended <= self.deadline:
            self.errors[type(error).__name__] += 1


class ResponseError(Exception):
    """An answer this client cannot read."""


# ================================================================================== HTTP


class SignedRequest:
    """The request to send, re-signed with botocore every :data:`RESIGN_SECONDS`."""

    def __init__(self, spec: HttpSpec) -> None:
        self.spec = spec
        self.netloc = f"{spec.host}:{spec.port}"
        self.url = f"http://{self.netloc}{spec.path}"
        self.signatures = 0
        self.signing_seconds = 0.0
        self.raw = b""
        self.refresh()

    def refresh(self) -> None:
        start = time.perf_counter()
        spec = self.spec
        body = spec.body.encode()
        headers = {"Host": self.netloc, "User-Agent": "openses-benchmark"}
        if body:
            headers["Content-Type"] = FORM_TYPE
        if spec.access_key_id is not None:
            headers = sign(spec, self.url, headers, body)
            self.signatures += 1
        lines = [f"{spec.method} {spec.path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        if body or spec.method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        self.signing_seconds += time.perf_counter() - start

    async def keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(RESIGN_SECONDS)
            self.refresh()


def sign(spec: HttpSpec, url: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date`` and ``Authorization``, signed as boto3 signs."""
    from botocore.auth import SigV4Auth  # noqa: PLC0415 - the generator process only
    from botocore.awsrequest import AWSRequest  # noqa: PLC0415
    from botocore.credentials import Credentials  # noqa: PLC0415

    request = AWSRequest(method=spec.method, url=url, data=body, headers=dict(headers))
    credentials = Credentials(spec.access_key_id, spec.secret_access_key)
    SigV4Auth(credentials, spec.service, REGION).add_auth(request)
    return {str(name): str(value) for name, value in request.headers.items()}


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise ResponseError(head[:40].decode("latin-1"))
    status = int(head[9:12])
    lowered = head.lower()
    close = b"\r\nconnection: close" in lowered or head.startswith(b"HTTP/1.0")
    at = lowered.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lowered.index(b"\r\n", at + 2)
        await reader.readexactly(int(lowered[at + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked" in lowered:
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        while await reader.readuntil(b"\r\n") != b"\r\n":
            pass  # trailers
    else:
        await reader.read()  # the body runs to the end of the connection
        close = True
    return status, close


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def close_connection(connection: Connection | None) -> None:
    if connection is not None:
        connection[1].close()


async def http_worker(
    spec: HttpSpec, request: SignedRequest, go: asyncio.Event, tally: Tally
) -> None:
    connection: Connection | None = await asyncio.open_connection(spec.host, spec.port)
    tally.connected += 1
    await go.wait()
    try:
        while (started := time.perf_counter()) < tally.deadline:
            sent = False
            try:
                if connection is None:
                    connection = await asyncio.open_connection(spec.host, spec.port)
                reader, writer = connection
                writer.write(request.raw)
                sent = True
                status, close = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                tally.error(error, time.perf_counter(), in_flight=sent)
                close_connection(connection)
                connection = None
                await asyncio.sleep(0.001)
                continue
            except (ResponseError, ValueError) as error:
                tally.error(error, time.perf_counter(), in_flight=sent)
                close_connection(connection)
                connection = None
                continue
            tally.record(status == 200, f"HTTP {status}", started, time.perf_counter())
            if close:
                close_connection(connection)
                connection = None
    finally:
        close_connection(connection)


# ================================================================================== SMTP


class SmtpReplyError(ResponseError):
    """A reply other than the one the dialogue needs at that point."""

    def __init__(self, expected: int, code: int) -> None:
        super().__init__(f"expected reply {expected}, got {code}")
        self.code = code


async def smtp_reply(reader: asyncio.StreamReader) -> int:
    """Read one (possibly multi-line) reply; return its code."""
    while True:
        line = await reader.readline()
        if len(line) < 4 or not line.endswith(b"\n"):
            if not line:
                raise asyncio.IncompleteReadError(line, None)
            raise ResponseError(line[:40].decode("latin-1"))
        if line[3:4] != b"-":
            return int(line[:3])


async def smtp_expect(reader: asyncio.StreamReader, expected: int) -> None:
    code = await smtp_reply(reader)
    if code != expected:
        raise SmtpReplyError(expected, code)


async def smtp_login(spec: SmtpSpec, context: ssl.SSLContext) -> Connection:
    """A connection past EHLO, STARTTLS, EHLO and AUTH PLAIN."""
    reader, writer = await asyncio.open_connection(spec.host, spec.port)
    try:
        await smtp_expect(reader, 220)
        writer.write(b"EHLO bench.invalid\r\n")
        await smtp_expect(reader, 250)
        writer.write(b"STARTTLS\r\n")
        await smtp_expect(reader, 220)
        await writer.start_tls(context, server_hostname=spec.server_hostname)
        writer.write(b"EHLO bench.invalid\r\n")
        await smtp_expect(reader, 250)
        token = base64.b64encode(f"\0{spec.username}\0{spec.password}".encode()).decode()
        writer.write(f"AUTH PLAIN {token}\r\n".encode())
        await smtp_expect(reader, 235)
    except BaseException:
        writer.close()
        raise
    return reader, writer


def smtp_payload(message: str) -> bytes:
    """The DATA body: dot-stuffed, CRLF-terminated, then the end-of-data line."""
    lines = message.encode().split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines)


async def smtp_worker(
    spec: SmtpSpec, context: ssl.SSLContext, go: asyncio.Event, tally: Tally
) -> None:
    connection: Connection | None = await smtp_login(spec, context)
    mail = f"MAIL FROM:<{spec.mail_from}>\r\n".encode()
    rcpt = f"RCPT TO:<{spec.recipient}>\r\n".encode()
    data = smtp_payload(spec.message) + b".\r\n"
    tally.connected += 1
    await go.wait()
    try:
        while (started := time.perf_counter()) < tally.deadline:
            sent = False
            try:
                if connection is None:
                    connection = await smtp_login(spec, context)
                    continue  # a new login is not a message: start the clock again
                reader, writer = connection
                writer.write(mail)
                if (code := await smtp_reply(reader)) == 250:
                    writer.write(rcpt)
                    if (code := await smtp_reply(reader)) == 250:
                        writer.write(b"DATA\r\n")
                        if (code := await smtp_reply(reader)) == 354:
                            writer.write(data)
                            sent = True
                            code = await smtp_reply(reader)
                ended = time.perf_counter()
                if code != 250 and not sent:  # refused before the message: reset the transaction
                    writer.write(b"RSET\r\n")
                    await smtp_reply(reader)
            except (OSError, asyncio.IncompleteReadError, ssl.SSLError) as error:
                tally.error(error, time.perf_counter(), in_flight=sent)
                close_connection(connection)
                connection = None
                await asyncio.sleep(0.001)
                continue
            except (ResponseError, ValueError) as error:
                tally.error(error, time.perf_counter(), in_flight=sent)
                close_connection(connection)
                connection = None
                continue
            tally.record(code == 250, f"SMTP {code}", started, ended)
        if connection is not None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError, ResponseError):
                connection[1].write(b"QUIT\r\n")
                await asyncio.wait_for(smtp_reply(connection[0]), 5)
    finally:
        close_connection(connection)


# ============================================================================= the runs


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy_seconds(cpu: int) -> float:
    """Seconds CPU ``cpu`` spent not idle (all processes), from ``/proc/stat``."""
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name == f"cpu{cpu}":
            ticks = [int(v) for v in values[:8]]
            idle = ticks[3] + ticks[4]  # idle + iowait
            return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")
    raise ValueError(f"no cpu{cpu} in /proc/stat")


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run_load(spec: HttpSpec | SmtpSpec) -> LoadResult:
    go = asyncio.Event()
    tally = Tally(deadline=float("inf"))
    request: SignedRequest | None = None
    async with contextlib.AsyncExitStack() as stack:
        if isinstance(spec, HttpSpec):
            request = SignedRequest(spec)
            refresher = asyncio.create_task(request.keep_fresh())
            stack.callback(refresher.cancel)
            workers = [http_worker(spec, request, go, tally) for _ in range(spec.connections)]
        else:
            context = ssl.create_default_context(cafile=spec.cafile)
            workers = [smtp_worker(spec, context, go, tally) for _ in range(spec.connections)]
        tasks = [asyncio.create_task(worker) for worker in workers]
        stack.callback(lambda: [task.cancel() for task in tasks])
        ready = time.perf_counter() + START_TIMEOUT  # every worker connects (and logs in)
        while tally.connected < len(tasks):
            await asyncio.sleep(0.02)
            for task in tasks:
                if task.done():
                    task.result()  # a worker that could not even connect: raise its error
            if time.perf_counter() > ready:
                raise RuntimeError(f"only {tally.connected} of {len(tasks)} workers connected")
        await asyncio.sleep(0.1)
        server_before = process_cpu_seconds(spec.server_pid) if spec.server_pid else 0.0
        busy_before = cpu_busy_seconds(spec.server_on) if spec.server_on is not None else 0.0
        cpu_before, start = time.process_time(), time.perf_counter()
        tally.deadline = start + spec.seconds
        signatures = request.signatures if request else 0
        signing_seconds = request.signing_seconds if request else 0.0
        go.set()
        await asyncio.sleep(max(0.0, tally.deadline - time.perf_counter()))
        elapsed = time.perf_counter() - start
        generator_cpu = (time.process_time() - cpu_before) / elapsed
        server_cpu = others_cpu = None
        if spec.server_pid:
            server_cpu = (process_cpu_seconds(spec.server_pid) - server_before) / elapsed
        if spec.server_on is not None:
            busy = (cpu_busy_seconds(spec.server_on) - busy_before) / elapsed
            others_cpu = max(0.0, busy - (server_cpu or 0.0))
        if request is not None:
            signatures = request.signatures - signatures
            signing_seconds = request.signing_seconds - signing_seconds
        _, late = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT)
        for task in late:  # stuck on a request the server never answered
            tally.unsettled += 1
            tally.errors["no answer"] += 1
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                tally.errors[f"worker {type(task.exception()).__name__}"] += 1
    latencies = sorted(tally.latencies)
    return LoadResult(
        ok=len(latencies),
        seconds=spec.seconds,
        rate=len(latencies) / spec.seconds,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        errors=dict(tally.errors),
        generator_cpu=generator_cpu,
        server_cpu=server_cpu,
        others_cpu=others_cpu,
        succeeded_total=tally.succeeded_total,
        unsettled=tally.unsettled,
        signatures=signatures,
        signing_seconds=signing_seconds,
    )


def generator_main() -> None:
    """The generator process: one JSON command per stdin line, one JSON answer per line."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    with contextlib.suppress(ImportError):
        import uvloop  # noqa: PLC0415

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        for line in sys.stdin:
            command = json.loads(line)
            spec: HttpSpec | SmtpSpec
            if command["op"] == "http":
                spec = HttpSpec(**command["spec"])
            else:
                spec = SmtpSpec(**command["spec"])
            print(json.dumps(asdict(runner.run(run_load(spec)))), flush=True)


class Generator:
    """The parent's handle on the generator process."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def run(self, spec: HttpSpec | SmtpSpec) -> LoadResult:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        op = "http" if isinstance(spec, HttpSpec) else "smtp"
        self.process.stdin.write(json.dumps({"op": op, "spec": asdict(spec)}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator stopped (exit status {self.process.wait()})")
        return LoadResult(**json.loads(line))


@contextlib.contextmanager
def generator_process(cpus: set[int] | None) -> Iterator[Generator]:
    with pinned(cpus):
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--generator"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    try:
        yield Generator(process)
    finally:
        if process.stdin is not None:
            process.stdin.close()  # end of commands: it exits
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop(process)
        if process.stdout is not None:
            process.stdout.close()


# ============================================================================ the rounds


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    label: str
    spec: HttpSpec | SmtpSpec


def run_rounds(
    generator: Generator,
    targets: list[Target],
    *,
    rounds: int,
    seconds: float,
    warmup: float,
    verbose: bool = False,
) -> dict[str, list[LoadResult]]:
    """A warm-up per target, then ``rounds`` rounds alternating the targets; every result,
    the warm-ups' first (under the key ``"<name> warm-up"``)."""
    results: dict[str, list[LoadResult]] = {}
    for target in targets:
        results[f"{target.name} warm-up"] = [generator.run(replace(target.spec, seconds=warmup))]
    for target in targets:
        results[target.name] = []
    for number in range(rounds):
        for target in targets:
            result = generator.run(replace(target.spec, seconds=seconds))
            results[target.name].append(result)
            if verbose:
                print(f"  round {number + 1} {target.name:<8} {describe(result)}", flush=True)
    return results


def describe(result: LoadResult) -> str:
    server = f"{result.server_cpu:4.0%}" if result.server_cpu is not None else "  - "
    others = f"{result.others_cpu:4.0%}" if result.others_cpu is not None else "  - "
    return (
        f"{result.rate:9,.0f}/s  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
        f"server CPU {server} (others on it {others})  generator CPU "
        f"{result.generator_cpu:4.0%}  errors {sum(result.errors.values())}"
    )


@dataclass(frozen=True, slots=True)
class Summary:
    rate: float
    p50_ms: float
    p99_ms: float


def print_table(
    targets: list[Target], results: dict[str, list[LoadResult]], unit: str
) -> dict[str, Summary]:
    """The medians per target, as a table; returned by target name."""
    print(
        f"{'target':<54} {unit:>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'server CPU':>10} {'others':>6} {'gen CPU':>8} {'errors':>7}"
    )
    summaries: dict[str, Summary] = {}
    for target in targets:
        runs = results[target.name]
        summary = Summary(
            statistics.median(r.rate for r in runs),
            statistics.median(r.p50_ms for r in runs),
            statistics.median(r.p99_ms for r in runs),
        )
        summaries[target.name] = summary
        errors: Counter[str] = Counter()
        for run in runs:
            errors.update(run.errors)
        server_cpus = [r.server_cpu for r in runs if r.server_cpu is not None]
        others = [r.others_cpu for r in runs if r.others_cpu is not None]
        server_cpu = f"{statistics.median(server_cpus):.0%}" if server_cpus else "-"
        others_cpu = f"{statistics.median(others):.0%}" if others else "-"
        listed = ", ".join(f"{k}: {v}" for k, v in errors.most_common())
        print(
            f"{target.label:<54} {summary.rate:>9,.0f} {summary.p50_ms:>8.2f} "
            f"{summary.p99_ms:>8.2f} {server_cpu:>10} {others_cpu:>6} "
            f"{statistics.median(r.generator_cpu for r in runs):>8.0%} "
            f"{sum(errors.values()):>7}" + (f"  ({listed})" if listed else "")
        )
    print(
        "(CPU columns: shares of one CPU over the measured windows; 'others' is the share of the "
        "servers' CPU that other processes on this machine used meanwhile)"
    )
    shared = [r.others_cpu for t in targets for r in results[t.name] if r.others_cpu is not None]
    if shared and max(shared) > NOISY:
        noisy = sum(1 for share in shared if share > NOISY)
        print(
            f"WARNING: in {noisy} of {len(shared)} measured windows other processes used more "
            f"than {NOISY:.0%} of the servers' CPU (up to {max(shared):.0%}): those rounds "
            "measured the machine's load as much as the servers; rerun on a quiet machine"
        )
    return summaries


def totals(results: dict[str, list[LoadResult]], name: str) -> tuple[int, int]:
    """Successes and unsettled requests of a target over every run, warm-up included."""
    runs = [*results[f"{name} warm-up"], *results[name]]
    return sum(r.succeeded_total for r in runs), sum(r.unsettled for r in runs)


# ============================================================================ the servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def pinned(cpus: set[int] | None) -> Iterator[None]:
    """Run the block (and the children it starts) on ``cpus``; None leaves affinity alone."""
    if cpus is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@contextlib.contextmanager
def child_process(
    command: list[str], log: Path, cpus: set[int] | None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A server subprocess (output to ``log``), on ``cpus``; stopped however the block ends."""
    with log.open("wb") as out, pinned(cpus):
        process = subprocess.Popen(  # the child inherits this process's CPU affinity
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=log.parent,
        )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_listening(name: str, process: subprocess.Popen[Any], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}):\n{tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on port {port}:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def placement(pin: bool) -> tuple[set[int] | None, set[int] | None, str]:
    """CPUs for the servers and for the generator, and how to say so."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not pin or len(available) < 2:
        return None, None, f"{os.cpu_count()} CPUs, placement left to the kernel"
    servers_on, generator_on = {available[0]}, {available[1]}
    return (
        servers_on,
        generator_on,
        f"{len(available)} CPUs; servers on CPU {available[0]}, generator on CPU {available[1]}",
    )


def ses_client(port: int, key_id: str, secret: str, service: str = "ses") -> Any:
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


# ================================================================ the OpenSES set-up


ROOT_ACCOUNT_ID = "111122223333"
ROOT_ACCESS_KEY_ID = "AKIAOPENSESBENCH0001"
ROOT_SECRET_ACCESS_KEY = "openses/benchmark/secret/access/key/0001"
DOMAIN = "bench.example"
SENDER = f"app@{DOMAIN}"
RECIPIENT = "someone@example.net"
IDENTITY_ARN = f"arn:aws:ses:{REGION}:{ROOT_ACCOUNT_ID}:identity/{DOMAIN}"
ROOT_ENV = {
    "OPENSES_ROOT_ACCOUNT_ID": ROOT_ACCOUNT_ID,
    "OPENSES_ROOT_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
    "OPENSES_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
}


@dataclass(frozen=True, slots=True)
class Delegate:
    account_id: str
    access_key_id: str
    secret_access_key: str


def openses_command(data_dir: Path, http_port: int, smtp: str = "off") -> list[str]:
    """``openses serve`` taking sends only: the delivery worker is not run in the measured
    process (a deployment runs it as ``--roles worker`` elsewhere; ``delivery.py`` measures
    it), so the send benchmarks compare acceptance with moto's, which delivers nothing."""
    return [
        sys.executable,
        "-m",
        "openses",
        "serve",
        "--roles",
        "api" if smtp == "off" else "api,smtp",
        "--data-dir",
        str(data_dir),
        "--http",
        f"127.0.0.1:{http_port}",
        "--smtp",
        smtp,
        "--smtps",
        "off",
        "--feedback-smtp",
        "off",
    ]


def profiled(command: list[str], profile: Path | None) -> list[str]:
    """``command`` (an ``openses_command``) under cProfile when ``profile`` is given: the stats
    are written to that file when the server stops (``benchmarks/profiled.py``)."""
    if profile is None:
        return command
    return [command[0], str(Path(__file__).with_name("profiled.py")), str(profile), *command[3:]]


def print_profile(path: Path, lines: int = 40) -> None:
    """The server's hottest functions (by own time) from the cProfile stats it wrote."""
    import pstats  # noqa: PLC0415

    if not path.exists():
        print(f"no profile was written to {path}")
        return
    pstats.Stats(str(path)).sort_stats("tottime").print_stats(lines)


def admin(data_dir: Path, *arguments: str) -> dict[str, Any]:
    """``openses admin …`` on the store (a separate process, as an operator would run it)."""
    done = subprocess.run(
        [sys.executable, "-m", "openses", "admin", *arguments, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"openses admin {' '.join(arguments)}: {done.stderr.strip()}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def sending_policy(delegate_account_id: str) -> str:
    """The owner's policy on its domain: the delegate may SendRawEmail, under conditions."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyOtherSenders",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "ses:*",
                    "Resource": IDENTITY_ARN,
                    "Condition": {"StringNotLike": {"ses:FromAddress": f"*@{DOMAIN}"}},
                },
                {
                    "Sid": "AllowDelegate",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{delegate_account_id}:root"},
                    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                    "Resource": IDENTITY_ARN,
                    "Condition": {
                        "StringLike": {"ses:FromAddress": f"*@{DOMAIN}"},
                        "StringEquals": {"ses:ApiVersion": ["1", "2"]},
                        "ForAllValues:StringLike": {"ses:Recipients": ["*@example.net"]},
                    },
                },
            ],
        }
    )


def set_up_delegation(data_dir: Path, http_port: int) -> Delegate:
    """On a running OpenSES: a delegate account with raised limits, the owner's (root's)
    domain verified, and the owner's policy allowing the delegate to send as it."""
    made = admin(data_dir, "account", "create", "--production")
    delegate = Delegate(made["account_id"], made["access_key_id"], made["secret_access_key"])
    admin(
        data_dir,
        "account",
        "update",
        delegate.account_id,
        "--max-send-rate",
        "1000000",
        "--max-24-hour-send",
        "1000000000",
    )
    admin(
        data_dir, "identity", "verify", "--account-id", ROOT_ACCOUNT_ID, "--region", REGION, DOMAIN
    )
    owner = ses_client(http_port, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY)
    owner.put_identity_policy(
        Identity=DOMAIN, PolicyName="delegate", Policy=sending_policy(delegate.account_id)
    )
    return delegate


def sent_last_24_hours(http_port: int, delegate: Delegate) -> int:
    client = ses_client(http_port, delegate.access_key_id, delegate.secret_access_key)
    return int(client.get_send_quota()["SentLast24Hours"])


def message_text(extra_headers: tuple[str, ...] = (), size: int = 1536) -> str:
    """A plain-text message of about ``size`` bytes from :data:`SENDER` to :data:`RECIPIENT`."""
    head = [
        f"From: Bench App <{SENDER}>",
        f"To: {RECIPIENT}",
        "Subject: OpenSES sending benchmark",
        "Message-ID: <bench@bench.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        *extra_headers,
        "",
    ]
    text = "\r\n".join(head) + "\r\n"
    line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
    while len(text) + len(line) <= size:
        text += line
    return text


def durability_line(server: str, succeeded: int, unsettled: int, before: int, after: int) -> str:
    stored = after - before
    if stored == succeeded:
        verdict = "every success was stored"
    elif succeeded <= stored <= succeeded + unsettled:
        verdict = f"every success was stored (+{stored - succeeded} of the unsettled)"
    else:
        verdict = "MISMATCH"
    return (
        f"durability: {server} answered {succeeded:,} successes over the whole run (warm-ups "
        f"included; {unsettled} unsettled); the delegate's SentLast24Hours grew by {stored:,} "
        f"({before:,} -> {after:,}): {verdict}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the load generator of the send benchmarks")
    parser.add_argument("--generator", action="store_true", required=True)
    parser.parse_args()
    generator_main()
