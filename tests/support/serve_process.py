"""``openses serve`` as a real subprocess: :class:`ServedProcess` starts one and waits for it,
:class:`ServeProcess` is one delivering through a smarthost (a loopback sink).

For the tests that need a process boundary: killing it (crash safety) or running several side
by side on one PostgreSQL store (workers sharing the queue). The root account's credentials are
fixed, so every process and the test agree on them.
"""

from __future__ import annotations

import os
import signal
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


class ServedProcess:
    """``openses serve ARGS`` as a subprocess, started and waited for: ``ready`` is the line
    that says it serves (``pytest.fail`` with its output if it never comes)."""

    def __init__(
        self,
        arguments: list[str],
        *,
        env: dict[str, str] | None = None,
        ready: str = "AWS API listening on",
    ) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "openses", "serve", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if ready in line:
                return
        self.kill()
        pytest.fail("openses serve did not start:\n" + "".join(self.lines))

    def stop(self) -> str:
        """SIGINT, as an operator's Ctrl-C (SIGKILL after 30 s); everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self._output()

    def kill(self) -> str:
        """SIGKILL: no shutdown code runs; everything it printed."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        return self._output()

    def _output(self) -> str:
        stdout = self.process.stdout
        if stdout is None or stdout.closed:
            return "".join(self.lines)
        rest = stdout.read()
        stdout.close()
        return "".join(self.lines) + rest


class ServeProcess(ServedProcess):
    """A running ``openses serve`` on ``store`` (``--data-dir …`` or ``--database-url …``)
    delivering through the smarthost at ``sink_port``, with the fixed root credentials."""

    def __init__(self, store: list[str], sink_port: int, *, roles: str = "api,smtp,worker") -> None:
        self.port = free_port()
        self.store = store
        super().__init__(
            [
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
            env={
                "OPENSES_ROOT_ACCOUNT_ID": ACCOUNT,
                "OPENSES_ROOT_ACCESS_KEY_ID": KEY_ID,
                "OPENSES_ROOT_SECRET_ACCESS_KEY": SECRET,
            },
            ready="AWS API listening on" if "api" in roles.split(",") else "openses: running",
        )

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
