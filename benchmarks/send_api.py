"""Sending: a delegate's ``SendRawEmail`` with ``SourceArn`` per second, OpenSES against moto.

Both servers run as subprocesses on loopback ports of this machine, in the same run, pinned to
the first CPU; the load generator (``harness.py --generator``, asyncio on uvloop, raw HTTP/1.1
on streams) runs pinned to the second. See ``benchmarks/harness.py`` for the shared method.

- ``openses``: ``python -m openses serve`` on SQLite in a temporary directory with fixed root
  credentials (``OPENSES_ROOT_*``; the root account is the identity's owner). Before the load,
  ``openses admin`` (a separate process, while the server runs) creates a production delegate
  account, raises its limits (the send rate must not be what is measured) and marks the
  owner's domain ``bench.example`` verified; the owner attaches, with boto3, a sending
  authorization policy with a conditional Deny and a conditional Allow for the delegate
  (``ses:FromAddress``, ``ses:ApiVersion``, ``ses:Recipients``). The measured request is the
  delegate's ``SendRawEmail`` (Query API, form-encoded: ``Source``, ``SourceArn`` = the
  owner's identity ARN, one recipient, ``RawMessage.Data`` = a ~1.5 KB message in base64). So
  every request is SigV4-verified, resolved to the delegate, authorized by evaluating the
  owner's policy for the owner's identity, counted against the delegate's quota and rate, and
  written to the durable outbox (SQLite WAL, ``synchronous=FULL``) before the 200.
- ``moto``: ``moto_server`` as it ships, the same domain verified there (moto verifies at
  once), the same request bytes (signed for its port). moto checks no signature and ignores
  ``SourceArn`` (no cross-account authorization at all) and keeps messages in memory: it does
  strictly less work per request than OpenSES.

Signing: the body is constant, so the generator signs it (payload hash of the exact body)
with botocore's ``SigV4Auth`` when a run starts and again every second, and every request of
that second carries that signature (api_overhead.py does the same). A SigV4 signature has no
nonce and is valid for 5 minutes; the server verifies each request in full (OpenSES caches
only the derived signing key, per secret and day, which a client signing every request would
hit just the same), so the server's work is that of requests signed one by one.

Only HTTP 200 counts. Proof of durability: the delegate's ``SentLast24Hours`` (read with
boto3 before the first and after the last load) must grow by exactly the number of 200 answers
over the whole run, warm-ups included.

Rounds: a warm-up per target, then ``--rounds`` rounds of ``--seconds`` each, alternating the
targets; figures are medians over rounds, the ratio a ratio of medians. ``--quick``: one round
of one second (checks that it runs; its numbers mean little). moto's server (werkzeug)
answers ``Connection: close`` to everything, so every moto request opens a new connection and
pays that connect in its latency, as any client of moto does.

Usage: ``.venv/bin/python benchmarks/send_api.py [--quick] [--connections 64] [--verbose]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, too

from benchmarks.harness import (
    DOMAIN,
    IDENTITY_ARN,
    RECIPIENT,
    ROOT_ENV,
    SENDER,
    Delegate,
    HttpSpec,
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
    ses_client,
    set_up_delegation,
    totals,
    wait_listening,
)

TARGET_RATIO = 5.0
TARGET_P99_MS = 50.0
MOTO_KEY = ("AKIAMOTOBENCH0000001", "moto/benchmark/secret")


def send_raw_body(message: str, recipient: str = RECIPIENT) -> str:
    """The form-encoded ``SendRawEmail`` of the delegate, as boto3 would send it."""
    return urlencode(
        {
            "Action": "SendRawEmail",
            "Version": "2010-12-01",
            "Source": SENDER,
            "SourceArn": IDENTITY_ARN,
            "Destinations.member.1": recipient,
            "RawMessage.Data": base64.b64encode(message.encode()).decode(),
        }
    )


def check_openses(port: int, delegate: Delegate, message: str) -> None:
    """One boto3 send as the delegate must pass; one the policy does not allow must not."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    client = ses_client(port, delegate.access_key_id, delegate.secret_access_key)
    client.send_raw_email(
        Source=SENDER,
        SourceArn=IDENTITY_ARN,
        Destinations=[RECIPIENT],
        RawMessage={"Data": message.encode()},
    )
    try:
        client.send_raw_email(  # ses:Recipients outside the policy's condition
            Source=SENDER,
            SourceArn=IDENTITY_ARN,
            Destinations=["someone@elsewhere.org"],
            RawMessage={"Data": message.encode()},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "AccessDenied":
            raise
    else:
        raise RuntimeError("OpenSES let the delegate send outside the owner's policy")


@contextlib.contextmanager
def servers(
    work: Path,
    cpus: set[int] | None,
    message: str,
    connections: int,
    profile: Path | None = None,
) -> Iterator[tuple[list[Target], int, Delegate]]:
    """OpenSES and moto, set up and checked; the targets, OpenSES's port and the delegate."""
    with contextlib.ExitStack() as stack:
        ports = {"openses": free_port(), "moto": free_port()}
        data_dir = work / "openses-data"
        command = profiled(openses_command(data_dir, ports["openses"]), profile)
        openses = stack.enter_context(child_process(command, work / "openses.log", cpus, ROOT_ENV))
        moto_server = Path(sys.executable).parent / "moto_server"
        moto_command = (
            [str(moto_server)] if moto_server.exists() else [sys.executable, "-m", "moto.server"]
        )
        moto = stack.enter_context(
            child_process(
                [*moto_command, "-H", "127.0.0.1", "-p", str(ports["moto"])],
                work / "moto.log",
                cpus,
            )
        )
        wait_listening("openses", openses, ports["openses"], work / "openses.log")
        wait_listening("moto", moto, ports["moto"], work / "moto.log")

        delegate = set_up_delegation(data_dir, ports["openses"])
        check_openses(ports["openses"], delegate, message)
        moto_ses = ses_client(ports["moto"], *MOTO_KEY)
        moto_ses.verify_domain_identity(Domain=DOMAIN)
        moto_ses.send_raw_email(
            Source=SENDER,
            SourceArn=IDENTITY_ARN,
            Destinations=[RECIPIENT],
            RawMessage={"Data": message.encode()},
        )

        body = send_raw_body(message)
        yield (
            [
                Target(
                    "openses",
                    "OpenSES: delegate + SourceArn (SigV4, policy, SQLite)",
                    HttpSpec(
                        "127.0.0.1",
                        ports["openses"],
                        "POST",
                        "/",
                        body,
                        delegate.access_key_id,
                        delegate.secret_access_key,
                        connections=connections,
                        server_pid=openses.pid,
                        server_on=min(cpus) if cpus else None,
                    ),
                ),
                Target(
                    "moto",
                    "moto_server (no SigV4 check, SourceArn ignored)",
                    HttpSpec(
                        "127.0.0.1",
                        ports["moto"],
                        "POST",
                        "/",
                        body,
                        *MOTO_KEY,
                        connections=connections,
                        server_pid=moto.pid,
                        server_on=min(cpus) if cpus else None,
                    ),
                ),
            ],
            ports["openses"],
            delegate,
        )


def benchmark(args: argparse.Namespace) -> int:
    rounds, seconds, warmup = (1, 1.0, 0.5) if args.quick else (args.rounds, args.seconds, 2.0)
    server_cpus, generator_cpus, where = placement(not args.no_pin)
    message = message_text()
    body_size = len(send_raw_body(message))
    print(
        f"python {sys.version.split()[0]}; {where}; {args.connections} keep-alive connections; "
        f"SendRawEmail of a {len(message):,}-byte message to 1 recipient ({body_size:,}-byte "
        f"form body); median of {rounds} round(s) of {seconds:g} s per target",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="openses-send-api-") as work,
        servers(Path(work), server_cpus, message, args.connections, args.profile) as servers_up,
        generator_process(generator_cpus) as generator,
    ):
        targets, openses_port, delegate = servers_up
        before = sent_last_24_hours(openses_port, delegate)
        results = run_rounds(
            generator,
            targets,
            rounds=rounds,
            seconds=seconds,
            warmup=warmup,
            verbose=args.verbose,
        )
        after = sent_last_24_hours(openses_port, delegate)
    if args.profile is not None:
        print_profile(args.profile)
    summaries = print_table(targets, results, "req/s")
    openses, moto = summaries["openses"], summaries["moto"]
    ratio = openses.rate / moto.rate if moto.rate else float("inf")
    print(
        f"ratio OpenSES / moto  {ratio:.1f}x   "
        f"(target {TARGET_RATIO:g}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    print(
        f"p99 OpenSES {openses.p99_ms:.1f} ms (target <= {TARGET_P99_MS:g} ms: "
        f"{'met' if openses.p99_ms <= TARGET_P99_MS else 'NOT met'})"
    )
    succeeded, unsettled = totals(results, "openses")
    print(durability_line("OpenSES", succeeded, unsettled, before, after))
    print(
        "note: moto does not check signatures, ignores SourceArn (no sending authorization) and "
        "keeps messages in memory; OpenSES verifies, authorizes and commits every send"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round: checks it runs")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a round")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers/generator")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument(
        "--profile", type=Path, help="run OpenSES under cProfile, writing its stats to this file"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers get stopped
    return benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
