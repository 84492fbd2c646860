"""Run ``python -m openses ARGS…`` under cProfile and write the stats to OUT when it ends,
however it ends (``sys.exit`` included, which ``python -m cProfile`` would not survive).

Usage: ``python benchmarks/profiled.py OUT serve --http …`` (the benchmarks' ``--profile``).
"""

from __future__ import annotations

import cProfile
import signal
import sys
from types import FrameType

from openses.cli import main as openses_main


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    out, *arguments = sys.argv[1:]
    # uvicorn hands a SIGTERM back to the handler it found once it has shut down: ours ends
    # the run with SystemExit, so the stats still get written.
    signal.signal(signal.SIGTERM, _exit)
    sys.argv = ["openses", *arguments]
    profiler = cProfile.Profile()
    try:
        profiler.runcall(openses_main)
    except SystemExit:
        pass
    finally:
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
