"""Statements of custom verification email templates (per account and region) and of the
links their emails carry (by token)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, select, update

from openses.domain.custom_verification import CustomVerificationTemplate
from openses.services.custom_verification_port import (
    StoredCustomVerificationTemplate,
    VerificationLink,
)
from openses.storage import rows
from openses.storage.schema import custom_verification_templates as templates
from openses.storage.schema import verification_links as links
from openses.storage.statements import Statements


def _template_values(template: CustomVerificationTemplate) -> rows.Values:
    return {
        "from_address": template.from_address,
        "subject": template.subject,
        "content": template.content,
        "success_url": template.success_url,
        "failure_url": template.failure_url,
    }


def _template(row: RowMapping) -> StoredCustomVerificationTemplate:
    return StoredCustomVerificationTemplate(
        CustomVerificationTemplate(
            name=row["name"],
            from_address=row["from_address"],
            subject=row["subject"],
            content=row["content"],
            success_url=row["success_url"],
            failure_url=row["failure_url"],
        ),
        rows.from_ms(row["created_at"]),
    )


def _link(row: RowMapping) -> VerificationLink:
    return VerificationLink(
        token=row["token"],
        account_id=row["account_id"],
        region=row["region"],
        address=row["address"],
        template_name=row["template_name"],
        success_url=row["success_url"],
        failure_url=row["failure_url"],
        created_at=rows.from_ms(row["created_at"]),
    )


class CustomVerificationStatements(Statements):
    """The custom verification methods of the transaction."""

    # ------------------------------------------------------------------ templates

    async def insert_custom_verification_template(
        self, account_id: str, region: str, stored: StoredCustomVerificationTemplate
    ) -> None:
        template = stored.template
        await self._insert_unique(
            templates,
            {
                "account_id": account_id,
                "region": region,
                "name": template.name,
                **_template_values(template),
                "created_at": rows.to_ms(stored.created_at),
            },
            f"custom verification email template {template.name}",
        )

    async def get_custom_verification_template(
        self, account_id: str, region: str, name: str
    ) -> StoredCustomVerificationTemplate | None:
        row = await self._first(
            templates,
            templates.c.account_id == account_id,
            templates.c.region == region,
            templates.c.name == name,
        )
        return None if row is None else _template(row)

    async def list_custom_verification_templates(
        self, account_id: str, region: str
    ) -> list[StoredCustomVerificationTemplate]:
        result = await self._conn.execute(
            select(templates)
            .where(templates.c.account_id == account_id, templates.c.region == region)
            .order_by(self._ordered(templates.c.name))
        )
        return [_template(row) for row in result.mappings()]

    async def count_custom_verification_templates(self, account_id: str, region: str) -> int:
        return await self._count(
            templates, templates.c.account_id == account_id, templates.c.region == region
        )

    async def update_custom_verification_template(
        self, account_id: str, region: str, template: CustomVerificationTemplate
    ) -> bool:
        result = await self._conn.execute(
            update(templates)
            .where(
                templates.c.account_id == account_id,
                templates.c.region == region,
                templates.c.name == template.name,
            )
            .values(_template_values(template))
        )
        return result.rowcount > 0

    async def delete_custom_verification_template(
        self, account_id: str, region: str, name: str
    ) -> bool:
        deleted = await self._deleted(
            templates,
            templates.c.account_id == account_id,
            templates.c.region == region,
            templates.c.name == name,
        )
        return deleted > 0

    # ---------------------------------------------------------------------- links

    async def put_verification_link(self, link: VerificationLink) -> None:
        await self._upsert(
            links,
            {
                "token": link.token,
                "account_id": link.account_id,
                "region": link.region,
                "address": link.address,
                "template_name": link.template_name,
                "success_url": link.success_url,
                "failure_url": link.failure_url,
                "created_at": rows.to_ms(link.created_at),
            },
            ("token",),
        )

    async def get_verification_link(self, token: str) -> VerificationLink | None:
        row = await self._first(links, links.c.token == token)
        return None if row is None else _link(row)

    async def delete_verification_links_before(self, created_before: datetime) -> int:
        return await self._deleted(links, links.c.created_at < rows.to_ms(created_before))
