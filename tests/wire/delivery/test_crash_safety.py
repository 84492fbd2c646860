"""Crash safety: ``openses serve`` killed with SIGKILL while it delivers a batch loses nothing.

A real server process delivers through a smarthost (a slow loopback sink) with a short lease;
once the sink has some of the messages the process is killed without warning and started again
on the same store. Every accepted message must then reach the sink — at least once: the jobs of
the interrupted batch are taken over when their lease runs out, so a few may arrive twice (the
documented at-least-once trade-off), but none may be missing. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mail_sink import MailSink
from tests.support.openses_server import postgres_database
from tests.support.serve_process import ServeProcess, ready_to_send

MESSAGES = 150


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
            ready_to_send(store, "sender.example")
            ses = first.ses()
            accepted = [
                ses.send_email(
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
