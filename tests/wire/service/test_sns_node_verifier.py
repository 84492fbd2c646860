"""SNS messages from OpenSES pass AWS's own verifier for JavaScript (npm ``sns-validator``).

The verifier insists that ``SigningCertURL`` is ``https`` and matches a host pattern, and
fetches the certificate itself; so this OpenSES serves HTTPS (a self-signed certificate that
Node is told to trust) with an ``https://127.0.0.1:<port>`` public URL, as a deployment behind
TLS would. Without Node or the package the tests skip, except in CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.support.openses_server import Running
from tests.wire.service.sns_world import Endpoint, deliver, serve_openses_https, verify_signature

NODE_CLIENTS = Path(__file__).resolve().parents[2] / "clients" / "node"
SCRIPT = NODE_CLIENTS / "sns-verify.mjs"
PACKAGE = "sns-validator"


def _unavailable(reason: str) -> NoReturn:
    message = f"{reason}; run scripts/bootstrap with Node.js 20+ and npm installed"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        _unavailable("node is not on PATH")
    pinned = json.loads((NODE_CLIENTS / "package.json").read_text())["dependencies"][PACKAGE]
    manifest = NODE_CLIENTS / "node_modules" / PACKAGE / "package.json"
    if not manifest.is_file():
        _unavailable(f"{PACKAGE} is not installed in {NODE_CLIENTS / 'node_modules'}")
    installed = json.loads(manifest.read_text())["version"]
    if installed != pinned:
        _unavailable(f"{PACKAGE} {installed} is installed but {pinned} is pinned")
    return found


@pytest.fixture(scope="module")
def https_openses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, Path]]:
    with serve_openses_https(tmp_path_factory.mktemp("https")) as served:
        yield served


def trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def node_verify(node: str, cert: Path, base_url: str, bodies: list[str]) -> list[dict[str, Any]]:
    port = base_url.rsplit(":", 1)[1]
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(bodies),
        env={
            "PATH": os.environ.get("PATH", ""),
            "NODE_EXTRA_CA_CERTS": str(cert),
            "OPENSES_SNS_HOST_PATTERN": f"^127\\.0\\.0\\.1:{port}$",
        },
        cwd=NODE_CLIENTS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"node exited {done.returncode}: {done.stderr}"
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_aws_verifier_accepts_confirmations_and_notifications(
    node: str, https_openses: tuple[Running, Path]
) -> None:
    openses, cert = https_openses
    key = openses.new_account()
    client = boto3.client(
        "sns",
        endpoint_url=openses.base_url,
        region_name="us-east-1",
        aws_access_key_id=key.access_key_id,
        aws_secret_access_key=key.secret_access_key,
        verify=str(cert),
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    topic = client.create_topic(Name="verified")["TopicArn"]
    with Endpoint() as endpoint:
        client.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
        deliver(openses)
        confirmation = endpoint.next().body
        subscribe_url = json.loads(confirmation)["SubscribeURL"]
        assert subscribe_url.startswith(f"{openses.base_url}/sns/?Action=ConfirmSubscription")
        assert httpx.get(subscribe_url, verify=trusting(cert)).status_code == 200
        client.publish(TopicArn=topic, Message="signed, version 1", Subject="v1")
        deliver(openses)
        first = endpoint.next().body
        client.set_topic_attributes(
            TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2"
        )
        client.publish(TopicArn=topic, Message='{"signed": "version 2"}')
        deliver(openses)
        second = endpoint.next().body

    bodies = [confirmation, first, second]
    for body in bodies:
        verify_signature(json.loads(body), verify=trusting(cert))
    assert node_verify(node, cert, openses.base_url, bodies) == [
        {"ok": True, "type": "SubscriptionConfirmation"},
        {"ok": True, "type": "Notification"},
        {"ok": True, "type": "Notification"},
    ]

    tampered = json.loads(first)
    tampered["Message"] = "changed on the way"
    wrong_host = json.loads(first)
    wrong_host["SigningCertURL"] = re.sub(
        r"127\.0\.0\.1:\d+", "127.0.0.1:1", wrong_host["SigningCertURL"]
    )
    replies = node_verify(
        node, cert, openses.base_url, [json.dumps(tampered), json.dumps(wrong_host)]
    )
    assert replies == [
        {"ok": False, "error": "The message signature is invalid."},
        {"ok": False, "error": "The certificate is located on an invalid domain."},
    ]
