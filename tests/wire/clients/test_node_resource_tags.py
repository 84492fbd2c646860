"""Tags of a configuration set managed with the AWS SDK for JavaScript v3 (from npm), as an
infrastructure-as-code tool manages them: ``tests/clients/node/resource-tags.mjs``.

Without Node or the SDK the test skips, except in CI, where it fails (see ``test_node_sdk``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from openses.domain.accounts import AccessKey
from tests.support.openses_server import Running
from tests.wire.clients.test_node_sdk import NODE_CLIENTS, node

SCRIPT = NODE_CLIENTS / "resource-tags.mjs"
__all__ = ["node"]  # the fixture, shared with test_node_sdk


def test_tags_round_trip_through_the_javascript_sdk(
    node: str, openses: Running, tmp_path: Path
) -> None:
    key: AccessKey = openses.new_account()
    resource_arn = f"arn:aws:ses:us-east-1:{key.account_id}:configuration-set/from-node"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "OPENSES_ENDPOINT": openses.base_url,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
        "OPENSES_SET": "from-node",
        "OPENSES_RESOURCE_ARN": resource_arn,
    }
    done = subprocess.run(
        [node, str(SCRIPT)],
        env=env,
        cwd=NODE_CLIENTS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"node exited {done.returncode}: {done.stderr}"
    assert json.loads(done.stdout) == {
        "created": [
            {"Key": "team", "Value": "mail ops"},
            {"Key": "env", "Value": ""},
            {"Key": "owner", "Value": "ann@shop.example"},
        ],
        "tagged": [
            {"Key": "team", "Value": "mail ops"},
            {"Key": "env", "Value": "prod"},
            {"Key": "owner", "Value": "ann@shop.example"},
            {"Key": "cost/center", "Value": "42"},
        ],
        "untagged": [{"Key": "env", "Value": "prod"}, {"Key": "cost/center", "Value": "42"}],
    }
