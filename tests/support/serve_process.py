"""``openses serve`` as a real subprocess delivering through a smarthost (a loopback sink).

For the tests that need a process boundary: killing it (crash safety) or running several side
by side on one PostgreSQL store (workers sharing the queue). The root account's credentials are
fixed, so every process and the test agree on them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.support.openses_server import free_port

ACCOUNT = "123456789012"
KEY_ID = "AKIACRASHTEST0000001"
SECRET = "crash/test/secret/0000000000000000000000"


class ServeProcess:
    """A running ``openses serve`` on ``store`` (``--data-dir …`` or ``--database-url …``)."""

    def __init__(self, store: list[str], sink_port: int, *, roles: str = "api,smtp,worker") -> None:
        self.port = free_port()
        self.store = store
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openses",
                "serve",
                *store,
                "--roles",
                roles,
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
        ready = "AWS API listening on" if "api" in roles.split(",") else "openses: running"
        deadline = time.monotonic() + 60
        lines: list[str] = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if ready in line:
                return
        self.kill()
        pytest.fail("openses serve did not start:\n" + "".join(lines))

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def ses(self) -> Any:
        return boto3.client(
            "ses",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            config=Config(retries={"max_attempts": 1}),
        )


def admin(store: list[str], *args: str) -> None:
    """``openses admin …`` on the same store."""
    subprocess.run(
        [sys.executable, "-m", "openses", "admin", *args, *store],
        check=True,
        capture_output=True,
        timeout=120,
    )


def ready_to_send(store: list[str], domain: str) -> None:
    """The root account out of the sandbox with a high send rate, ``domain`` verified."""
    admin(store, "account", "update", ACCOUNT, "--production", "--max-send-rate", "10000")
    admin(store, "identity", "verify", "--account-id", ACCOUNT, "--region", "us-east-1", domain)
