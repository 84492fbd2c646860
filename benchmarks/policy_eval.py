"""Policy evaluation speed: decisions per second on one core, compiled once.

Three measurements, each the median of several rounds, with ratios against the issue's target
and against a baseline measured in the same run (compiling the policies for every decision,
which is what an engine without a compiled form pays):

(a) the 97 documented examples (``../shared/spec/policy-cases.json``);
(b) one identity carrying 20 policies of 5 statements, each with conditions;
(c) ``openses policy simulate --jsonl`` end to end on a large batch (a separate process).

Usage: ``.venv/bin/python benchmarks/policy_eval.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openses.domain.policy import (
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "spec" / "policy-cases.json"
TARGETS = {"a": 50_000, "b": 10_000, "c": 20_000}
IDENTITY = "arn:aws:ses:us-east-1:888888888888:identity/example.com"


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def case_context(request: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {
        "ses:FromAddress": request["from_address"],
        "ses:FromDisplayName": request["from_display_name"],
        "ses:Recipients": request["recipients"],
        "ses:FeedbackAddress": request["feedback_address"],
        "ses:ApiVersion": request["api_version"],
        "aws:SourceIp": request["source_ip"],
        "aws:CurrentTime": request["current_time"],
        "aws:SecureTransport": request["secure_transport"],
        "aws:SourceAccount": request.get("aws_source_account"),
        "aws:SourceArn": request.get("aws_source_arn"),
        "aws:PrincipalOrgID": request.get("principal_org_id"),
    }
    return {k: v for k, v in context.items() if v is not None}


def documented_workload() -> list[tuple[list[dict[str, Any]], Request]]:
    work = []
    for case in json.loads(CASES.read_text()):
        r = case["request"]
        caller = parse_caller(r["principal_arn"], r.get("principal_type"))
        request = Request.build(caller, r["action"], case["identity_arn"], case_context(r))
        work.append(([case["policy"]], request))
    return work


def heavy_policies() -> list[dict[str, Any]]:
    """20 policies x 5 statements, every statement conditional; one grants our delegate."""
    policies = []
    for p in range(20):
        statements = []
        for s in range(5):
            account = f"{100000000000 + p * 5 + s:012d}"
            statements.append(
                {
                    "Sid": f"P{p}S{s}",
                    "Effect": "Deny" if s == 4 else "Allow",
                    "Principal": {"AWS": [account, f"arn:aws:iam::{account}:user/mailer"]},
                    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                    "Resource": IDENTITY,
                    "Condition": {
                        "StringLike": {"ses:FromAddress": f"team{p}-*@example.com"},
                        "ForAllValues:StringLike": {
                            "ses:Recipients": ["*@example.net", "*@example.org"]
                        },
                        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                        "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                        "StringEquals": {"ses:ApiVersion": ["1", "2"]},
                    },
                }
            )
        policies.append({"Version": "2012-10-17", "Statement": statements})
    return policies


def heavy_workload() -> list[tuple[list[dict[str, Any]], Request]]:
    policies = heavy_policies()
    work = []
    for i in range(100):
        p, s = i % 20, i % 5
        account = f"{100000000000 + p * 5 + s:012d}" if i % 3 else "999999999999"
        caller = parse_caller(f"arn:aws:iam::{account}:user/mailer")
        context = {
            "ses:FromAddress": f"team{p}-{i}@example.com" if i % 4 else "other@example.com",
            "ses:Recipients": ["a@example.net", "b@example.org"] if i % 5 else ["c@gmail.example"],
            "ses:ApiVersion": "2",
            "aws:CurrentTime": "2026-11-23T12:00:00Z",
            "aws:SourceIp": "203.0.113.7",
        }
        work.append((policies, Request.build(caller, "ses:SendRawEmail", IDENTITY, context)))
    return work


def rate(run: Callable[[], int], rounds: int) -> float:
    """Median decisions per second over ``rounds`` runs of ``run`` (which returns its count)."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def in_process(
    work: Sequence[tuple[list[dict[str, Any]], Request]], repeat: int, rounds: int
) -> tuple[float, float]:
    compiled = [
        (PolicySet(compile_policy(doc, f"p{i}") for i, doc in enumerate(docs)), request)
        for docs, request in work
    ]

    def compiled_once() -> int:
        for _ in range(repeat):
            for policies, request in compiled:
                evaluate(policies, request)
        return repeat * len(compiled)

    def compiled_every_time() -> int:
        for docs, request in work:
            evaluate([compile_policy(doc, f"p{i}") for i, doc in enumerate(docs)], request)
        return len(work)

    return rate(compiled_once, rounds), rate(compiled_every_time, rounds)


def jsonl_batch(lines: int) -> str:
    cases = json.loads(CASES.read_text())
    out = []
    for i in range(lines):
        case = cases[i % len(cases)]
        r = case["request"]
        out.append(
            json.dumps(
                {
                    "policy": case["policy"],
                    "request": {
                        "principal": r["principal_arn"],
                        "principal_type": r.get("principal_type"),
                        "action": r["action"],
                        "resource": case["identity_arn"],
                        "context": case_context(r),
                    },
                }
            )
        )
    return "\n".join(out) + "\n"


def end_to_end(lines: int, rounds: int) -> float:
    command = [sys.executable, "-m", "openses", "policy", "simulate", "--jsonl"]
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.jsonl"
        batch.write_text(jsonl_batch(lines))
        rates = []
        for _ in range(rounds):
            with batch.open() as source:
                start = time.perf_counter()
                result = subprocess.run(command, stdin=source, capture_output=True, check=True)
                elapsed = time.perf_counter() - start
            assert result.stdout.count(b"\n") == lines
            rates.append(lines / elapsed)
    return statistics.median(rates)


def report(label: str, per_second: float, target: float, baseline: float | None = None) -> None:
    line = (
        f"{label:<44} {per_second:>10,.0f} decisions/s {1e6 / per_second:>8.1f} us/decision"
        f"   target {target:,} -> {per_second / target:4.2f}x"
    )
    if baseline is not None:
        line += f"   vs compile-per-decision {baseline:,.0f}/s -> {per_second / baseline:5.1f}x"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs")
    args = parser.parse_args()
    repeat, rounds, lines = (2, 1, 500) if args.quick else (60, 7, 100_000)
    pin_to_one_core()
    print(f"python {sys.version.split()[0]}, one core, median of {rounds} rounds")
    a, a_base = in_process(documented_workload(), repeat, rounds)
    report("(a) documented examples (97 cases)", a, TARGETS["a"], a_base)
    b, b_base = in_process(heavy_workload(), max(1, repeat // 2), rounds)
    report("(b) 20 policies x 5 conditional statements", b, TARGETS["b"], b_base)
    c = end_to_end(lines, max(1, rounds // 2))
    report(f"(c) policy simulate --jsonl, {lines:,} lines", c, TARGETS["c"])


if __name__ == "__main__":
    main()
