"""The Ed25519 key Easy DKIM identities sign with beside their RSA key when the operator turns
``--dkim-ed25519`` on (the slot rules are :mod:`openses.domain.dkim.slots`).

Identities set up while the option is on get the key with their tokens; those set up before get
it the first time delivery asks for their keys (:meth:`Ed25519Keys.ensure`). That first write
locks the settings row and looks again, so concurrent first calls — in this process or on other
nodes sharing the store — store one key and all sign with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from openses.domain.dkim import SigningKey
from openses.domain.dkim.settings import DkimSettings
from openses.domain.dkim.slots import (
    ed25519_placement,
    ed25519_slot,
    rotation_slot,
    with_ed25519,
)
from openses.services.dkim_keys import KeyCache, generate_ed25519_key
from openses.services.dkim_zone import ZoneRecords
from openses.services.ports import Store


class Ed25519Keys:
    def __init__(
        self,
        store: Store,
        keys: KeyCache,
        zone_records: ZoneRecords,
        clock: Callable[[], datetime],
        generate_key: Callable[[], str] = generate_ed25519_key,
    ) -> None:
        self.store = store
        self.keys = keys
        self.zone_records = zone_records
        self.clock = clock
        self._generate_key = generate_key

    def added(self, settings: DkimSettings, now: datetime) -> DkimSettings:
        """New Easy DKIM settings with an Ed25519 key in a free slot (for setup)."""
        return with_ed25519(settings, self._generate_key(), now, self.keys.algorithm)

    def rotation_slot(self, settings: DkimSettings, now: datetime) -> int:
        """Where a key-length change puts the new RSA key (keeping the Ed25519 key's slot)."""
        return rotation_slot(settings, now, self.keys.algorithm)

    def signing_key(
        self, settings: DkimSettings, account_id: str, region: str, domain: str
    ) -> SigningKey | None:
        """The Ed25519 key of ``settings`` (Easy DKIM) signing for ``domain``, if it has one."""
        slot = ed25519_slot(settings, self.keys.algorithm)
        pem = None if slot is None else settings.private_keys[slot]
        if slot is None or pem is None:
            return None
        return self.keys.signing_key(account_id, region, domain, settings.selectors[slot], pem)

    async def ensure(self, settings: DkimSettings) -> DkimSettings:
        """``settings`` with an Ed25519 key, made and stored now if they have none and a slot
        may take one; the settings as stored afterwards (another caller's key, if it was
        first), or ``settings`` unchanged when nothing could be added."""
        now = self.clock()
        if ed25519_placement(settings, now, self.keys.algorithm) is None:
            return settings
        pem = self._generate_key()
        async with self.store.transaction() as tx:
            stored = await tx.lock_dkim(settings.account_id, settings.region, settings.identity)
            if stored is None or not stored.easy:
                return settings
            updated = with_ed25519(stored, pem, now, self.keys.algorithm)
            if updated is not stored:
                await tx.put_dkim(updated)
        self.zone_records.forget(updated.selectors)
        return updated
