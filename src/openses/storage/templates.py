"""Statements of email templates (per account and region)."""

from __future__ import annotations

from sqlalchemy import RowMapping, select, update

from openses.domain.templates import EmailTemplate
from openses.services.ports import StoredTemplate
from openses.storage import rows
from openses.storage.schema import templates
from openses.storage.statements import Statements


def _record(row: RowMapping) -> StoredTemplate:
    return StoredTemplate(
        EmailTemplate(row["name"], row["subject"], row["text"], row["html"]),
        rows.from_ms(row["created_at"]),
    )


class TemplateStatements(Statements):
    """The template methods of the transaction."""

    async def insert_template(self, account_id: str, region: str, stored: StoredTemplate) -> None:
        template = stored.template
        await self._insert_unique(
            templates,
            {
                "account_id": account_id,
                "region": region,
                "name": template.name,
                "subject": template.subject,
                "text": template.text,
                "html": template.html,
                "created_at": rows.to_ms(stored.created_at),
            },
            f"template {template.name}",
        )

    async def get_template(self, account_id: str, region: str, name: str) -> StoredTemplate | None:
        row = await self._first(
            templates,
            templates.c.account_id == account_id,
            templates.c.region == region,
            templates.c.name == name,
        )
        return None if row is None else _record(row)

    async def list_templates(self, account_id: str, region: str) -> list[StoredTemplate]:
        result = await self._conn.execute(
            select(templates)
            .where(templates.c.account_id == account_id, templates.c.region == region)
            .order_by(self._ordered(templates.c.name))
        )
        return [_record(row) for row in result.mappings()]

    async def count_templates(self, account_id: str, region: str) -> int:
        return await self._count(
            templates, templates.c.account_id == account_id, templates.c.region == region
        )

    async def update_template(self, account_id: str, region: str, template: EmailTemplate) -> bool:
        result = await self._conn.execute(
            update(templates)
            .where(
                templates.c.account_id == account_id,
                templates.c.region == region,
                templates.c.name == template.name,
            )
            .values(subject=template.subject, text=template.text, html=template.html)
        )
        return result.rowcount > 0

    async def delete_template(self, account_id: str, region: str, name: str) -> bool:
        deleted = await self._deleted(
            templates,
            templates.c.account_id == account_id,
            templates.c.region == region,
            templates.c.name == name,
        )
        return deleted > 0
