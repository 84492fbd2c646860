"""The test-server helper itself: it serves, it stops, and it reports a server that cannot start."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.support.server import serve_in_thread


async def hello(request: Request) -> Response:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", hello)])


def test_serves_on_an_ephemeral_loopback_port_and_stops() -> None:
    with serve_in_thread(APP) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client() as http:
            assert http.get(base_url).text == "hello"
    port = int(base_url.rsplit(":", 1)[1])

    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_a_server_that_cannot_start_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with (
            pytest.raises(RuntimeError, match="stopped while starting"),
            serve_in_thread(APP, port=port, log_level="critical"),
        ):
            pass  # pragma: no cover - never reached
