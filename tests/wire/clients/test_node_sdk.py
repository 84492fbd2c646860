"""A delegate sends for the owner's identity with the AWS SDK for JavaScript v3 (from npm).

The Node script ``tests/clients/node/delegate-send.mjs`` uses ``@aws-sdk/client-sesv2`` and
``@aws-sdk/client-ses`` as installed by ``scripts/bootstrap`` (``npm ci`` from the committed
lockfile). Without Node or those packages the tests skip, except in CI (``CI=true``), where they
fail: CI must exercise a real non-Python client.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from email import message_from_bytes
from pathlib import Path
from typing import Any, NoReturn

import pytest

from openses.domain.accounts import AccessKey
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World

NODE_CLIENTS = Path(__file__).resolve().parents[2] / "clients" / "node"
SCRIPT = NODE_CLIENTS / "delegate-send.mjs"
PACKAGES = ("@aws-sdk/client-sesv2", "@aws-sdk/client-ses")
MESSAGE_ID = re.compile(r"^01[0-9a-f]{14}-[0-9a-f-]{36}-000000$")
_counter = itertools.count()


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
    pinned = json.loads((NODE_CLIENTS / "package.json").read_text())["dependencies"]
    for package in PACKAGES:
        manifest = NODE_CLIENTS / "node_modules" / package / "package.json"
        if not manifest.is_file():
            _unavailable(f"{package} is not installed in {NODE_CLIENTS / 'node_modules'}")
        installed = json.loads(manifest.read_text())["version"]
        if installed != pinned[package]:
            _unavailable(f"{package} {installed} is installed but {pinned[package]} is pinned")
    return found


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"node{next(_counter)}.example")


def delegate_send(
    node: str, world: World, mode: str, *, key: AccessKey, source: str, arn: str, home: Path
) -> dict[str, Any]:
    """Run the Node delegate in ``mode``; its one JSON line, parsed."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),  # no ~/.aws of the developer's leaks into the SDK's configuration
        "AWS_CONFIG_FILE": str(home / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
        "OPENSES_ENDPOINT": world.openses.base_url,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
        "OPENSES_FROM": source,
        "OPENSES_TO": "someone@example.net",
        "OPENSES_IDENTITY_ARN": arn,
    }
    done = subprocess.run(
        [node, str(SCRIPT), mode],
        env=env,
        cwd=NODE_CLIENTS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"node exited {done.returncode}: {done.stderr}"
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    reply: dict[str, Any] = json.loads(lines[0])
    assert reply["mode"] == mode
    return reply


def root(key: AccessKey) -> str:
    return f"arn:aws:iam::{key.account_id}:root"


def denied(caller: str, action: str, resource: str) -> str:
    return f"User `{caller}' is not authorized to perform `{action}' on resource `{resource}'"


def test_v2_send_email_with_the_owners_identity_arn(
    node: str, world: World, tmp_path: Path
) -> None:
    world.allow({"AWS": world.delegate.account_id})
    reply = delegate_send(
        node,
        world,
        "v2-send",
        key=world.delegate,
        source=f"app@{world.domain}",
        arn=world.arn(),
        home=tmp_path,
    )
    assert "error" not in reply, reply
    sent = reply["messageId"]
    assert MESSAGE_ID.match(sent)
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["caller_arn"] == root(world.delegate)
    assert record["identity_arns"] == [world.arn()]
    assert record["recipients"] == ["someone@example.net"]
    assert record["subject"] == "Hello from Node"
    parsed = message_from_bytes(world.raw(sent))
    assert parsed["Message-ID"] == f"<{sent}@email.amazonses.com>"
    assert parsed["From"] == f"app@{world.domain}"


def test_v1_send_raw_email_with_the_source_arn_header(
    node: str, world: World, tmp_path: Path
) -> None:
    world.allow({"AWS": world.delegate.account_id})
    reply = delegate_send(
        node,
        world,
        "v1-raw",
        key=world.delegate,
        source=f"app@{world.domain}",
        arn=world.arn(),
        home=tmp_path,
    )
    assert "error" not in reply, reply
    sent = reply["messageId"]
    assert MESSAGE_ID.match(sent)
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["caller_arn"] == root(world.delegate)
    assert record["identity_arns"] == [world.arn()]
    assert record["subject"] == "Raw hello from Node"
    stored = world.raw(sent)
    assert b"x-ses-source-arn" not in stored.lower()
    parsed = message_from_bytes(stored)
    assert parsed["X-SES-SOURCE-ARN"] is None
    assert parsed["From"] == f"app@{world.domain}"
    assert parsed["Message-ID"] == f"<{sent}@email.amazonses.com>"


def test_v2_send_without_a_policy_is_access_denied(node: str, world: World, tmp_path: Path) -> None:
    reply = delegate_send(
        node,
        world,
        "v2-send",
        key=world.delegate,
        source=f"app@{world.domain}",
        arn=world.arn(),
        home=tmp_path,
    )
    assert reply["error"] == {
        "name": "AccessDeniedException",
        "httpStatusCode": 403,
        "message": denied(root(world.delegate), "ses:SendEmail", world.arn()),
    }


def test_v1_raw_send_without_a_policy_is_access_denied(
    node: str, world: World, tmp_path: Path
) -> None:
    reply = delegate_send(
        node,
        world,
        "v1-raw",
        key=world.delegate,
        source=f"app@{world.domain}",
        arn=world.arn(),
        home=tmp_path,
    )
    assert reply["error"] == {
        "name": "AccessDenied",
        "httpStatusCode": 403,
        "message": denied(root(world.delegate), "ses:SendRawEmail", world.arn()),
    }
