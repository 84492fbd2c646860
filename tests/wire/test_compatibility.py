"""The compatibility page and the rule it shares with the dispatcher (no server needed)."""

from __future__ import annotations

import sys
import types

import pytest

from openses.api import compatibility
from openses.api.compatibility import render
from openses.api.dispatch import implemented_operations, method_name
from openses.api.protocol import ServiceRegistry
from tests.wire.fakes import HANDLER_CLASSES, FakeSes, FakeSesV2


@pytest.fixture(scope="module")
def registry() -> ServiceRegistry:
    return ServiceRegistry()


def test_method_names_follow_botocore() -> None:
    assert method_name("GetSendQuota") == "get_send_quota"
    assert method_name("PutEmailIdentityDkimSigningAttributes") == (
        "put_email_identity_dkim_signing_attributes"
    )


def test_implemented_operations_are_the_async_methods(registry: ServiceRegistry) -> None:
    found = implemented_operations(FakeSes, registry.service("ses"))

    assert found == [
        "DeleteIdentity",
        "GetSendQuota",
        "GetSendStatistics",
        "ListIdentities",
        "SendEmail",
        "VerifyEmailIdentity",
    ]
    assert "ListTemplates" not in found  # a plain (not async) method does not count


def test_render_lists_every_operation_of_every_api(registry: ServiceRegistry) -> None:
    page = render(HANDLER_CLASSES, registry)

    sections = [line for line in page.splitlines() if line.startswith("## ")]
    assert sections == ["## SES v1", "## SESv2", "## IAM", "## STS"]
    for name in ("ses", "sesv2", "iam", "sts"):
        for operation in registry.service(name).operation_names:
            assert f"| {operation} |" in page
    assert "API version 2010-12-01, Query (XML): **6 of 71** operations implemented." in page
    sesv2 = registry.service("sesv2")
    implemented = len(implemented_operations(FakeSesV2, sesv2))
    assert f"**{implemented} of {len(sesv2.operation_names)}**" in page


def test_render_shows_the_answer_of_an_unsupported_operation(registry: ServiceRegistry) -> None:
    page = render(HANDLER_CLASSES, registry)

    assert "| GetSendQuota | ✅ implemented |" in page
    assert "| ListTemplates | not supported (`InvalidAction`, HTTP 400) |" in page
    assert "| GetAccount | ✅ implemented |" in page
    assert "| ListEmailTemplates | not supported (`NotImplementedException`, HTTP 501) |" in page


def test_an_api_without_handlers_is_listed_as_unsupported(registry: ServiceRegistry) -> None:
    page = render({"ses": FakeSes}, registry)

    sts = registry.service("sts")
    assert f"**0 of {len(sts.operation_names)}**" in page
    assert "| GetCallerIdentity | not supported (`InvalidAction`, HTTP 400) |" in page


def test_main_prints_the_page(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = types.ModuleType("fake_handlers")
    module.HANDLER_CLASSES = HANDLER_CLASSES  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_handlers", module)
    monkeypatch.setattr(compatibility, "HANDLERS_MODULE", "fake_handlers")

    compatibility.main()

    out = capsys.readouterr().out
    assert out.startswith("# API compatibility\n")
    assert "| GetSendQuota | ✅ implemented |" in out


def test_main_without_handlers_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compatibility, "HANDLERS_MODULE", "openses.api.no_such_handlers")

    with pytest.raises(SystemExit, match=r"openses\.api\.no_such_handlers does not exist yet"):
        compatibility.main()


def test_main_without_a_handler_table_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "empty_handlers", types.ModuleType("empty_handlers"))
    monkeypatch.setattr(compatibility, "HANDLERS_MODULE", "empty_handlers")

    with pytest.raises(SystemExit, match="must define HANDLER_CLASSES"):
        compatibility.main()
