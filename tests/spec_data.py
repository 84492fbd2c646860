"""The team's reference material in ../shared, loaded for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POLICY_CASES = SHARED / "spec" / "policy-cases.json"


def load_policy_cases() -> list[dict[str, Any]]:
    """The documented SES policy examples (``../shared/spec/policy-cases.json``)."""
    if not POLICY_CASES.exists():
        pytest.fail(f"{POLICY_CASES} is missing: the shared spec must sit beside the project")
    cases: list[dict[str, Any]] = json.loads(POLICY_CASES.read_text(encoding="utf-8"))
    return cases
