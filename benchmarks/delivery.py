"""Delivery: accepted messages, DKIM-signed with RSA-2048, handed to a local SMTP sink per second.

Two ways of feeding the same sink, in the same run, alternating rounds:

- ``openses``: OpenSES's delivery worker (``DeliveryWorker.run_once`` in a loop, in this
  process) working off a queue of ``--messages`` accepted messages. The store is SQLite in a
  temporary directory, built with ``openses.runtime.build`` as ``openses serve`` builds it, in
  ``smarthost`` mode pointing at the sink (no TLS). Before each round the messages are accepted
  through ``SendingService.submit_smtp`` (authorization, quota, rate, Message-ID: the real path)
  for a production account whose domain ``bench.example`` has Easy DKIM with a 2048-bit key
  (status SUCCESS, put in the store directly: DNS is not what is measured). The round times
  the worker from the first claim until the queue is empty: per message it reads the job and
  message, cuts Bcc, signs with RSA-2048 (OpenSSL), hands it over over SMTP (sessions of 25
  messages, up to 16 at once) and records the Delivery event and the job's end.
- ``ceiling``: one aiosmtplib client on one connection sending the same number of messages
  (already signed, the same size) to the sink, one after another: the price of the sink and of
  SMTP on loopback alone, which OpenSES cannot beat by much.

The sink (``--sink``) is a bare aiosmtpd server in a subprocess that discards what it gets; it
keeps the first message of a check round, which is verified with dkimpy against the public
key (proof that what was measured signs correctly).

Figures are medians over ``--rounds`` rounds; ``--quick`` runs one small round (it checks that
everything works; its numbers mean little). Target (issue #5): >= 500 messages/s.

Usage: ``.venv/bin/python benchmarks/delivery.py [--quick] [--messages 2000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosmtplib
import dkim

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    child_process,
    free_port,
    pinned,
    placement,
    wait_listening,
)

from openses.config import (  # noqa: E402
    DeliverySettings,
    HostPort,
    RootCredentials,
    ServeSettings,
    StoreSettings,
)
from openses.domain.dkim import load_private_key, public_key_record  # noqa: E402
from openses.domain.dkim.settings import EASY_DKIM, DkimSettings, DkimStatus  # noqa: E402
from openses.runtime import Application, build  # noqa: E402
from openses.services.dkim_keys import easy_dkim_tokens, generate_rsa_key  # noqa: E402
from openses.services.principals import Call  # noqa: E402

DOMAIN = "bench.example"
REGION = "us-east-1"
ACCOUNT = "210987654321"
KEY_ID = "AKIABENCHDELIVERY001"
SECRET = "bench/delivery/secret/000000000000000000"
TARGET = 500.0


# ================================================================================ the sink


class Discard:
    """aiosmtpd handler: accept every message; keep the first one in ``keep`` (if given)."""

    def __init__(self, keep: Path | None) -> None:
        self.keep = keep

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.keep is not None and not self.keep.exists():
            self.keep.write_bytes(envelope.original_content or b"")
        return "250 OK"


async def sink(port: int, keep: Path | None) -> None:
    from aiosmtpd.smtp import SMTP  # noqa: PLC0415

    loop = asyncio.get_running_loop()
    handler = Discard(keep)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", decode_data=False, loop=loop),
        "127.0.0.1",
        port,
    )
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    async with server:
        await stopped.wait()


# ============================================================================ OpenSES side


def message(index: int) -> bytes:
    body = "All work and no play makes a benchmark a dull message, line after line.\r\n" * 96
    return (
        f"From: Bench <app@{DOMAIN}>\r\nTo: r{index}@sink.example\r\n"
        f"Subject: delivery #{index}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    ).encode()


async def set_up(data_dir: Path, sink_port: int) -> tuple[Application, Call, str]:
    settings = ServeSettings(
        store=StoreSettings(data_dir, None),
        http=HostPort("127.0.0.1", free_port()),
        public_url="http://127.0.0.1",
        dns_resolver=None,
        admin_token=None,
        verification_sender="no-reply@openses.test",
        domain_check_interval=3600,
        root=RootCredentials(None, None, None),
        delivery=DeliverySettings(
            mode="smarthost",
            smarthost=HostPort("127.0.0.1", sink_port),
            smarthost_tls="none",
            feedback_smtp=None,
        ),
    )
    application = await build(settings)
    services = application.services
    now = datetime.now(UTC)
    await services.accounts.bootstrap(
        now, account_id=ACCOUNT, access_key_id=KEY_ID, secret_access_key=SECRET
    )
    await services.accounts.update_account(
        ACCOUNT, production=True, max_24_hour_send=1e9, max_send_rate=1e6
    )
    await services.identities.operator_verify(now, account_id=ACCOUNT, region=REGION, name=DOMAIN)
    pem = generate_rsa_key(2048)
    tokens = easy_dkim_tokens()
    async with application.store.transaction() as tx:
        await tx.put_dkim(
            DkimSettings(
                account_id=ACCOUNT,
                region=REGION,
                identity=DOMAIN,
                signing_enabled=True,
                updated_at=now,
                origin=EASY_DKIM,
                status=DkimStatus.SUCCESS,
                selectors=tokens,
                private_keys=(pem, None, None),
                current_key_length=2048,
                key_generated_at=now,
                succeeded_at=now,
            )
        )
    found = await services.accounts.credentials(KEY_ID)
    assert found is not None
    call = Call(principal=found[1], region=REGION, now=now)
    public = public_key_record(load_private_key(pem, trusted=True))
    record = f"{tokens[0]}._domainkey.{DOMAIN}. TXT {public}"
    return application, call, record


async def accept(application: Application, call: Call, count: int) -> None:
    sending = application.services.sending
    for index in range(count):
        now = datetime.now(UTC)
        stamped = Call(principal=call.principal, region=call.region, now=now)
        await sending.submit_smtp(
            stamped, f"app@{DOMAIN}", [f"r{index}@sink.example"], message(index)
        )


async def openses_round(application: Application, call: Call, count: int) -> float:
    await accept(application, call, count)
    worker = application.delivery
    started = time.perf_counter()
    while await worker.run_once(datetime.now(UTC)):
        pass
    elapsed = time.perf_counter() - started
    async with application.store.transaction(read_only=True) as tx:
        left = await tx.list_jobs()
    if left:
        raise RuntimeError(f"{len(left)} jobs left after the round: {left[0]}")
    return count / elapsed


async def ceiling_round(port: int, data: bytes, count: int) -> float:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
    await client.connect()
    started = time.perf_counter()
    for index in range(count):
        await client.sendmail(
            f"bounce{index}@bounces.openses.test", [f"r{index}@sink.example"], data
        )
    elapsed = time.perf_counter() - started
    await client.quit()
    return count / elapsed


async def signed_sample(application: Application, call: Call) -> bytes:
    worker = application.delivery
    prepared = await worker.outgoing.prepare(
        message_id="0100019a00000000-00000000-0000-4000-8000-000000000000-000000",
        raw=message(0),
        owner_account=ACCOUNT,
        region=REGION,
        now=datetime.now(UTC),
    )
    return prepared.data


def verify(kept: Path, record: str) -> None:
    data = kept.read_bytes()
    name, _, text = record.partition(" TXT ")

    def dns(query: bytes, timeout: int = 5) -> bytes:
        return text.encode() if query.decode().rstrip(".") == name.rstrip(".") else b""

    if b"DKIM-Signature:" not in data or not dkim.verify(data, dnsfunc=dns):
        raise RuntimeError(
            f"the delivered message does not carry a valid DKIM signature:\n{data[:1500]!r}"
        )


async def measure(args: argparse.Namespace, sink_port: int, kept: Path, work: Path) -> None:
    application, call, record = await set_up(work / "data", sink_port)
    try:
        # Check round: one message through the worker, kept by the sink and verified.
        await openses_round(application, call, 1)
        for _ in range(100):
            if kept.exists():
                break
            await asyncio.sleep(0.05)
        verify(kept, record)
        sample = await signed_sample(application, call)
        results: dict[str, list[float]] = {"openses": [], "ceiling": []}
        for round_number in range(args.rounds):
            results["openses"].append(await openses_round(application, call, args.messages))
            results["ceiling"].append(await ceiling_round(sink_port, sample, args.messages))
            print(
                f"round {round_number + 1}: openses {results['openses'][-1]:,.0f} msg/s, "
                f"ceiling {results['ceiling'][-1]:,.0f} msg/s",
                flush=True,
            )
    finally:
        await application.store.close()
    openses = statistics.median(results["openses"])
    ceiling = statistics.median(results["ceiling"])
    print()
    print(f"messages per round: {args.messages}, rounds: {args.rounds}, {len(sample):,} bytes each")
    print(f"openses (accepted -> signed -> delivered): {openses:,.0f} msg/s (median)")
    print(f"ceiling (one SMTP client, pre-signed):     {ceiling:,.0f} msg/s (median)")
    print(f"ratio openses/ceiling: {openses / ceiling:.2f}")
    verdict = "met" if openses >= TARGET else "NOT met"
    print(f"target >= {TARGET:.0f} msg/s: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-pin", action="store_true", help="leave CPU placement alone")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink is not None:
        asyncio.run(sink(args.sink, args.keep))
        return
    if args.quick:
        args.messages, args.rounds = 50, 1
    sink_cpus, own_cpus, where = placement(not args.no_pin)
    print(where)
    with tempfile.TemporaryDirectory(prefix="openses-delivery-") as temporary:
        work = Path(temporary)
        port = free_port()
        kept = work / "first-message.eml"
        log = work / "sink.log"
        command = [sys.executable, __file__, "--sink", str(port), "--keep", str(kept)]
        with child_process(command, log, sink_cpus) as process:
            wait_listening("sink", process, port, log)
            with pinned(own_cpus):
                asyncio.run(measure(args, port, kept, work))


if __name__ == "__main__":
    main()
