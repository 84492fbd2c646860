"""docs/compatibility.md is generated from the real handler classes and must be current."""

from __future__ import annotations

from pathlib import Path

from openses.api.compatibility import render
from openses.api.handlers import HANDLER_CLASSES
from openses.api.protocol import ServiceRegistry

PAGE = Path(__file__).resolve().parents[3] / "docs" / "compatibility.md"


def test_compatibility_page_is_current() -> None:
    expected = render(HANDLER_CLASSES, ServiceRegistry())
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/compatibility.md is stale: run "
        "`.venv/bin/python -m openses.api.compatibility > docs/compatibility.md`"
    )


def test_every_implemented_operation_is_listed_as_such() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for operation in (
        "GetSendQuota",
        "PutIdentityPolicy",
        "CreateEmailIdentityPolicy",
        "CreateUser",
        "SendEmail",
        "SendRawEmail",
    ):
        assert f"| {operation} | ✅ implemented |" in page
    assert "| CreateConfigurationSetTrackingOptions | not supported" in page
