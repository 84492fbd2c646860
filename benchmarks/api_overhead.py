"""API overhead: SigV4-verified ``GetSendQuota`` requests per second, OpenSES against moto_server.

Both servers run as subprocesses on loopback ports of this machine, in the same run:

- ``openses``: ``python -m openses serve`` on SQLite in a temporary directory, its root
  credentials fixed through ``OPENSES_ROOT_*``; every request is SigV4-verified, its key looked
  up in the store, the quota read from the store (two read-only transactions, each checking
  SQLite's ``data_version``; their reads are answered by the store's exact read cache, see
  ``docs/decisions/0007-sqlite-read-cache.md``), the answer serialized as Query XML.
- ``moto``: ``moto_server`` as it ships (moto checks no signature by default).
- ``moto-iam``: ``moto_server`` with IAM authentication on (``INITIAL_NO_AUTH_ACTION_COUNT=3``:
  the three set-up calls create a user, its key and an ``ses:*`` policy; from then on moto
  recomputes every request's signature and evaluates the user's policies), i.e. like for like.
- ``ceiling``: OpenSES's ``GET /_openses/health`` (no signature, no store): the most the load
  generator and uvicorn can do together here. The generator's CPU use is reported for every
  target, so that one can see it is nowhere near saturated.

The load generator is a separate process (this file with ``--generator``) running asyncio on
uvloop with N keep-alive connections (default 64), each sending one request at a time. It
writes HTTP/1.1 by hand on asyncio streams (``--client raw``, the default) or uses
``httpx.AsyncClient`` (``--client httpx``). Measured against the health endpoint on a 2-CPU VM,
raw costs the generator ~16 us of CPU per request (30k/s at half a CPU, uvicorn being the
limit), httpx ~600 us (1.6k/s at a full CPU, and 160/s with 64 connections: its pool
bookkeeping grows with the connection count), so httpx would be the bottleneck.

moto's server (werkzeug) answers ``Connection: close`` to everything, so against moto every
request opens a new connection; that connect counts in the request's latency, as any client of
moto pays it.

Signing: the generator signs with botocore (``SigV4Auth``, the code boto3 uses) but not every
request: it signs one request when a run starts and again every second during the run (the
time it spends signing is reported), and every request sent in that second carries that
signature. A SigV4 signature is valid for 5 minutes either way and has no nonce: the servers
verify every request in full (OpenSES caches only the derived signing key, per secret and day,
which a client signing every request would hit just the same), so their work per request is
the same as for requests signed one by one. Only 200 answers count; others are errors.

Rounds: a warm-up per target, then ``--rounds`` rounds of ``--seconds`` each, alternating the
targets within each round to spread the machine's noise; the figures are the medians over the
rounds and the ratios are ratios of medians. With two or more CPUs the servers share the first
CPU and the generator gets the second (``--no-pin`` to leave placement to the kernel).

``--profile`` instead profiles OpenSES in-process: the app from ``openses.runtime.build``
driven through ASGI directly (no HTTP server), timed per part and under cProfile.

Usage: ``.venv/bin/python benchmarks/api_overhead.py [--quick] [--client raw|httpx] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, too

from benchmarks.harness import (
    Connection,
    ResponseError,
    child_process,
    close_connection,
    free_port,
    percentile,
    pinned,
    placement,
    process_cpu_seconds,
    read_response,
    ses_client,
    stop,
    wait_listening,
)

BIN = Path(sys.executable).parent
TARGET_RATIO = 10.0

ACCOUNT_ID = "111122223333"
ACCESS_KEY_ID = "AKIAOPENSESBENCH0001"
SECRET_ACCESS_KEY = "openses/benchmark/secret/access/key/0001"
REGION = "us-east-1"
QUERY_BODY = "Action=GetSendQuota&Version=2010-12-01"
FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
HEALTH_PATH = "/_openses/health"
MOTO_POLICY = (
    '{"Version": "2012-10-17", '
    '"Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}'
)
RESIGN_SECONDS = 1.0
START_TIMEOUT = 60.0


# =============================================================================== the load


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """One run of the generator against one target (sent to the generator as JSON)."""

    host: str
    port: int
    method: str
    path: str
    body: str = ""
    access_key_id: str | None = None  # sign with SigV4 when set
    secret_access_key: str = ""
    connections: int = 64
    seconds: float = 5.0
    client: str = "raw"
    server_pid: int | None = None  # whose CPU time to read over the measured window


@dataclass(slots=True)
class LoadResult:
    ok: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    generator_cpu: float  # fraction of one CPU over the measured window
    server_cpu: float | None
    signatures: int
    signing_seconds: float


class SignedRequest:
    """The request to send, re-signed with botocore every :data:`RESIGN_SECONDS`."""

    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self.netloc = f"{spec.host}:{spec.port}"
        self.url = f"http://{self.netloc}{spec.path}"
        self.signatures = 0
        self.signing_seconds = 0.0
        self.headers: dict[str, str] = {}
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
        self.headers = headers
        lines = [f"{spec.method} {spec.path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        if body or spec.method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        self.signing_seconds += time.perf_counter() - start

    async def keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(RESIGN_SECONDS)
            self.refresh()


def sign(spec: LoadSpec, url: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date`` and ``Authorization``, signed as boto3 signs."""
    from botocore.auth import SigV4Auth  # noqa: PLC0415 - the generator process only
    from botocore.awsrequest import AWSRequest  # noqa: PLC0415
    from botocore.credentials import Credentials  # noqa: PLC0415

    request = AWSRequest(method=spec.method, url=url, data=body, headers=dict(headers))
    credentials = Credentials(spec.access_key_id, spec.secret_access_key)
    SigV4Auth(credentials, "ses", REGION).add_auth(request)
    return {str(name): str(value) for name, value in request.headers.items()}


@dataclass(slots=True)
class Tally:
    deadline: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def record(self, status: int, started: float, ended: float) -> None:
        if ended > self.deadline:
            return  # finished after the window: not counted
        if status == 200:
            self.latencies.append(ended - started)
        else:
            self.errors[f"HTTP {status}"] += 1

    def error(self, error: BaseException, ended: float) -> None:
        if ended <= self.deadline:
            self.errors[type(error).__name__] += 1


async def raw_worker(
    spec: LoadSpec, request: SignedRequest, go: asyncio.Event, tally: Tally
) -> None:
    connection: Connection | None = await asyncio.open_connection(spec.host, spec.port)
    await go.wait()
    try:
        while (started := time.perf_counter()) < tally.deadline:
            try:
                if connection is None:
                    connection = await asyncio.open_connection(spec.host, spec.port)
                reader, writer = connection
                writer.write(request.raw)
                status, close = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
                tally.error(error, time.perf_counter())
                close_connection(connection)
                connection = None
                await asyncio.sleep(0.001)
                continue
            except (ResponseError, ValueError) as error:
                tally.error(error, time.perf_counter())
                close_connection(connection)
                connection = None
                continue
            tally.record(status, started, time.perf_counter())
            if close:
                close_connection(connection)
                connection = None
    finally:
        close_connection(connection)


async def httpx_worker(
    client: Any, spec: LoadSpec, request: SignedRequest, go: asyncio.Event, tally: Tally
) -> None:
    import httpx  # noqa: PLC0415

    body = spec.body.encode()
    await client.request(spec.method, request.url, content=body, headers=request.headers)
    await go.wait()
    while (started := time.perf_counter()) < tally.deadline:
        try:
            response = await client.request(
                spec.method, request.url, content=body, headers=request.headers
            )
        except httpx.HTTPError as error:
            tally.error(error, time.perf_counter())
            await asyncio.sleep(0.001)
            continue
        tally.record(response.status_code, started, time.perf_counter())


async def run_load(spec: LoadSpec) -> LoadResult:
    request = SignedRequest(spec)
    go = asyncio.Event()
    tally = Tally(deadline=float("inf"))
    refresher = asyncio.create_task(request.keep_fresh())
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(refresher.cancel)
        if spec.client == "httpx":
            import httpx  # noqa: PLC0415

            limits = httpx.Limits(
                max_connections=spec.connections, max_keepalive_connections=spec.connections
            )
            client = await stack.enter_async_context(httpx.AsyncClient(limits=limits, timeout=60.0))
            workers = [
                httpx_worker(client, spec, request, go, tally) for _ in range(spec.connections)
            ]
        else:
            workers = [raw_worker(spec, request, go, tally) for _ in range(spec.connections)]
        tasks = [asyncio.create_task(worker) for worker in workers]
        await asyncio.sleep(0.2)  # let every worker connect (and, with httpx, warm its pool)
        for task in tasks:
            if task.done():
                task.result()  # a worker that could not even connect: raise its error
        server_before = process_cpu_seconds(spec.server_pid) if spec.server_pid else 0.0
        cpu_before, start = time.process_time(), time.perf_counter()
        tally.deadline = start + spec.seconds
        signatures, signing_seconds = request.signatures, request.signing_seconds
        go.set()
        await asyncio.sleep(max(0.0, tally.deadline - time.perf_counter()))
        elapsed = time.perf_counter() - start
        generator_cpu = (time.process_time() - cpu_before) / elapsed
        server_cpu = None
        if spec.server_pid:
            server_cpu = (process_cpu_seconds(spec.server_pid) - server_before) / elapsed
        signatures = request.signatures - signatures
        signing_seconds = request.signing_seconds - signing_seconds
        await asyncio.gather(*tasks)
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
        signatures=signatures,
        signing_seconds=signing_seconds,
    )


def signing_cost(samples: int = 300) -> float:
    """Seconds botocore takes to sign one ``GetSendQuota`` request."""
    spec = LoadSpec("127.0.0.1", 8025, "POST", "/", QUERY_BODY, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    headers = {"Host": "127.0.0.1:8025", "Content-Type": FORM_TYPE}
    sign(spec, "http://127.0.0.1:8025/", headers, QUERY_BODY.encode())
    start = time.perf_counter()
    for _ in range(samples):
        sign(spec, "http://127.0.0.1:8025/", headers, QUERY_BODY.encode())
    return (time.perf_counter() - start) / samples


def generator_main() -> None:
    """The generator process: one JSON command per stdin line, one JSON answer per line."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    with contextlib.suppress(ImportError):
        import uvloop  # noqa: PLC0415

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        for line in sys.stdin:
            command = json.loads(line)
            if command.get("op") == "signing-cost":
                answer: dict[str, Any] = {"seconds": signing_cost()}
            else:
                answer = asdict(runner.run(run_load(LoadSpec(**command["spec"]))))
            print(json.dumps(answer), flush=True)


class Generator:
    """The parent's handle on the generator process."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator stopped (exit status {self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(self, spec: LoadSpec) -> LoadResult:
        return LoadResult(**self.ask({"op": "run", "spec": asdict(spec)}))


# ============================================================================ the servers


def check_verifies(port: int, key_id: str, secret: str, *, must_reject: bool) -> None:
    """One real boto3 call must succeed; with a wrong secret it must fail (when verified)."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    ses_client(port, key_id, secret).get_send_quota()
    try:
        ses_client(port, key_id, secret[:-1] + "x").get_send_quota()
    except ClientError as error:
        if error.response["Error"]["Code"] != "SignatureDoesNotMatch":
            raise
        if not must_reject:
            raise RuntimeError(f"port {port}: expected no signature check") from None
        return
    if must_reject:
        raise RuntimeError(f"port {port}: a wrong signature was accepted")


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    label: str
    spec: LoadSpec


@contextlib.contextmanager
def servers(work: Path, cpus: set[int] | None) -> Iterator[list[Target]]:
    """OpenSES and the two moto servers, running and checked; the targets they offer."""
    with contextlib.ExitStack() as stack:
        ports = {name: free_port() for name in ("openses", "moto", "moto-iam")}
        openses = stack.enter_context(
            child_process(
                [
                    sys.executable,
                    "-m",
                    "openses",
                    "serve",
                    "--data-dir",
                    str(work / "openses-data"),
                    "--http",
                    f"127.0.0.1:{ports['openses']}",
                ],
                work / "openses.log",
                cpus,
                {
                    "OPENSES_ROOT_ACCOUNT_ID": ACCOUNT_ID,
                    "OPENSES_ROOT_ACCESS_KEY_ID": ACCESS_KEY_ID,
                    "OPENSES_ROOT_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
                },
            )
        )
        moto_server = BIN / "moto_server"  # the console script; the same main as moto.server
        moto_command = (
            [str(moto_server)] if moto_server.exists() else [sys.executable, "-m", "moto.server"]
        )
        moto_command += ["-H", "127.0.0.1", "-p"]
        moto = stack.enter_context(
            child_process([*moto_command, str(ports["moto"])], work / "moto.log", cpus)
        )
        moto_iam = stack.enter_context(
            child_process(
                [*moto_command, str(ports["moto-iam"])],
                work / "moto-iam.log",
                cpus,
                {"INITIAL_NO_AUTH_ACTION_COUNT": "3"},
            )
        )
        for name, process in (("openses", openses), ("moto", moto), ("moto-iam", moto_iam)):
            wait_listening(name, process, ports[name], work / f"{name}.log")

        iam = ses_client(ports["moto-iam"], "AKIAANYTHING", "anything", "iam")
        iam.create_user(UserName="bench")  # the three calls moto lets through unverified
        key = iam.create_access_key(UserName="bench")["AccessKey"]
        iam.put_user_policy(UserName="bench", PolicyName="ses", PolicyDocument=MOTO_POLICY)
        moto_key = (key["AccessKeyId"], key["SecretAccessKey"])
        check_verifies(ports["openses"], ACCESS_KEY_ID, SECRET_ACCESS_KEY, must_reject=True)
        check_verifies(ports["moto"], *moto_key, must_reject=False)
        check_verifies(ports["moto-iam"], *moto_key, must_reject=True)

        def query(name: str, pid: int, key_id: str, secret: str) -> LoadSpec:
            return LoadSpec(
                "127.0.0.1", ports[name], "POST", "/", QUERY_BODY, key_id, secret, server_pid=pid
            )

        yield [
            Target(
                "openses",
                "OpenSES GetSendQuota (SigV4 verified)",
                query("openses", openses.pid, ACCESS_KEY_ID, SECRET_ACCESS_KEY),
            ),
            Target(
                "moto",
                "moto_server GetSendQuota (no signature check)",
                query("moto", moto.pid, *moto_key),
            ),
            Target(
                "moto-iam",
                "moto_server GetSendQuota (IAM auth: SigV4 + policy)",
                query("moto-iam", moto_iam.pid, *moto_key),
            ),
            Target(
                "ceiling",
                f"OpenSES GET {HEALTH_PATH} (generator ceiling)",
                LoadSpec("127.0.0.1", ports["openses"], "GET", HEALTH_PATH, server_pid=openses.pid),
            ),
        ]


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


# ============================================================================== the rounds


def benchmark(args: argparse.Namespace) -> None:
    rounds, seconds, warmup = (1, 1.0, 0.5) if args.quick else (args.rounds, args.seconds, 2.0)
    server_cpus, generator_cpus, where = placement(not args.no_pin)
    print(
        f"python {sys.version.split()[0]}; {where}; {args.connections} connections, "
        f"{args.client} client; median of {rounds} round(s) of {seconds:g} s per target"
    )
    with (
        tempfile.TemporaryDirectory(prefix="openses-api-bench-") as work,
        servers(Path(work), server_cpus) as targets,
        generator_process(generator_cpus) as generator,
    ):
        per_signature = float(generator.ask({"op": "signing-cost"})["seconds"])

        def spec_for(target: Target, duration: float) -> LoadSpec:
            values = asdict(target.spec)
            values.update(connections=args.connections, seconds=duration, client=args.client)
            return LoadSpec(**values)

        for target in targets:
            generator.run(spec_for(target, warmup))
        results: dict[str, list[LoadResult]] = {target.name: [] for target in targets}
        for number in range(rounds):
            for target in targets:
                result = generator.run(spec_for(target, seconds))
                results[target.name].append(result)
                if args.verbose:
                    print(f"  round {number + 1} {target.name:<9} {describe(result)}")
    report(targets, results, per_signature)


def describe(result: LoadResult) -> str:
    server = f"{result.server_cpu:4.0%}" if result.server_cpu is not None else "  - "
    return (
        f"{result.rate:9,.0f}/s  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
        f"server CPU {server}  generator CPU {result.generator_cpu:4.0%}  "
        f"errors {sum(result.errors.values())}"
    )


def report(
    targets: list[Target], results: dict[str, list[LoadResult]], per_signature: float
) -> None:
    print(
        f"{'target':<52} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'server CPU':>10} {'gen CPU':>8} {'errors':>7}"
    )
    medians: dict[str, float] = {}
    for target in targets:
        runs = results[target.name]
        medians[target.name] = statistics.median(r.rate for r in runs)
        errors: Counter[str] = Counter()
        for run in runs:
            errors.update(run.errors)
        server_cpus = [r.server_cpu for r in runs if r.server_cpu is not None]
        print(
            f"{target.label:<52} {medians[target.name]:>9,.0f} "
            f"{statistics.median(r.p50_ms for r in runs):>8.2f} "
            f"{statistics.median(r.p99_ms for r in runs):>8.2f} "
            f"{statistics.median(server_cpus) if server_cpus else 0:>10.0%} "
            f"{statistics.median(r.generator_cpu for r in runs):>8.0%} "
            f"{sum(errors.values()):>7}"
            + (f"  ({', '.join(f'{k}: {v}' for k, v in errors.most_common())})" if errors else "")
        )
    openses = medians["openses"]
    for name in ("moto", "moto-iam"):
        ratio = openses / medians[name] if medians[name] else float("inf")
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"ratio OpenSES / {name:<8} {ratio:6.1f}x   (target {TARGET_RATIO:g}x: {verdict})")
    ceiling = medians["ceiling"]
    generator_cost = statistics.median(
        r.generator_cpu / r.rate if r.rate else float("inf") for r in results["ceiling"]
    )
    print(
        f"generator ceiling (health endpoint) {ceiling:,.0f}/s = "
        f"{ceiling / openses if openses else float('inf'):.1f}x the OpenSES GetSendQuota rate; "
        f"the generator spends {generator_cost * 1e6:.0f} us of CPU per request"
    )
    signed = [r for name in ("openses", "moto", "moto-iam") for r in results[name]]
    print(
        f"signing: botocore SigV4 takes {per_signature * 1e6:.0f} us per signature; the generator "
        f"re-signed every {RESIGN_SECONDS:g} s: {sum(r.signatures for r in signed)} signatures, "
        f"{sum(r.signing_seconds for r in signed) * 1e3:.1f} ms, over the measured rounds; "
        f"signing every request at {openses:,.0f}/s would cost {openses * per_signature:.0%} "
        "of a CPU"
    )


# ============================================================================== profiling


@dataclass(slots=True)
class AppHarness:
    """Calls the ASGI app directly, as uvicorn would, without a server or a socket."""

    app: Any
    port: int
    headers: dict[str, str]

    async def call(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", self.port),
        }
        status = 0
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        return status

    async def quota(self) -> int:
        return await self.call("POST", "/", self.headers, QUERY_BODY.encode())

    async def health(self) -> int:
        return await self.call("GET", HEALTH_PATH, {"Host": f"127.0.0.1:{self.port}"}, b"")

    async def drive(self, total: int, parallel: int) -> float:
        """Seconds for ``total`` GetSendQuota, ``parallel`` at a time; each must answer 200."""
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                status = await self.quota()
                if status != 200:
                    raise RuntimeError(f"GetSendQuota answered {status}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(parallel)))
        return time.perf_counter() - start


@contextlib.asynccontextmanager
async def openses_app(work: Path, port: int) -> AsyncIterator[Any]:
    """The application of ``openses.runtime.build`` on SQLite in ``work``, root key in place."""
    from openses.config import (  # noqa: PLC0415 - only when profiling
        HostPort,
        RootCredentials,
        ServeSettings,
        StoreSettings,
    )
    from openses.runtime import build  # noqa: PLC0415

    settings = ServeSettings(
        store=StoreSettings(work / "data", None),
        http=HostPort("127.0.0.1", port),
        public_url=f"http://127.0.0.1:{port}",
        dns_resolver=None,
        admin_token=None,
        verification_sender="no-reply@openses.invalid",
        domain_check_interval=3600,
        root=RootCredentials(ACCOUNT_ID, ACCESS_KEY_ID, SECRET_ACCESS_KEY),
    )
    application = await build(settings)
    try:
        await application.services.accounts.bootstrap(
            datetime.now(UTC),
            account_id=ACCOUNT_ID,
            access_key_id=ACCESS_KEY_ID,
            secret_access_key=SECRET_ACCESS_KEY,
        )
        yield application
    finally:
        await application.store.close()


async def time_parts(application: Any, harness: AppHarness) -> list[tuple[str, float]]:
    """Seconds per call of each part of a GetSendQuota request, alone, without a profiler."""
    from openses.api.protocol import query  # noqa: PLC0415 - only when profiling
    from openses.api.protocol.models import ServiceRegistry  # noqa: PLC0415
    from openses.domain import sigv4  # noqa: PLC0415

    body = QUERY_BODY.encode()
    now = datetime.now(UTC)
    received = sigv4.ReceivedRequest("POST", "/", "", tuple(harness.headers.items()), body)
    key_cache = sigv4.signing_key_cache()

    def verify() -> None:
        info = sigv4.parse_authorization(received.headers)
        sigv4.verify(received, SECRET_ACCESS_KEY, now, info=info, derive_key=key_cache)

    model = ServiceRegistry().service("ses")
    operation = query.parse_request(model, body=body, query_string="").operation
    result = {"Max24HourSend": 50000.0, "MaxSendRate": 14.0, "SentLast24Hours": 0.0}
    accounts = application.services.accounts
    found = await accounts.credentials(ACCESS_KEY_ID)
    call = call_for(found[1])
    return [
        ("SigV4 parse_authorization + verify", per_call(verify)),
        ("Query parse_request", per_call(lambda: query.parse_request(model, body=body))),
        (
            "XML serialize_result",
            per_call(lambda: query.serialize_result(operation, result, request_id="x" * 36)),
        ),
        (
            "store tx 1: AccountsService.credentials",
            await per_await(lambda: accounts.credentials(ACCESS_KEY_ID)),
        ),
        (
            "store tx 2: AccountStateService.quota",
            await per_await(lambda: application.services.account_state.quota(call)),
        ),
        ("for scale: GET /_openses/health via Starlette", await per_await(harness.health)),
    ]


async def without_store(application: Any, harness: AppHarness, requests: int) -> float:
    """Seconds per request, one at a time, with the two store reads answered from memory."""
    from openses.services.account_state import SendQuota  # noqa: PLC0415 - only when profiling

    accounts, account_state = application.services.accounts, application.services.account_state
    found = await accounts.credentials(ACCESS_KEY_ID)
    quota: SendQuota = await account_state.quota(call_for(found[1]))

    async def credentials(access_key_id: str) -> Any:
        return found

    async def read_quota(call: Any) -> SendQuota:
        return quota

    setattr(accounts, "credentials", credentials)  # noqa: B010 - instance attributes, this app only
    setattr(account_state, "quota", read_quota)  # noqa: B010
    try:
        await harness.drive(200, 1)
        return await harness.drive(requests * 4, 1) / (requests * 4)
    finally:
        delattr(accounts, "credentials")
        delattr(account_state, "quota")


def call_for(principal: Any) -> Any:
    from openses.services.principals import Call  # noqa: PLC0415 - only when profiling

    return Call(principal, REGION, datetime.now(UTC))


def per_call(function: Callable[[], object], seconds: float = 0.2) -> float:
    """Seconds per call of ``function`` (median of three runs of about ``seconds`` each)."""
    count = 1
    while (elapsed := _loop(function, count)) < seconds / 20:
        count *= 2
    count = max(1, int(count * seconds / elapsed))
    return statistics.median(_loop(function, count) / count for _ in range(3))


def _loop(function: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        function()
    return time.perf_counter() - start


async def per_await(function: Callable[[], Awaitable[object]], count: int = 500) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            await function()
        runs.append((time.perf_counter() - start) / count)
    return statistics.median(runs)


async def profile_app(requests: int, concurrency: int) -> None:
    port = 8025
    spec = LoadSpec("127.0.0.1", port, "POST", "/", QUERY_BODY, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    with tempfile.TemporaryDirectory(prefix="openses-api-profile-") as work:
        async with openses_app(Path(work), port) as application:
            harness = AppHarness(application.app, port, SignedRequest(spec).headers)
            await harness.drive(200, 1)  # warm caches (models, signing key, statements)
            parts = await time_parts(application, harness)
            sequential = await harness.drive(requests, 1) / requests
            cpu_before, main_before = time.process_time(), time.thread_time()
            parallel = await harness.drive(requests, concurrency) / requests
            cpu_all = (time.process_time() - cpu_before) / requests
            cpu_main = (time.thread_time() - main_before) / requests
            profiler = cProfile.Profile()
            profiler.enable()
            await harness.drive(requests, 1)
            profiler.disable()
            floor = await without_store(application, harness, requests)

    print(f"OpenSES in-process (the ASGI app, no HTTP server), {requests:,} GetSendQuota")
    print(f"  one at a time:  {sequential * 1e6:6.0f} us per request ({1 / sequential:,.0f}/s)")
    print(
        f"  {concurrency} at a time: {parallel * 1e6:6.0f} us per request ({1 / parallel:,.0f}/s);"
        f" CPU {cpu_all * 1e6:.0f} us per request: {cpu_main * 1e6:.0f} us on the event loop "
        f"thread, {(cpu_all - cpu_main) * 1e6:.0f} us in other threads"
    )
    print("  each part alone, one at a time, no profiler:")
    for label, seconds in parts:
        print(f"    {label:<46} {seconds * 1e6:8.1f} us  ({seconds / sequential:4.0%})")
    print(
        f"  the whole request with both store reads stubbed out (the floor): {floor * 1e6:.0f} us"
        f" ({1 / floor:,.0f}/s)"
    )
    print_profile(pstats.Stats(profiler), requests)


PROFILE_GROUPS: tuple[tuple[str, str], ...] = (
    ("/sqlalchemy/", "SQLAlchemy (Core + asyncio adapter)"),
    ("/aiosqlite/", "aiosqlite (per-call hand-off to its thread)"),
    ("greenlet", "greenlet switches (SQLAlchemy's async bridge)"),
    ("/asyncio/", "asyncio loop + wake-ups from threads"),
    ("selectors.py", "asyncio loop + wake-ups from threads"),
    ("_queue.", "asyncio loop + wake-ups from threads"),
    ("_socket.", "asyncio loop + wake-ups from threads"),
    ("_contextvars.", "asyncio loop + wake-ups from threads"),
    ("/starlette/", "Starlette (routing, Request, Response)"),
    ("openses/domain/sigv4.py", "OpenSES SigV4 (domain/sigv4.py)"),
    ("openses/api/protocol/", "OpenSES Query codec (parse, validate, XML)"),
    ("openses/api/", "OpenSES HTTP edge (app, auth, dispatch, handler)"),
    ("openses/services/", "OpenSES services"),
    ("openses/storage/", "OpenSES storage (statements, rows)"),
    ("benchmarks/", "this harness"),
)


def group_of(file: str, func: str) -> str:
    if "epoll" in func:
        return "idle: epoll wait (aiosqlite's thread at work)"
    where = file.replace(os.sep, "/") if file != "~" else func
    for marker, label in PROFILE_GROUPS:
        if marker in where:
            return label
    return "other stdlib and builtins (datetime, hashing, ...)"


def print_profile(stats: pstats.Stats, requests: int) -> None:
    """Own time grouped by package, then the top functions (one request at a time).

    Own times only: SQLAlchemy's asyncio layer switches greenlets, which leaves cProfile's
    cumulative times above it meaningless.
    """
    table: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    per = 1e6 / requests
    groups: dict[str, float] = {}
    for (file, _, func), (_, _, own, _, _) in table.items():
        label = group_of(file, func)
        groups[label] = groups.get(label, 0.0) + own
    total = sum(groups.values())
    print(
        f"  cProfile, one at a time, event loop thread, own time by package "
        f"({total * per:.0f} us per request; the profiler inflates Python-heavy parts):"
    )
    for label, own in sorted(groups.items(), key=lambda item: item[1], reverse=True):
        print(f"    {label:<50} {own * per:8.1f} us  ({own / total:4.0%})")
    handoffs = sum(  # each aiosqlite call puts one job on its thread's queue
        ncalls
        for (_, _, func), (_, ncalls, _, _, _) in table.items()
        if "put_nowait" in func and "SimpleQueue" in func
    )
    print(f"    aiosqlite thread round trips: {handoffs / requests:.1f} per request")
    print("  top functions by own time:")
    ranked = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:15]
    for (file, line, func), (_, ncalls, own, _, _) in ranked:
        where = "/".join(Path(file).parts[-2:]) + f":{line} " if file != "~" else ""
        print(f"    {own * per:7.1f} us {ncalls / requests:6.1f} calls/req  {where}{func}")


# =================================================================================== main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round: checks it runs")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a round")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers/generator")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument("--profile", action="store_true", help="profile OpenSES in-process")
    parser.add_argument("--generator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generator:
        generator_main()
        return
    if args.profile:
        server_cpus, _, where = placement(not args.no_pin)
        print(f"python {sys.version.split()[0]}; {where.partition(';')[0]}", end="")
        print(f"; profiling on CPU {min(server_cpus)}" if server_cpus else "")
        with pinned(server_cpus):  # like the server in the benchmark: one CPU, threads included
            asyncio.run(profile_app(300 if args.quick else 2000, args.connections))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers get stopped
    benchmark(args)


if __name__ == "__main__":
    main()
