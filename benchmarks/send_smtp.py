"""Sending over SMTP: a delegate's authenticated TLS submissions per second, OpenSES against a sink.

Both servers run as subprocesses on loopback ports of this machine, in the same run, pinned to
the first CPU; the load generator (``harness.py --generator``: asyncio on uvloop, a minimal
SMTP client) runs pinned to the second. See ``benchmarks/harness.py`` for the shared method.

- ``openses``: ``python -m openses serve --smtp 127.0.0.1:<port> --smtps off`` on SQLite in a
  temporary directory, its self-signed certificate made on start in ``<data-dir>/tls``. The
  set-up is the one of ``send_api.py``: fixed root credentials (the owner), a production
  delegate with raised limits and the owner's domain marked verified by ``openses admin``, and
  the owner's sending authorization policy (conditional Deny and Allow of ``ses:SendRawEmail``)
  attached with boto3. Each connection logs in once with the delegate's access key id and its
  SES SMTP password (``derive_smtp_password``, region us-east-1), then submits ~1.5 KB messages
  from ``app@bench.example`` carrying ``X-SES-SOURCE-ARN`` (the owner's identity ARN): each is
  authorized against the owner's policy, charged to the delegate and committed to the durable
  outbox before the 250.
- ``sink``: this file with ``--sink``: a bare aiosmtpd server (aiosmtpd's ``SMTP`` protocol on
  ``loop.create_server``, as OpenSES runs it, on uvloop's event loop, as ``openses serve``
  runs) with STARTTLS on the same certificate and key, AUTH required after TLS and any
  credentials accepted; it discards every message with 250. It is the price of SMTP, TLS and
  aiosmtpd alone on this machine: what OpenSES cannot be faster than.

Load: ``--connections`` (default 16) concurrent connections, each EHLO, STARTTLS, EHLO,
AUTH PLAIN once before the measured window, then MAIL FROM / RCPT TO (one recipient) / DATA
repeatedly, one command at a time. A message counts when the reply to the end of DATA is 250;
its latency runs from MAIL FROM to that reply. Proof of durability: the delegate's
``SentLast24Hours`` (boto3, before the first and after the last load) must grow by exactly the
number of 250s OpenSES gave over the whole run, warm-ups included.

Rounds: a warm-up per target, then ``--rounds`` rounds of ``--seconds`` each, alternating the
targets; figures are medians over rounds, the ratio a ratio of medians. ``--quick``: one round
of one second (checks that it runs; its numbers mean little).

Usage: ``.venv/bin/python benchmarks/send_smtp.py [--quick] [--connections 16] [--verbose]
[--profile FILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import smtplib
import ssl
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, too

from benchmarks.harness import (
    IDENTITY_ARN,
    RECIPIENT,
    REGION,
    ROOT_ENV,
    SENDER,
    Delegate,
    SmtpSpec,
    Target,
    child_process,
    durability_line,
    free_port,
    generator_process,
    message_text,
    openses_command,
    placement,
    print_profile,
    print_table,
    profiled,
    run_rounds,
    sent_last_24_hours,
    set_up_delegation,
    totals,
    wait_listening,
)

TARGET_SHARE = 0.60


# ================================================================================ the sink


class Discard:
    """aiosmtpd handler: accept every message and keep nothing."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 OK"


def accept_anyone(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult  # noqa: PLC0415

    return AuthResult(success=True)


async def sink(port: int, cert: Path, key: Path) -> None:
    from aiosmtpd.smtp import SMTP  # noqa: PLC0415

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    handler = Discard()

    def protocol() -> SMTP:
        return SMTP(
            handler,
            hostname="localhost",
            decode_data=False,
            enable_SMTPUTF8=False,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=accept_anyone,
            loop=loop,
        )

    server = await loop.create_server(protocol, "127.0.0.1", port)
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    async with server:
        await stopped.wait()


# ============================================================================= the servers


def submit(port: int, cafile: Path, user: str, password: str, message: str, *, to: str) -> int:
    """One submission with smtplib; the reply code to the end of DATA."""
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    with client:
        client.starttls(context=ssl.create_default_context(cafile=str(cafile)))
        client.login(user, password)
        try:
            client.sendmail(SENDER, [to], message.encode())
        except smtplib.SMTPDataError as error:
            return error.smtp_code
    return 250


def check_openses(port: int, cafile: Path, delegate: Delegate, password: str, message: str) -> None:
    """One submission as the delegate must pass; one the policy does not allow must not."""
    user = delegate.access_key_id
    if (code := submit(port, cafile, user, password, message, to=RECIPIENT)) != 250:
        raise RuntimeError(f"OpenSES refused the delegate's submission ({code})")
    if (code := submit(port, cafile, user, password, message, to="one@elsewhere.org")) != 554:
        raise RuntimeError(f"OpenSES answered {code} to a submission outside the owner's policy")


@contextlib.contextmanager
def servers(
    work: Path,
    cpus: set[int] | None,
    message: str,
    connections: int,
    profile: Path | None = None,
) -> Iterator[tuple[list[Target], int, Delegate]]:
    """OpenSES and the sink, set up and checked; the targets, OpenSES's HTTP port, the delegate."""
    from openses.domain.smtp_password import derive_smtp_password  # noqa: PLC0415

    with contextlib.ExitStack() as stack:
        http, smtp, sink_port = free_port(), free_port(), free_port()
        data_dir = work / "openses-data"
        openses = stack.enter_context(
            child_process(
                profiled(openses_command(data_dir, http, f"127.0.0.1:{smtp}"), profile),
                work / "openses.log",
                cpus,
                ROOT_ENV,
            )
        )
        wait_listening("openses", openses, http, work / "openses.log")
        wait_listening("openses SMTP", openses, smtp, work / "openses.log")
        cert, key = data_dir / "tls" / "smtp-cert.pem", data_dir / "tls" / "smtp-key.pem"
        sink_process = stack.enter_context(
            child_process(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--sink",
                    "--port",
                    str(sink_port),
                    "--cert",
                    str(cert),
                    "--key",
                    str(key),
                ],
                work / "sink.log",
                cpus,
            )
        )
        wait_listening("sink", sink_process, sink_port, work / "sink.log")

        delegate = set_up_delegation(data_dir, http)
        password = derive_smtp_password(delegate.secret_access_key, REGION)
        check_openses(smtp, cert, delegate, password, message)
        if submit(sink_port, cert, "anyone", "anything", message, to=RECIPIENT) != 250:
            raise RuntimeError("the sink refused a message")

        def spec(port: int, pid: int) -> SmtpSpec:
            return SmtpSpec(
                "127.0.0.1",
                port,
                str(cert),
                delegate.access_key_id,
                password,
                SENDER,
                RECIPIENT,
                message,
                connections=connections,
                server_pid=pid,
                server_on=min(cpus) if cpus else None,
            )

        yield (
            [
                Target(
                    "openses",
                    "OpenSES SMTP: delegate + X-SES-SOURCE-ARN (TLS, AUTH)",
                    spec(smtp, openses.pid),
                ),
                Target(
                    "sink",
                    "aiosmtpd sink (TLS, AUTH, discards)",
                    spec(sink_port, sink_process.pid),
                ),
            ],
            http,
            delegate,
        )


# ============================================================================== the rounds


def benchmark(args: argparse.Namespace) -> int:
    rounds, seconds, warmup = (1, 1.0, 0.5) if args.quick else (args.rounds, args.seconds, 2.0)
    server_cpus, generator_cpus, where = placement(not args.no_pin)
    message = message_text((f"X-SES-SOURCE-ARN: {IDENTITY_ARN}",))
    print(
        f"python {sys.version.split()[0]}; {where}; {args.connections} SMTP connections "
        f"(STARTTLS + AUTH PLAIN once each); a {len(message):,}-byte message to 1 recipient per "
        f"transaction; median of {rounds} round(s) of {seconds:g} s per target",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="openses-send-smtp-") as work,
        servers(Path(work), server_cpus, message, args.connections, args.profile) as servers_up,
        generator_process(generator_cpus) as generator,
    ):
        targets, http_port, delegate = servers_up
        before = sent_last_24_hours(http_port, delegate)
        results = run_rounds(
            generator,
            targets,
            rounds=rounds,
            seconds=seconds,
            warmup=warmup,
            verbose=args.verbose,
        )
        after = sent_last_24_hours(http_port, delegate)
    if args.profile is not None:
        print_profile(args.profile)
    summaries = print_table(targets, results, "msg/s")
    openses, sink_rate = summaries["openses"].rate, summaries["sink"].rate
    share = openses / sink_rate if sink_rate else float("inf")
    print(
        f"ratio OpenSES / sink  {share:.0%}   "
        f"(target >= {TARGET_SHARE:.0%}: {'met' if share >= TARGET_SHARE else 'NOT met'})"
    )
    succeeded, unsettled = totals(results, "openses")
    print(durability_line("OpenSES", succeeded, unsettled, before, after))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round: checks it runs")
    parser.add_argument("--connections", type=int, default=16, help="SMTP connections")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a round")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers/generator")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument(
        "--profile", type=Path, help="run OpenSES under cProfile, writing its stats to this file"
    )
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cert", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--key", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        import uvloop  # noqa: PLC0415

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(sink(args.port, args.cert, args.key))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers get stopped
    return benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
