"""What custom verification emails need from the store (a part of
:class:`~openses.services.ports.Tx`).

Templates are kept per account and region. A *verification link* remembers, by the token in
the link that was sent, where following it redirects to: the template's URLs as they were when
the email went out, so editing or deleting the template later does not change a link already
sent (``docs/decisions/0014-custom-verification-emails.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from openses.domain.custom_verification import CustomVerificationTemplate


@dataclass(frozen=True, slots=True)
class StoredCustomVerificationTemplate:
    template: CustomVerificationTemplate
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationLink:
    """A custom verification email's link: its token, whose address it verifies, and where
    following it leads."""

    token: str
    account_id: str
    region: str
    address: str  # the email identity (normalized)
    template_name: str
    success_url: str
    failure_url: str
    created_at: datetime


class CustomVerificationTx(Protocol):
    async def insert_custom_verification_template(
        self, account_id: str, region: str, stored: StoredCustomVerificationTemplate
    ) -> None:
        """Raises :class:`~openses.services.ports.Conflict` if the name is taken."""

    async def get_custom_verification_template(
        self, account_id: str, region: str, name: str
    ) -> StoredCustomVerificationTemplate | None: ...
    async def list_custom_verification_templates(
        self, account_id: str, region: str
    ) -> list[StoredCustomVerificationTemplate]:
        """Sorted by name (code point order)."""

    async def count_custom_verification_templates(self, account_id: str, region: str) -> int: ...
    async def update_custom_verification_template(
        self, account_id: str, region: str, template: CustomVerificationTemplate
    ) -> bool:
        """Replaces every field but the name and creation time; False if there is none."""

    async def delete_custom_verification_template(
        self, account_id: str, region: str, name: str
    ) -> bool: ...
    async def put_verification_link(self, link: VerificationLink) -> None:
        """Creates or replaces the link of ``link.token``."""

    async def get_verification_link(self, token: str) -> VerificationLink | None: ...
    async def delete_verification_links_before(self, created_before: datetime) -> int:
        """Forget links sent before ``created_before``; how many were forgotten."""
