"""``openses serve --dkim-ed25519``: a domain set up over the API gets an Ed25519 key under its
second token, which the process's DKIM zone publishes as ``k=ed25519`` beside the RSA key."""

from __future__ import annotations

import time
from pathlib import Path

import boto3
import dns.message
import dns.query
import pytest

from tests.support.openses_server import free_port
from tests.wire.dns.test_serve_dns import ROOT, serve, stop

ZONE = "dkim.ed25519.test"


def test_the_served_zone_publishes_the_ed25519_key(tmp_path: Path) -> None:
    http, dns_port = free_port(), free_port()
    process = serve(
        tmp_path,
        *("--http", f"127.0.0.1:{http}", "--smtp", "off", "--smtps", "off"),
        *("--dns", f"127.0.0.1:{dns_port}", "--dkim-zone", ZONE, "--dkim-ed25519"),
    )
    lines: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if not line or "AWS API listening on" in line:
                break
        assert any("AWS API listening on" in line for line in lines), "".join(lines)
        ses = boto3.client(
            "ses",
            endpoint_url=f"http://127.0.0.1:{http}",
            region_name="us-east-1",
            aws_access_key_id=ROOT["OPENSES_ROOT_ACCESS_KEY_ID"],
            aws_secret_access_key=ROOT["OPENSES_ROOT_SECRET_ACCESS_KEY"],
        )
        tokens = ses.verify_domain_dkim(Domain="ed.example")["DkimTokens"]
        records = []
        for token in tokens:
            query = dns.message.make_query(f"{token}.{ZONE}", "TXT")
            answer = dns.query.udp(query, "127.0.0.1", port=dns_port, timeout=3)
            records.append(
                [b"".join(rdata.strings).decode() for rrset in answer.answer for rdata in rrset]
            )
        assert records[0][0].startswith("v=DKIM1; k=rsa; p=")
        assert records[1][0].startswith("v=DKIM1; k=ed25519; p=")
        assert records[2] == []  # the third token's slot is free for key-length changes
    finally:
        stop(process)


def test_a_variable_that_is_no_boolean_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENSES_DKIM_ED25519", "maybe")
    process = serve(tmp_path)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 2
    assert "OPENSES_DKIM_ED25519 (--dkim-ed25519) must be true or false" in output
