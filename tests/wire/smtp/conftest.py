"""Fixtures: a scripted backend and both SMTP listeners on loopback, on the test's loop.

Every test runs twice: on asyncio's own event loop and on uvloop's, which ``openses serve``
runs (their TLS layers and transports differ: STARTTLS uses the loop's own).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import pytest
import uvloop

from openses.smtp import SmtpListeners
from tests.wire.smtp.support import FakeSmtpBackend, start


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    return {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


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
