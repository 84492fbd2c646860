"""The account-level suppression list of SES v2, per account and region.

The list belongs to the account that *sends* (a delegate's sends are checked against the
delegate's list). Entries are keyed by the address with its domain lower-cased; sends match
them ignoring case (``Tx.suppressed``). Callers add entries by hand (PutSuppressedDestination,
once the account is out of the sandbox, as SES requires) and the feedback side adds them for
hard bounces and complaints (``Tx.put_suppression``) when the account suppresses for that
reason (:func:`suppresses`, with ``Tx.get_suppression_reasons``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from openses.domain.feedback_settings import (
    FeedbackSettingError,
    Suppression,
    SuppressionReason,
    suppression_address,
)
from openses.services.errors import InvalidNextToken, InvalidParameter, NotFound
from openses.services.ports import Store
from openses.services.principals import Call

MAX_PAGE_SIZE = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class SuppressionPage:
    entries: list[Suppression]
    next_token: str | None


class SuppressionService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def put(self, call: Call, address: str, reason: SuppressionReason) -> None:
        """Add (or re-add, with the new reason and time) an address by hand."""
        key = _address(address)
        async with self.store.transaction() as tx:
            account = await tx.get_account(call.account_id)
            if account is None:
                raise NotFound(f"Account {call.account_id} does not exist.")
            if not account.production:
                raise InvalidParameter(
                    "Addresses can be added to the suppression list only once the account "
                    "has production access (it is in the sandbox)."
                )
            await tx.put_suppression(
                Suppression(call.account_id, call.region, key, reason, call.now)
            )

    async def get(self, call: Call, address: str) -> Suppression:
        key = _lookup_key(address)
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.get_suppression(call.account_id, call.region, key)
        if found is None:
            raise NotFound(_not_listed(key))
        return found

    async def delete(self, call: Call, address: str) -> None:
        key = _lookup_key(address)
        async with self.store.transaction() as tx:
            if not await tx.delete_suppression(call.account_id, call.region, key):
                raise NotFound(_not_listed(key))

    async def list(
        self,
        call: Call,
        *,
        reasons: Collection[SuppressionReason] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        token: str | None = None,
        page_size: int | None = None,
    ) -> SuppressionPage:
        """One page, oldest update first; ``token`` continues where the last page ended."""
        size = MAX_PAGE_SIZE if page_size is None else page_size
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidParameter(f"PageSize must be between 1 and {MAX_PAGE_SIZE}.")
        after = None if token is None else _read_token(token)
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.list_suppressions(
                call.account_id,
                call.region,
                reasons=reasons or None,
                start=start,
                end=end,
                after=after,
                limit=size + 1,
            )
        entries = found[:size]
        more = len(found) > size
        return SuppressionPage(entries, _token(entries[-1]) if more else None)

    async def reasons(self, call: Call) -> frozenset[SuppressionReason]:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.get_suppression_reasons(call.account_id, call.region)

    async def set_reasons(self, call: Call, reasons: Collection[SuppressionReason]) -> None:
        """An empty collection turns the account's suppression off (entries are kept)."""
        async with self.store.transaction() as tx:
            await tx.set_suppression_reasons(call.account_id, call.region, frozenset(reasons))


def _address(text: str) -> str:
    try:
        return suppression_address(text)
    except FeedbackSettingError as error:
        raise InvalidParameter(str(error)) from None


def _lookup_key(text: str) -> str:
    """The key to look ``text`` up by: what it would have been stored as (no entry can have
    a key that is not an address, so malformed text simply finds nothing)."""
    try:
        return suppression_address(text)
    except FeedbackSettingError:
        return text.strip()


def _not_listed(address: str) -> str:
    return f"Email address {address} does not exist on your suppression list."


def _token(last: Suppression) -> str:
    text = json.dumps([(last.last_update_time - _EPOCH) // _MS, last.email_address])
    return base64.urlsafe_b64encode(text.encode()).decode()


def _read_token(token: str) -> tuple[datetime, str]:
    try:
        moment, address = json.loads(base64.urlsafe_b64decode(token.encode()))
        if isinstance(moment, int) and isinstance(address, str):
            return _EPOCH + moment * _MS, address
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        pass
    raise InvalidNextToken("The NextToken provided is invalid.")
