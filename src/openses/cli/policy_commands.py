"""``openses policy validate`` and ``openses policy simulate``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from openses.cli.simulation import Simulator
from openses.domain.policy import PolicyError, PolicyKind, compile_policy, parse_policy
from openses.domain.sending_policy import InvalidSendingPolicy, validate_sending_policy


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    policy = commands.add_parser("policy", help="validate and simulate IAM-style policies")
    verbs = policy.add_subparsers(dest="verb", required=True, metavar="VERB")

    validate = verbs.add_parser(
        "validate",
        help="check a policy document",
        description=(
            "Check a policy against the IAM grammar; with --identity-arn, also against SES's "
            "rules for sending authorization policies. Prints 'valid' or each problem "
            "(exit status 1)."
        ),
    )
    validate.add_argument("file", help="the policy document (JSON); - reads standard input")
    validate.add_argument(
        "--identity-arn",
        help="the SES identity the policy would be attached to: apply SES's rules as well",
    )
    validate.add_argument(
        "--type",
        choices=[kind.value for kind in PolicyKind],
        default=PolicyKind.RESOURCE.value,
        help="resource policy (names principals; the default) or identity-based policy",
    )
    validate.set_defaults(run=run_validate)

    simulate = verbs.add_parser(
        "simulate",
        help="evaluate policies against a request read from standard input",
        description=(
            'Reads {"policy": {...}} or {"policies": {"name": {...}}} with "request": '
            '{"principal", "action", "resource", "context"} and prints {"decision", '
            '"statements", "explanation"}.'
        ),
    )
    simulate.add_argument(
        "--jsonl",
        action="store_true",
        help="read one JSON object per line and write one result per line, streaming",
    )
    simulate.set_defaults(run=run_simulate)


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def run_validate(args: argparse.Namespace) -> int:
    try:
        text = _read(args.file)
    except OSError as error:
        print(f"openses: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    problems: list[str] = []
    warnings: tuple[str, ...] = ()
    if args.identity_arn:
        try:
            warnings = validate_sending_policy(text, args.identity_arn).warnings
        except InvalidSendingPolicy as error:
            problems = list(error.problems)
    else:
        try:
            compile_policy(parse_policy(text), kind=PolicyKind(args.type))
        except PolicyError as error:
            problems = [str(problem) for problem in error.problems]
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        for problem in problems:
            print(problem)
        return 1
    print("valid")
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    simulator = Simulator()
    if args.jsonl:
        return _simulate_lines(simulator, sys.stdin, sys.stdout)
    result = simulator.run_text(sys.stdin.read())
    print(json.dumps(result, indent=2))
    return 1 if "error" in result else 0


def _simulate_lines(simulator: Simulator, source: TextIO, sink: TextIO) -> int:
    write = sink.write
    for line in source:
        if not line.strip():
            continue
        result: dict[str, Any] = simulator.run_text(line)
        write(json.dumps(result, separators=(",", ":")))
        write("\n")
        sink.flush()  # streaming: a producer may wait for each answer before sending more
    return 0
