"""The dispatcher finds each operation's method once and keeps finding the same one."""

from __future__ import annotations

from typing import Any

from openses.api.dispatch import Dispatcher


class _Handlers:
    async def get_send_quota(self, ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        return {}

    def list_identities(self, ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
        return {}  # not async: not a handler method


def test_methods_are_found_by_name_and_kept() -> None:
    handlers = _Handlers()
    dispatcher = Dispatcher({"ses": handlers})
    for _ in range(2):
        method = dispatcher.method("ses", "GetSendQuota")
        assert method is not None
        assert method.__self__ is handlers  # type: ignore[attr-defined]
        assert dispatcher.method("ses", "ListIdentities") is None
        assert dispatcher.method("ses", "SendPigeon") is None
        assert dispatcher.method("sns", "GetSendQuota") is None
    assert dispatcher.method("ses", "GetSendQuota") == dispatcher.method("ses", "GetSendQuota")
