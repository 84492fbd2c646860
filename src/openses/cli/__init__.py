"""The ``openses`` command line: argument parsing and dispatch to the subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from openses import __version__
from openses.cli import admin_commands, policy_commands, serve_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openses",
        description="OpenSES: a self-hostable, Amazon SES-compatible sending service.",
    )
    parser.add_argument("--version", action="version", version=f"openses {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_command.register(commands)
    admin_commands.register(commands)
    policy_commands.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (``openses … | head``): stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    return code
