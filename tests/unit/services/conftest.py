"""Services run on a real SQLite store in a temporary directory, with a scripted resolver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openses.domain.policy import parse_caller
from openses.services.identities import LookupFailure
from openses.services.principals import Call, Principal, PrincipalKind
from openses.storage.store import SqlStore, open_store
from openses.storage.urls import database_url

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class ScriptedResolver:
    """TXT answers set by the test; a name mapped to None fails temporarily."""

    def __init__(self) -> None:
        self.records: dict[str, list[str] | None] = {}

    async def txt(self, name: str) -> list[str]:
        answer = self.records.get(name, [])
        if answer is None:
            raise LookupFailure(name)
        return answer


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    opened = await open_store(database_url(tmp_path, None))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def resolver() -> ScriptedResolver:
    return ScriptedResolver()


def root_call(account_id: str, now: datetime = T0, region: str = "us-east-1") -> Call:
    principal = Principal(
        account_id,
        PrincipalKind.ROOT,
        parse_caller(f"arn:aws:iam::{account_id}:root"),
        "AKIATEST",
        user_id=account_id,
    )
    return Call(principal, region, now)
