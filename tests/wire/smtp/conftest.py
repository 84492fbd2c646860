"""Fixtures: a scripted backend and both SMTP listeners on loopback, on the test's loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from openses.smtp import SmtpListeners
from tests.wire.smtp.support import FakeSmtpBackend, start


@pytest.fixture
def backend() -> FakeSmtpBackend:
    return FakeSmtpBackend()


@pytest.fixture
def tls_dir(tmp_path: Path) -> Path:
    return tmp_path / "tls"


@pytest.fixture
async def listeners(backend: FakeSmtpBackend, tls_dir: Path) -> AsyncIterator[SmtpListeners]:
    async with await start(backend, tls_dir) as running:
        yield running
