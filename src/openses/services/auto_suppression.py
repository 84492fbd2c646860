"""Filling the sending account's suppression list from its own bounces and complaints."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from openses.domain.feedback_settings import (
    FeedbackSettingError,
    Suppression,
    SuppressionReason,
    suppression_address,
)
from openses.domain.outbox import CapturedMessage
from openses.services.ports import Tx


class AccountSuppressionList:
    """The :class:`Suppressor` of a running service: the sending account's list, filled for
    the reasons the account (or the send's configuration set, which overrides it) names."""

    async def suppress(
        self,
        tx: Tx,
        message: CapturedMessage,
        *,
        address: str,
        reason: str,
        feedback: str,
        now: datetime,
    ) -> None:
        wanted = SuppressionReason(reason)
        reasons: Collection[SuppressionReason] = await tx.get_suppression_reasons(
            message.account_id, message.region
        )
        if message.configuration_set is not None:
            found = await tx.get_configuration_set(
                message.account_id, message.region, message.configuration_set
            )
            if found is not None and found.suppressed_reasons is not None:
                reasons = found.suppressed_reasons
        if wanted not in reasons:
            return
        try:
            key = suppression_address(address)
        except FeedbackSettingError:
            return  # not an address the list can hold
        await tx.put_suppression(
            Suppression(
                account_id=message.account_id,
                region=message.region,
                email_address=key,
                reason=wanted,
                last_update_time=now,
                message_id=message.message_id,
                feedback_id=feedback,
            )
        )
