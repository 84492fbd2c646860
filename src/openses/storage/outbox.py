"""Statements of the capture outbox: messages and their filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, insert, select

from openses.domain.outbox import CapturedMessage, MessageFilter
from openses.storage import rows
from openses.storage.schema import messages
from openses.storage.statements import PreparedWrite, Statements

_INSERT_MESSAGE = PreparedWrite(
    messages,
    lambda postgres: insert(messages).values(
        {column.name: bindparam(column.name) for column in messages.columns}
    ),
)
#: Rows read per round while filtering messages on list membership (see list_messages).
_MESSAGE_PAGE = 200


class OutboxStatements(Statements):
    """The capture-outbox methods of the transaction."""

    async def insert_message(self, message: CapturedMessage) -> None:
        await self._write(_INSERT_MESSAGE, rows.message_values(message))

    async def list_messages(self, where: MessageFilter) -> list[CapturedMessage]:
        """Newest first (ties by message id, descending), at most ``where.limit``.

        Scalar filters run in SQL. List membership (``identity_arn``, ``recipient``) is
        narrowed in SQL by a substring match on the stored JSON and then checked exactly on
        the decoded lists, reading further pages until ``limit`` matches are found.
        """
        if where.limit <= 0:
            return []
        conditions: list[ColumnElement[bool]] = []
        if where.account_id is not None:
            conditions.append(messages.c.account_id == where.account_id)
        if where.region is not None:
            conditions.append(messages.c.region == where.region)
        if where.source is not None:
            conditions.append(messages.c.source == where.source)
        if where.kind is not None:
            conditions.append(messages.c.kind == where.kind.value)
        if where.identity_arn is not None:
            conditions.append(self._contains(messages.c.identity_arns, where.identity_arn))
        if where.recipient is not None:
            conditions.append(self._contains(messages.c.recipients, where.recipient))
        newest_first = (
            messages.c.created_at.desc(),
            self._ordered(messages.c.message_id).desc(),
        )
        if where.identity_arn is None and where.recipient is None:
            result = await self._conn.execute(
                select(messages).where(*conditions).order_by(*newest_first).limit(where.limit)
            )
            return [rows.message_record(row) for row in result.mappings()]
        # Find the ids on the light columns first: the raw messages are read for matches only.
        candidates = (
            select(messages.c.message_id, messages.c.recipients, messages.c.identity_arns)
            .where(*conditions)
            .order_by(*newest_first)
        )
        wanted: list[str] = []
        offset = 0
        while len(wanted) < where.limit:
            result = await self._conn.execute(candidates.limit(_MESSAGE_PAGE).offset(offset))
            page = result.all()
            wanted.extend(
                message_id
                for message_id, recipients, identity_arns in page
                if _member_matches(where, recipients, identity_arns)
            )
            if len(page) < _MESSAGE_PAGE:
                break
            offset += _MESSAGE_PAGE
        wanted = wanted[: where.limit]
        found: dict[str, CapturedMessage] = {}
        for start in range(0, len(wanted), _MESSAGE_PAGE):
            result = await self._conn.execute(
                select(messages).where(
                    messages.c.message_id.in_(wanted[start : start + _MESSAGE_PAGE])
                )
            )
            for row in result.mappings():
                found[row["message_id"]] = rows.message_record(row)
        return [found[message_id] for message_id in wanted if message_id in found]

    def _contains(self, json_list: ColumnElement[Any], value: str) -> ColumnElement[bool]:
        # A code-point substring search (LIKE would ignore ASCII case on SQLite).
        needle = rows.json_element(value)
        if self._postgres:
            return func.strpos(json_list, needle) > 0
        return func.instr(json_list, needle) > 0

    async def get_message(self, message_id: str) -> CapturedMessage | None:
        row = await self._first(messages, messages.c.message_id == message_id)
        return None if row is None else rows.message_record(row)

    async def delete_messages(self) -> int:
        return await self._deleted(messages)


def _member_matches(where: MessageFilter, recipients: str, identity_arns: str) -> bool:
    """Whether the stored JSON lists hold the filter's values as whole elements."""
    if where.identity_arn is not None and where.identity_arn not in rows.json_string_list(
        identity_arns
    ):
        return False
    return where.recipient is None or where.recipient in rows.json_string_list(recipients)
