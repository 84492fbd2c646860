"""Crash safety: ``openses serve`` killed with SIGKILL while it delivers a batch loses nothing.

A real server process delivers through a smarthost (a slow loopback sink) with a short lease;
once the sink has some of the messages the process is killed without warning and started again
on the same store. Every accepted message must then reach the sink — at least once: the jobs of
the interrupted batch are taken over when their lease runs out, so a few may arrive twice (the
documented at-least-once trade-off), but none may be missing. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.support.mail_sink import MailSink
from tests.support.openses_server import free_port, postgres_database

ACCOUNT = "123456789012"
KEY_ID = "AKIACRASHTEST0000001"
SECRET = "crash/test/secret/0000000000000000000000"
MESSAGES = 150


class ServeProcess:
    def __init__(self, store: list[str], sink_port: int) -> None:
        self.port = free_port()
        self.store = store
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openses",
                "serve",
                *store,
                "--http",
                f"127.0.0.1:{self.port}",
                "--smtp",
                "off",
                "--smtps",
                "off",
                "--feedback-smtp",
                "off",
                "--delivery",
                "smarthost",
                "--smarthost",
                f"127.0.0.1:{sink_port}",
                "--smarthost-tls",
                "none",
                "--delivery-lease",
                "2",
                "--delivery-poll",
                "0.05",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={
                **os.environ,
                "OPENSES_ROOT_ACCOUNT_ID": ACCOUNT,
                "OPENSES_ROOT_ACCESS_KEY_ID": KEY_ID,
                "OPENSES_ROOT_SECRET_ACCESS_KEY": SECRET,
            },
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        lines: list[str] = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "AWS API listening on" in line:
                return
        self.kill()
        pytest.fail("openses serve did not start:\n" + "".join(lines))

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # SIGKILL: no shutdown code runs
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def ses(self) -> object:
        return boto3.client(
            "ses",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            config=Config(retries={"max_attempts": 1}),
        )


def admin(store: list[str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "openses", "admin", *args, *store],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    if request.param == "sqlite":
        yield ["--data-dir", str(tmp_path / "data")]
        return
    with postgres_database() as url:
        yield ["--database-url", url]


def test_sigkill_during_a_batch_loses_no_accepted_message(store: list[str]) -> None:
    with MailSink(delay=0.02) as sink:
        first = ServeProcess(store, sink.port)
        try:
            admin(store, "account", "update", ACCOUNT, "--production", "--max-send-rate", "10000")
            admin(
                store,
                "identity",
                "verify",
                "--account-id",
                ACCOUNT,
                "--region",
                "us-east-1",
                "sender.example",
            )
            ses = first.ses()
            accepted = [
                ses.send_email(  # type: ignore[attr-defined]
                    Source="crash@sender.example",
                    Destination={"ToAddresses": [f"r{index}@dest.example"]},
                    Message={"Subject": {"Data": f"#{index}"}, "Body": {"Text": {"Data": "x"}}},
                )["MessageId"]
                for index in range(MESSAGES)
            ]
            sink.wait_for(10)
        finally:
            first.kill()
        delivered_before_crash = len(sink.received)
        assert delivered_before_crash < MESSAGES, "the crash came too late to interrupt anything"
        second = ServeProcess(store, sink.port)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                arrived = Counter(r.mail_from.partition("@")[0] for r in sink.received)
                if all(message_id in arrived for message_id in accepted):
                    break
                time.sleep(0.1)
        finally:
            second.kill()
    arrived = Counter(r.mail_from.partition("@")[0] for r in sink.received)
    missing = [message_id for message_id in accepted if message_id not in arrived]
    assert missing == []
    duplicates = sum(count - 1 for count in arrived.values())
    assert duplicates <= 100  # at most the one interrupted batch
