"""Run an ASGI app with uvicorn in a background thread, on a loopback ephemeral port.

::

    with serve_in_thread(app) as base_url:      # "http://127.0.0.1:<port>"
        httpx.get(f"{base_url}/_openses/health")

The server binds port 0 and reports the port the system chose; the context manager returns
once the server accepts connections and, on exit, asks it to stop, waits for the thread, and
re-raises anything that made the server fail. Clients should close their connections first
(uvicorn waits for open connections to finish, up to the graceful-shutdown timeout).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
_POLL_INTERVAL = 0.01


class _ThreadServer(uvicorn.Server):
    """A uvicorn server that remembers why its thread ended, if it failed."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.failure: BaseException | None = None

    def run_in_thread(self) -> None:
        try:
            self.run()
        except BaseException as error:  # SystemExit on a failed start, or a crash
            self.failure = error

    @property
    def port(self) -> int:
        sockets = self.servers[0].sockets
        return int(sockets[0].getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(app: Any, **config: Any) -> Iterator[str]:
    """Serve ``app`` on ``127.0.0.1`` (ephemeral port) while the block runs; yield its URL.

    ``config`` adds or overrides :class:`uvicorn.Config` arguments.
    """
    options: dict[str, Any] = {
        "host": HOST,
        "port": 0,
        "lifespan": "off",
        "ws": "none",
        "log_level": "warning",
        "log_config": None,  # leave the process's logging set-up alone
        "access_log": False,
        "timeout_graceful_shutdown": STOP_TIMEOUT / 2,
        **config,
    }
    server = _ThreadServer(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run_in_thread, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the test server stopped while starting") from server.failure
            if time.monotonic() > deadline:
                raise TimeoutError(f"the test server did not start within {START_TIMEOUT} s")
            time.sleep(_POLL_INTERVAL)
        yield f"http://{HOST}:{server.port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            server.force_exit = True
            thread.join(STOP_TIMEOUT)
    if thread.is_alive():
        raise RuntimeError("the test server did not stop")
    if server.failure is not None:
        raise RuntimeError("the test server failed") from server.failure
