"""Several worker processes on one PostgreSQL store share the queue: an API-only process takes
the sends, two worker-only processes deliver them, and each message arrives exactly once."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.mail_sink import MailSink
from tests.support.openses_server import postgres_database
from tests.support.serve_process import ServeProcess, ready_to_send

MESSAGES = 200


@pytest.fixture
def store() -> Iterator[list[str]]:
    with postgres_database() as url:
        yield ["--database-url", url]


def test_two_workers_deliver_every_message_once(store: list[str]) -> None:
    with MailSink(delay=0.005) as sink:
        api = ServeProcess(store, sink.port, roles="api")
        workers: list[ServeProcess] = []
        try:
            ready_to_send(store, "sender.example")
            workers = [ServeProcess(store, sink.port, roles="worker") for _ in range(2)]
            ses = api.ses()
            accepted = [
                ses.send_email(
                    Source="shared@sender.example",
                    Destination={"ToAddresses": [f"r{index}@dest{index % 7}.example"]},
                    Message={"Subject": {"Data": f"#{index}"}, "Body": {"Text": {"Data": "x"}}},
                )["MessageId"]
                for index in range(MESSAGES)
            ]
            sink.wait_for(MESSAGES, timeout=90)
            time.sleep(0.5)  # a duplicate, if there were one, would arrive now
        finally:
            for process in (api, *workers):
                process.kill()
    arrived = Counter(r.mail_from.partition("@")[0] for r in sink.received)
    assert sorted(arrived) == sorted(accepted)
    assert set(arrived.values()) == {1}
