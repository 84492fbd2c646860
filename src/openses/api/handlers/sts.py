"""STS (Query): who am I."""

from __future__ import annotations

from typing import Any

from openses.api.context import RequestContext
from openses.api.handlers.common import Services


class StsHandlers:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def get_caller_identity(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Always allowed, as in AWS: it needs no permission."""
        principal = ctx.principal
        user_id = principal.user_id or f"{principal.access_key_id}:{principal.service}"
        return {"UserId": user_id, "Account": principal.account_id, "Arn": principal.arn}
