"""What the operator's DKIM zone publishes: ``<token>.<zone> TXT`` -> the public key record of
that Easy DKIM token's key.

Answers are looked up in the store through the token index and kept for
:data:`ZONE_CACHE_SECONDS`; a change made through this process's :class:`DkimService` drops the
tokens it touched at once, so only other nodes' changes wait for the cache (DNS caches
elsewhere wait for the record's TTL anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from openses.domain.dkim import public_key_record
from openses.services.dkim_keys import KeyCache
from openses.services.ports import Store

ZONE_CACHE_SECONDS = 30
_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class ZoneEntry:
    """A token the zone knows: its public key record (None while its slot holds no key)."""

    record: str | None


class ZoneRecords:
    def __init__(self, store: Store, keys: KeyCache) -> None:
        self.store = store
        self.keys = keys
        self._cache: dict[str, tuple[datetime, ZoneEntry | None]] = {}

    async def lookup(self, token: str, now: datetime) -> ZoneEntry | None:
        """The entry of ``token`` (any case), or None for a token no identity has."""
        token = token.lower()
        cached = self._cache.get(token)
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.store.transaction(read_only=True) as tx:
            settings = await tx.find_dkim_by_token(token)
        entry: ZoneEntry | None = None
        if settings is not None and token in settings.selectors:
            pem = settings.private_keys[settings.selectors.index(token)]
            entry = ZoneEntry(
                None if pem is None else public_key_record(self.keys.private_key(pem))
            )
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache.clear()
        self._cache[token] = (now + timedelta(seconds=ZONE_CACHE_SECONDS), entry)
        return entry

    def forget(self, tokens: Iterable[str]) -> None:
        for token in tokens:
            self._cache.pop(token.lower(), None)
