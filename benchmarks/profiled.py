"""Run ``python -m openses ARGS…`` under cProfile and write the stats to OUT when it ends
(``openses serve`` ends cleanly on the SIGTERM the benchmarks stop it with).

Usage: ``python benchmarks/profiled.py OUT serve --http …`` (the benchmarks' ``--profile``).
"""

from __future__ import annotations

import cProfile
import sys

from openses.cli import main as openses_main


def main() -> None:
    out, *arguments = sys.argv[1:]
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
