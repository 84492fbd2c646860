"""``openses serve`` and ``openses admin …`` as an operator runs them, and the AWS CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from openses.domain.smtp_password import derive_smtp_password
from tests.support.openses_server import free_port
from tests.support.serve_process import ServedProcess

SPEC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def openses(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openses", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


class Server(ServedProcess):
    """``openses serve`` on ``data_dir`` with its API and both SMTP listeners on free ports."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.smtp_port = free_port()
        self.smtps_port = free_port()
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [
                "--data-dir",
                str(data_dir),
                "--http",
                f"127.0.0.1:{self.port}",
                "--smtp",
                f"127.0.0.1:{self.smtp_port}",
                "--smtps",
                f"127.0.0.1:{self.smtps_port}",
            ],
            env=env,
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "data")
    yield running
    running.stop()


def credentials_from(output: str) -> tuple[str, str]:
    key = re.search(r"aws_access_key_id = (\S+)", output)
    secret = re.search(r"aws_secret_access_key = (\S+)", output)
    assert key is not None
    assert secret is not None
    return key.group(1), secret.group(1)


def test_first_start_creates_an_account_and_prints_its_credentials_once(tmp_path: Path) -> None:
    first = Server(tmp_path / "data")
    output = "".join(first.lines)
    key_id, secret = credentials_from(output)
    ses = boto3.client(
        "ses",
        endpoint_url=first.url,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    assert ses.get_send_quota()["Max24HourSend"] == 50000.0  # the operator's own account
    first.stop()
    second = Server(tmp_path / "data")
    try:
        assert "aws_access_key_id" not in "".join(second.lines)
        again = boto3.client(
            "ses",
            endpoint_url=second.url,
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
        assert again.get_send_quota()["MaxSendRate"] == 14.0  # the store persisted
    finally:
        second.stop()


def test_root_credentials_from_the_environment(tmp_path: Path) -> None:
    env = {
        "OPENSES_ROOT_ACCOUNT_ID": "111122223333",
        "OPENSES_ROOT_ACCESS_KEY_ID": "AKIAFIXEDFORTESTS000",
        "OPENSES_ROOT_SECRET_ACCESS_KEY": "fixed-secret",
    }
    running = Server(tmp_path / "data", env)
    try:
        assert "aws_secret_access_key" not in "".join(running.lines)
        sts = boto3.client(
            "sts",
            endpoint_url=running.url,
            region_name="us-east-1",
            aws_access_key_id="AKIAFIXEDFORTESTS000",
            aws_secret_access_key="fixed-secret",
        )
        assert sts.get_caller_identity()["Account"] == "111122223333"
    finally:
        running.stop()


def test_admin_commands_work_on_the_servers_store(server: Server, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    created = openses(
        "admin", "account", "create", "--data-dir", data, "--account-id", "444455556666"
    )
    assert created.returncode == 0, created.stderr
    account = json.loads(created.stdout)
    assert account["account_id"] == "444455556666"
    ses = boto3.client(
        "ses",
        endpoint_url=server.url,
        region_name="eu-west-1",
        aws_access_key_id=account["access_key_id"],
        aws_secret_access_key=account["secret_access_key"],
    )
    assert ses.get_send_quota()["Max24HourSend"] == 200.0  # new accounts: sandbox
    updated = openses(
        "admin", "account", "update", "444455556666", "--data-dir", data,
        "--production", "--max-send-rate", "50",
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    quota = ses.get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"]) == (50000.0, 50.0)
    verified = openses(
        "admin", "identity", "verify", "--data-dir", data,
        "--account-id", "444455556666", "--region", "eu-west-1", "ops.example",
    )  # fmt: skip
    assert json.loads(verified.stdout)["verified_by"] == "operator"
    status = ses.get_identity_verification_attributes(Identities=["ops.example"])
    assert status["VerificationAttributes"]["ops.example"]["VerificationStatus"] == "Success"
    duplicate = openses(
        "admin", "account", "create", "--data-dir", data, "--account-id", "444455556666"
    )
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr


def test_service_key_acts_as_the_service(server: Server, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    account = json.loads(openses("admin", "account", "create", "--data-dir", data).stdout)
    issued = openses(
        "admin", "service-key", "create", "--data-dir", data,
        "--account-id", account["account_id"], "--service", "cognito-idp.amazonaws.com",
        "--source-arn", f"arn:aws:cognito-idp:us-east-1:{account['account_id']}:userpool/p1",
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    key: dict[str, Any] = json.loads(issued.stdout)
    sts = boto3.client(
        "sts",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=key["access_key_id"],
        aws_secret_access_key=key["secret_access_key"],
    )
    assert sts.get_caller_identity()["Arn"] == "cognito-idp.amazonaws.com"


def test_smtp_password_matches_the_documented_derivation() -> None:
    result = openses(
        "admin", "smtp-password", "--secret-access-key", SPEC_SECRET, "--region", "us-east-1"
    )
    assert result.stdout.strip() == "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9"


def test_aws_cli_against_the_server(server: Server) -> None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent))
    assert aws is not None, "the awscli package is a development dependency"
    key_id, secret = credentials_from("".join(server.lines))
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [aws, "--endpoint-url", server.url, "--output", "json", *args],
            capture_output=True, text=True, timeout=120, check=False, env=env,
        )  # fmt: skip

    token = json.loads(cli("ses", "verify-domain-identity", "--domain", "cli.example").stdout)
    assert token["VerificationToken"]
    listed = json.loads(cli("ses", "list-identities").stdout)
    assert listed["Identities"] == ["cli.example"]
    v2 = json.loads(cli("sesv2", "get-account").stdout)
    assert v2["ProductionAccessEnabled"] is True
    me = json.loads(cli("sts", "get-caller-identity").stdout)
    assert me["Arn"].endswith(":root")
    refused = cli("sesv2", "get-email-identity", "--email-identity", "nope.example")
    assert refused.returncode != 0
    assert "NotFoundException" in refused.stderr


def test_an_unusable_database_url_is_a_clear_error(tmp_path: Path) -> None:
    for command in (["admin", "account", "create"], ["serve", "--http", "127.0.0.1:0"]):
        result = openses(*command, "--database-url", "mysql://db.example/openses")
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "--database-url: unsupported database 'mysql'" in result.stderr


def test_serve_runs_the_smtp_interface_with_a_self_signed_certificate(tmp_path: Path) -> None:
    server = Server(tmp_path / "data")
    try:
        output = "".join(server.lines)
        assert f"SMTP (STARTTLS) listening on 127.0.0.1:{server.smtp_port}" in output
        key_id, secret = credentials_from(output)
        cert = server.data_dir / "tls" / "smtp-cert.pem"
        context = ssl.create_default_context(cafile=str(cert))
        with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=10) as client:
            client.starttls(context=context)
            client.login(key_id, derive_smtp_password(secret, "us-east-1"))
            client.mail("someone@unverified.example")
            client.rcpt("a@example.net")
            code, text = client.data(b"From: someone@unverified.example\r\n\r\nhi\r\n")
        assert code == 554
        assert text.decode().startswith("Message rejected: Email address is not verified.")
        with smtplib.SMTP_SSL(
            "127.0.0.1", server.smtps_port, timeout=10, context=context
        ) as client:
            assert client.login(key_id, derive_smtp_password(secret, "us-east-1"))[0] == 235
    finally:
        server.stop()


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    running = Server(tmp_path / "data")
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=30) == 0
    output = running.stop()
    assert "Traceback" not in output


def test_a_feedback_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = openses(
            "serve",
            "--data-dir",
            str(tmp_path / "data"),
            "--http",
            f"127.0.0.1:{free_port()}",
            "--smtp",
            "off",
            "--smtps",
            "off",
            "--feedback-smtp",
            f"127.0.0.1:{port}",
        )
    assert done.returncode == 1
    assert f"could not start the feedback SMTP listener on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
