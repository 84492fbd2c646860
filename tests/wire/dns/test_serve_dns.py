"""``openses serve --dns … --dkim-zone …``: the DKIM zone served by the real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import dns.message
import dns.query
import dns.rcode
import pytest

from tests.support.openses_server import free_port

ZONE = "dkim.example.test"
ROOT = {
    "OPENSES_ROOT_ACCOUNT_ID": "123456789012",
    "OPENSES_ROOT_ACCESS_KEY_ID": "AKIADKIMZONETEST0001",
    "OPENSES_ROOT_SECRET_ACCESS_KEY": "dkim-zone-test-secret-0000000000000000000",
    "OPENSES_FEEDBACK_SMTP": "off",
}


def serve(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "openses", "serve", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **ROOT},
    )


def stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.terminate()
    output, _ = process.communicate(timeout=30)
    return output or ""


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[str, tuple[str, int]]]:
    http, dns_port = free_port(), free_port()
    process = serve(
        tmp_path,
        "--http",
        f"127.0.0.1:{http}",
        "--smtp",
        "off",
        "--smtps",
        "off",
        "--dns",
        f"127.0.0.1:{dns_port}",
        "--dkim-zone",
        ZONE.upper() + ".",
    )
    lines: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "AWS API listening on" in line:
            break
    try:
        expected = f"DNS for the DKIM zone {ZONE} listening on 127.0.0.1:{dns_port} (UDP and TCP)"
        assert any(expected in line for line in lines), "".join(lines)
        yield f"http://127.0.0.1:{http}", ("127.0.0.1", dns_port)
    finally:
        stop(process)


def test_the_served_zone_publishes_easy_dkim_keys(
    running: tuple[str, tuple[str, int]],
) -> None:
    url, (host, port) = running
    ses = boto3.client(
        "ses",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=ROOT["OPENSES_ROOT_ACCESS_KEY_ID"],
        aws_secret_access_key=ROOT["OPENSES_ROOT_SECRET_ACCESS_KEY"],
    )
    tokens = ses.verify_domain_dkim(Domain="served.example")["DkimTokens"]
    sesv2 = boto3.client(
        "sesv2",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=ROOT["OPENSES_ROOT_ACCESS_KEY_ID"],
        aws_secret_access_key=ROOT["OPENSES_ROOT_SECRET_ACCESS_KEY"],
    )
    zone = sesv2.get_email_identity(EmailIdentity="served.example")["DkimAttributes"]
    assert zone["SigningHostedZone"] == ZONE
    query = dns.message.make_query(f"{tokens[0]}.{ZONE}", "TXT")
    for answer in (
        dns.query.udp(query, host, port=port, timeout=3),
        dns.query.tcp(query, host, port=port, timeout=3),
    ):
        texts = [b"".join(rdata.strings).decode() for rrset in answer.answer for rdata in rrset]
        assert len(texts) == 1
        assert texts[0].startswith("v=DKIM1; k=rsa; p=MIIBIjAN")  # a 2048-bit key
    unknown = dns.message.make_query(f"unknown.{ZONE}", "TXT")
    assert dns.query.udp(unknown, host, port=port, timeout=3).rcode() == dns.rcode.NXDOMAIN


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--dns", "nonsense"], "--dns must be HOST:PORT", id="bad-dns"),
        pytest.param(
            ["--dkim-zone", "bad..zone"], "--dkim-zone must be a DNS domain name", id="bad-zone"
        ),
        pytest.param(["--dkim-zone", "single"], "--dkim-zone must be", id="one-label"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    process = serve(tmp_path, *args)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 2
    assert message in output


def test_a_taken_dns_port_stops_the_start(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        process = serve(
            tmp_path,
            "--http",
            f"127.0.0.1:{free_port()}",
            "--smtp",
            "off",
            "--smtps",
            "off",
            "--dns",
            f"127.0.0.1:{port}",
        )
        output = process.communicate(timeout=60)[0]
    assert process.returncode == 1
    assert f"could not serve DNS on 127.0.0.1:{port}" in output
