"""A real OpenSES on loopback for wire tests: the runtime's app served by uvicorn in a thread.

The application is built inside the server thread's event loop (database connections belong to
the loop that made them); tests run setup coroutines there with :meth:`Running.run`. Backends:
SQLite in a temporary directory, or a fresh PostgreSQL database created for the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
import uvicorn
from botocore.config import Config

from openses.config import (
    DeliverySettings,
    HostPort,
    RootCredentials,
    ServeSettings,
    StoreSettings,
)
from openses.domain.accounts import AccessKey
from openses.runtime import Application, build, start_background

T = TypeVar("T")
POSTGRES_URL = os.environ.get(
    "OPENSES_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@dataclass
class Running:
    base_url: str
    application: Application
    loop: asyncio.AbstractEventLoop
    settings: ServeSettings | None = None  # what it was started with

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def new_account(self, *, production: bool = False) -> AccessKey:
        _, key = self.run(
            self.application.services.accounts.create_account(
                datetime.now(UTC), production=production
            )
        )
        return key

    def client(
        self, service: str, key: AccessKey | tuple[str, str], region: str = "us-east-1"
    ) -> Any:
        key_id, secret = (
            (key.access_key_id, key.secret_access_key) if isinstance(key, AccessKey) else key
        )
        return boto3.client(
            service,
            endpoint_url=self.base_url,
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=NO_RETRIES,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serve_openses(
    store: StoreSettings,
    *,
    dns_resolver: HostPort | None = None,
    delivery: DeliverySettings | None = None,
) -> Iterator[Running]:
    """A live server on loopback; with ``delivery`` its background work (delivery workers) runs
    too, as ``openses serve`` would run it."""
    port = free_port()
    settings = ServeSettings(
        store=store,
        http=HostPort("127.0.0.1", port),
        public_url=f"http://127.0.0.1:{port}",
        dns_resolver=dns_resolver,
        admin_token=None,
        verification_sender="no-reply@openses.test",
        domain_check_interval=3600,
        root=RootCredentials(None, None, None),
        delivery=delivery or DeliverySettings(),
    )
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        try:
            application = await build(settings)
        except BaseException as error:
            holder["error"] = error
            ready.set()
            raise
        holder["application"] = application
        config = uvicorn.Config(
            application.app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,
        )
        server = uvicorn.Server(config)
        holder["server"] = server
        serving = asyncio.ensure_future(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        background = await start_background(application, settings) if delivery is not None else None
        ready.set()
        try:
            await serving
        finally:
            if background is not None:
                await background.close()
            await application.store.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(timeout=60)
    if "error" in holder:
        thread.join(timeout=10)
        loop.close()
        raise holder["error"]
    try:
        yield Running(f"http://127.0.0.1:{port}", holder["application"], loop, settings)
    finally:
        holder["server"].should_exit = True
        thread.join(timeout=30)
        loop.close()


async def _postgres_admin(statement: str) -> None:
    import asyncpg  # noqa: PLC0415

    connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test module; fails in CI if PostgreSQL is down."""
    name = f"openses_wire_{secrets.token_hex(6)}"
    try:
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def openses_backend(
    kind: str, tmp_path: Path, dns: HostPort | None, delivery: DeliverySettings | None = None
) -> Iterator[Running]:
    if kind == "sqlite":
        with serve_openses(
            StoreSettings(tmp_path / "data", None), dns_resolver=dns, delivery=delivery
        ) as running:
            yield running
        return
    with (
        postgres_database() as url,
        serve_openses(
            StoreSettings(tmp_path / "unused", url), dns_resolver=dns, delivery=delivery
        ) as running,
    ):
        yield running
