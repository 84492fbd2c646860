"""``openses serve``: the AWS API, the SMTP interfaces and the workers (as ``--roles`` says) in
one process, on uvloop's event loop (measurably faster for the HTTP edge)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from types import FrameType

from openses.config import ConfigError, add_serve_arguments, serve_settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the service",
        description="Run the AWS API (SES v1/v2, IAM, STS) and the SMTP interface. "
        "Migrations run on start.",
    )
    add_serve_arguments(serve)
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    try:
        settings = serve_settings(args, os.environ)
    except ConfigError as error:
        print(f"openses: {error}", file=sys.stderr)
        return 2
    import uvloop  # noqa: PLC0415

    from openses.outbound.service_dkim_key import ServiceKeyError  # noqa: PLC0415
    from openses.runtime import serve  # noqa: PLC0415 - heavy imports only when serving
    from openses.storage.urls import DatabaseUrlError  # noqa: PLC0415

    # SIGTERM (a service manager, a container runtime) stops it as Ctrl-C does, cleanly: the
    # HTTP server stops on it, then hands it back to this handler, whose exit unwinds the rest
    # (background work, listeners, the store) instead of the process dying mid-way.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        # Ctrl-C is how an operator stops it.
        with (
            contextlib.suppress(KeyboardInterrupt),
            asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        ):
            runner.run(serve(settings))
    except DatabaseUrlError as error:
        print(f"openses: --database-url: {error}", file=sys.stderr)
        return 2
    except ServiceKeyError as error:
        print(f"openses: {error}", file=sys.stderr)
        return 2
    return 0


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: every finally block runs
