"""The benchmarks run end to end (``--quick``: one short round; the numbers mean little).

Each starts its servers (OpenSES, moto_server or the aiosmtpd sink) and its load generator as
subprocesses, sets up a delegate sending as the owner's identity, measures, and checks that
every success it was given was stored. This proves that the benchmarks work, not how fast
anything is: a target line may well say "NOT met" here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run_quick(script: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize(
    ("script", "ratio_line"),
    [
        ("send_api.py", r"^ratio OpenSES / moto +\d+\.\dx +\(target 5x: (met|NOT met)\)$"),
        ("send_smtp.py", r"^ratio OpenSES / sink +\d+% +\(target >= 60%: (met|NOT met)\)$"),
    ],
)
def test_benchmark_runs_and_prints_its_ratio(script: str, ratio_line: str) -> None:
    output = run_quick(script)
    assert re.search(ratio_line, output, re.MULTILINE), output
    durability = re.search(r"^durability: .*: (.*)$", output, re.MULTILINE)
    assert durability is not None, output
    assert durability.group(1).startswith("every success was stored"), output
    if script == "send_api.py":
        p99_line = r"^p99 OpenSES [\d.]+ ms \(target <= 50 ms: (met|NOT met)\)$"
        assert re.search(p99_line, output, re.MULTILINE), output


def test_delivery_benchmark_runs_and_checks_its_signatures() -> None:
    """It delivers through a real sink, verifies the first message's DKIM signature with
    dkimpy (it stops otherwise) and prints its figures."""
    output = run_quick("delivery.py")
    assert re.search(r"^openses \(accepted -> signed -> delivered\): [\d,]+ msg/s", output, re.M)
    assert re.search(r"^target >= 500 msg/s: (met|NOT met)$", output, re.MULTILINE), output


def test_dkim_signing_benchmark_runs() -> None:
    assert run_quick("dkim_sign.py").strip()
