"""The DNS checks of DKIM setups (SES's "DKIM verification status").

* Easy DKIM: all three ``<token>._domainkey.<domain>`` are CNAMEs to ``<token>.<zone>``;
* BYODKIM: a TXT record at ``<selector>._domainkey.<domain>`` publishes the public half of the
  owner's key;
* a Deterministic Easy DKIM replica: its parent's Easy DKIM has succeeded.

Only pending checks (``PENDING``, ``TEMPORARY_FAILURE``) look anything up; a DNS failure makes
them ``TEMPORARY_FAILURE`` and 72 hours without the records ``FAILED`` (see
:meth:`DkimSettings.checked`). A domain whose DKIM setup succeeds is verified.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from openses.domain.dkim.keys import record_publishes
from openses.domain.dkim.settings import CHECKED_STATUSES, DkimSettings, DkimStatus
from openses.domain.identities import IdentityKind, VerifiedBy
from openses.services.dkim_keys import KeyCache
from openses.services.identities import LookupFailure
from openses.services.ports import Store, Tx


class DkimResolver(Protocol):
    async def txt(self, name: str) -> list[str]: ...
    async def cname(self, name: str) -> list[str]: ...


class DkimChecks:
    def __init__(self, store: Store, resolver: DkimResolver, keys: KeyCache, zone: str) -> None:
        self.store = store
        self.resolver = resolver
        self.keys = keys
        self.zone = zone

    async def check_pending(self, now: datetime, limit: int = 100) -> int:
        """One pass over the pending checks; how many DKIM setups were found in DNS."""
        async with self.store.transaction(read_only=True) as tx:
            pending = await tx.pending_dkim(limit)
        succeeded = 0
        for settings in pending:
            if (await self.check(settings, now)).status is DkimStatus.SUCCESS:
                succeeded += 1
        return succeeded

    async def check(self, settings: DkimSettings, now: datetime) -> DkimSettings:
        """Look for the records of pending settings now and record the outcome (unless the
        settings changed meanwhile: that change wins)."""
        if settings.origin is None or settings.status not in CHECKED_STATUSES:
            return settings.as_of(now)
        try:
            found: bool | None = await self._records_found(settings)
        except LookupFailure:
            found = None
        updated = settings.checked(found, now)
        async with self.store.transaction() as tx:
            latest = await tx.lock_dkim(settings.account_id, settings.region, settings.identity)
            if latest != settings:
                return updated
            await tx.put_dkim(updated)
            if updated.status is DkimStatus.SUCCESS:
                await _verify_domain(tx, updated, now)
        return updated

    async def _records_found(self, settings: DkimSettings) -> bool:
        domain = settings.identity
        if settings.easy:
            for token in settings.selectors:
                wanted = f"{token}.{self.zone}"
                targets = await self.resolver.cname(f"{token}._domainkey.{domain}")
                if wanted not in (target.rstrip(".").lower() for target in targets):
                    return False
            return True
        if settings.external:
            key = self.keys.private_key(settings.signing_key or "")
            records = await self.resolver.txt(f"{settings.selectors[0]}._domainkey.{domain}")
            return any(record_publishes(record, key) for record in records)
        parent_region = settings.replica_of
        if parent_region is None:
            return False
        async with self.store.transaction(read_only=True) as tx:
            parent = await tx.get_dkim(settings.account_id, parent_region, domain)
        return parent is not None and parent.easy and parent.status is DkimStatus.SUCCESS


async def _verify_domain(tx: Tx, settings: DkimSettings, now: datetime) -> None:
    """A domain whose DKIM records were found is verified (how SES v2 domains verify)."""
    identity = await tx.get_identity(settings.account_id, settings.region, settings.identity)
    if identity is not None and identity.kind is IdentityKind.DOMAIN and not identity.verified:
        await tx.put_identity(identity.verify(now, VerifiedBy.DNS))
