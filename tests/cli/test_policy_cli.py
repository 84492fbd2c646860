"""``openses policy validate`` and ``openses policy simulate``, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ARN = "arn:aws:ses:us-east-1:888888888888:identity/example.com"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Marketer",
            "Effect": "Allow",
            "Principal": {"AWS": "123456789012"},
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": ARN,
            "Condition": {"StringLike": {"ses:FromAddress": "marketing+*@example.com"}},
        },
        {
            "Sid": "NoCompetitors",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ses:*",
            "Resource": ARN,
            "Condition": {"ForAnyValue:StringLike": {"ses:Recipients": "*@competitor.example"}},
        },
    ],
}


def openses(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openses", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def request(from_address: str, recipients: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "principal": "arn:aws:iam::123456789012:user/app",
        "action": "ses:SendRawEmail",
        "resource": ARN,
        "context": {"ses:FromAddress": from_address, "ses:Recipients": recipients, **extra},
    }


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY))
    return path


def test_validate_valid_grammar(policy_file: Path) -> None:
    result = openses("policy", "validate", str(policy_file))
    assert (result.returncode, result.stdout) == (0, "valid\n")


def test_validate_with_identity_arn_applies_ses_rules(policy_file: Path) -> None:
    ok = openses("policy", "validate", str(policy_file), "--identity-arn", ARN)
    assert (ok.returncode, ok.stdout) == (0, "valid\n")
    other = ARN.replace("example.com", "other.com")
    bad = openses("policy", "validate", str(policy_file), "--identity-arn", other)
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    assert len(lines) == 2
    assert all("must be the ARN of the identity" in line for line in lines)


def test_validate_prints_each_grammar_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "x"}]}')
    result = openses("policy", "validate", str(path))
    assert result.returncode == 1
    assert "Statement[0].Effect" in result.stdout
    assert "needs Principal or NotPrincipal" in result.stdout
    assert "needs Resource or NotResource" in result.stdout
    assert "'x' must be" in result.stdout


def test_validate_reads_stdin_and_reports_warnings(tmp_path: Path) -> None:
    policy = json.loads(json.dumps(POLICY))
    policy["Statement"][0]["Condition"] = {"StringLike": {"ses:Recipients": "*@example.com"}}
    result = openses("policy", "validate", "-", "--identity-arn", ARN, stdin=json.dumps(policy))
    assert (result.returncode, result.stdout) == (0, "valid\n")
    assert "warning: Statement[0]: ses:Recipients is multivalued" in result.stderr


def test_validate_identity_policy_type(tmp_path: Path) -> None:
    path = tmp_path / "identity.json"
    path.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "ses:*", "Resource": "*"},
            }
        )
    )
    assert openses("policy", "validate", str(path), "--type", "identity").stdout == "valid\n"
    assert openses("policy", "validate", str(path)).returncode == 1


def test_validate_missing_file() -> None:
    result = openses("policy", "validate", "/nonexistent/policy.json")
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_simulate_single_object() -> None:
    stdin = json.dumps(
        {"policy": POLICY, "request": request("marketing+x@example.com", ["a@b.example"])}
    )
    result = openses("policy", "simulate", stdin=stdin)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["decision"] == "Allow"
    assert answer["statements"] == [
        {"policy": "policy", "sid": "Marketer", "effect": "Allow", "index": 0}
    ]
    assert "'Marketer'" in answer["explanation"]


def test_simulate_named_policies_explicit_deny() -> None:
    stdin = json.dumps(
        {
            "policies": {"marketing": POLICY},
            "request": request("marketing+x@example.com", ["a@b.example", "c@competitor.example"]),
        }
    )
    answer = json.loads(openses("policy", "simulate", stdin=stdin).stdout)
    assert answer["decision"] == "ExplicitDeny"
    assert answer["statements"][0]["sid"] == "NoCompetitors"
    assert answer["statements"][0]["policy"] == "marketing"


def test_simulate_evaluates_any_iam_key() -> None:
    """No SES rules in simulate: keys SES would refuse are evaluated as IAM would."""
    policy = json.loads(json.dumps(POLICY))
    policy["Statement"][0]["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": "mail"}}
    tagged = request("x@example.com", ["a@b.example"], **{"aws:PrincipalTag/Team": "mail"})
    answer = json.loads(
        openses(
            "policy", "simulate", stdin=json.dumps({"policy": policy, "request": tagged})
        ).stdout
    )
    assert answer["decision"] == "Allow"


def test_simulate_bad_input_is_an_error_object() -> None:
    result = openses("policy", "simulate", stdin='{"policy": {}, "request": {}}')
    assert result.returncode == 1
    assert "error" in json.loads(result.stdout)


def test_simulate_jsonl_never_crashes_the_batch() -> None:
    lines = [
        json.dumps(
            {"policy": POLICY, "request": request("marketing+1@example.com", ["a@b.example"])}
        ),
        "not json",
        json.dumps({"policy": {"Statement": []}, "request": request("a@example.com", [])}),
        '{"policy": {"Statement": {"Effect": "Allow", "Effect": "Deny"}}, "request": {}}',
        json.dumps({"policy": POLICY, "request": {**request("x", []), "principal": "nobody"}}),
        json.dumps({"policy": POLICY, "request": request("x@example.com", [{"nested": 1}])}),
        "",
        json.dumps({"policy": POLICY, "request": request("other@example.com", ["a@b.example"])}),
    ]
    result = openses("policy", "simulate", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 7  # the blank line is skipped
    assert answers[0]["decision"] == "Allow"
    assert "not valid JSON" in answers[1]["error"]
    assert "Statement" in answers[2]["error"]
    assert "appears more than once" in answers[3]["error"]
    assert "principal" in answers[4]["error"].lower()
    assert "context values" in answers[5]["error"]
    assert answers[6]["decision"] == "ImplicitDeny"
    assert "StringLike ses:FromAddress" in answers[6]["explanation"]


def test_simulate_jsonl_streams_one_answer_per_line() -> None:
    """An answer comes back before the next line is written: usable as a co-process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "openses", "policy", "simulate", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        for address, decision in [
            ("marketing+a@example.com", "Allow"),
            ("b@example.com", "ImplicitDeny"),
        ]:
            process.stdin.write(
                json.dumps({"policy": POLICY, "request": request(address, ["x@y.example"])}) + "\n"
            )
            process.stdin.flush()
            assert json.loads(process.stdout.readline())["decision"] == decision
    finally:
        process.stdin.close()
        assert process.wait(timeout=30) == 0
        process.stdout.close()
