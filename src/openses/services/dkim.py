"""DKIM for identities: Easy DKIM and BYODKIM setup, the signing switch, the attributes the APIs
show, and the keys delivery signs with.

* Easy DKIM: three tokens; the owner publishes ``<token>._domainkey.<domain> CNAME
  <token>.<zone>`` for each, and the operator's DKIM zone (``openses.dns``, fed by
  :class:`~openses.services.dkim_zone.ZoneRecords`) publishes each token's public key. One
  token's key signs; a key-length change puts a new key under the next token and signs with it,
  the old key staying published for mail in transit.
* With the operator's ``--dkim-ed25519`` option, Easy DKIM also signs with an Ed25519 key kept
  in one of the three token slots (:mod:`~openses.services.dkim_ed25519`): every message then
  carries an RSA signature, then an Ed25519 one.
* BYODKIM (``EXTERNAL``): the owner's selector and RSA key; the owner publishes the TXT record.
* Deterministic Easy DKIM replicas (``AWS_SES_<REGION>``) use the Easy DKIM of the same domain
  of the same account in the parent region.

Settings apply from the most specific identity that has some (address over subdomain over
domain); an address or subdomain may hold just the signing switch. DNS checks
(:mod:`~openses.services.dkim_checks`) run when the owner looks and in the background; a domain
whose records are found is verified, which is how SES v2 domains verify.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from openses.domain.dkim import SigningKey
from openses.domain.dkim.settings import (
    DEFAULT_KEY_LENGTH,
    EASY_DKIM,
    EXTERNAL,
    DkimSettings,
    DkimStatus,
    easy_dkim,
    effective,
    external_dkim,
    key_length_problem,
    replica_dkim,
    replica_region,
    rotated,
    switch_only,
)
from openses.domain.identities import (
    Identity,
    IdentityKind,
    covering_identities,
    is_address_identity,
    normalize_identity,
)
from openses.services.dkim_checks import DkimChecks, DkimResolver
from openses.services.dkim_ed25519 import Ed25519Keys
from openses.services.dkim_keys import KeyCache, easy_dkim_tokens, generate_rsa_key
from openses.services.dkim_zone import ZoneEntry, ZoneRecords
from openses.services.errors import InvalidParameter, NotFound
from openses.services.identities import IdentitiesService, own_identity_name
from openses.services.ports import Store
from openses.services.principals import Call


@dataclass(frozen=True, slots=True)
class SigningPlan:
    """How an owner asked DKIM to be set up (parsed and checked by the API edge)."""

    origin: str  # AWS_SES, EXTERNAL, or AWS_SES_<REGION>
    key_length: int | None = None  # Easy DKIM: the length asked for, if any
    selector: str | None = None  # BYODKIM
    key_pem: str | None = None  # BYODKIM, already checked


@dataclass(frozen=True, slots=True)
class DkimView:
    """The DKIM attributes of one identity as the APIs show them."""

    signing_enabled: bool
    status: DkimStatus
    tokens: tuple[str, ...]  # Easy DKIM tokens, or the BYODKIM selector
    origin: str | None = None
    current_key_length: int | None = None
    next_key_length: int | None = None
    key_generated_at: datetime | None = None


class DkimService:
    def __init__(
        self,
        store: Store,
        resolver: DkimResolver,
        identities: IdentitiesService,
        *,
        zone: str,
        ed25519: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        generate_key: Callable[[int], str] = generate_rsa_key,
        new_tokens: Callable[[], tuple[str, ...]] = easy_dkim_tokens,
    ) -> None:
        """``ed25519``: Easy DKIM signs with an Ed25519 key too (``--dkim-ed25519``);
        ``clock`` tells the time when delivery asks for keys (it passes none)."""
        self.store = store
        self.identities = identities
        self.zone = zone.rstrip(".").lower()
        self.ed25519 = ed25519
        self._generate_key = generate_key
        self._new_tokens = new_tokens
        self._keys = KeyCache()
        self.checks = DkimChecks(store, resolver, self._keys, self.zone)
        self.zone_records = ZoneRecords(store, self._keys)
        self.ed25519_keys = Ed25519Keys(store, self._keys, self.zone_records, clock)

    # ------------------------------------------------------------------- set up

    async def verify_domain_dkim(self, call: Call, domain: str) -> tuple[str, ...]:
        """SES v1 ``VerifyDomainDkim``: the domain as an identity (created or restarted) with
        Easy DKIM (kept if it has it, a failed check restarted); its tokens."""
        identity = await self.identities.verify_domain(call, domain)
        current = await self._settings(call, identity.name)
        if current is not None and current.easy:
            if current.status is DkimStatus.FAILED:
                await self._write(call, current, current.restarted(call.now))
            return current.tokens
        return (await self._easy(call, identity.name, current, DEFAULT_KEY_LENGTH)).tokens

    async def check_plan(self, call: Call, name: str, plan: SigningPlan | None) -> None:
        """Refuse, before anything is created, a plan v2 ``CreateEmailIdentity`` cannot apply:
        any for an address, a replica of a domain without Easy DKIM in its parent region."""
        if plan is None:
            return
        if is_address_identity(name):
            raise InvalidParameter(
                "DkimSigningAttributes can only be specified for a domain identity."
            )
        if replica_region(plan.origin) is not None:
            await self._parent(call, normalize_identity(name), plan.origin)

    async def set_up_new(self, call: Call, identity: Identity, plan: SigningPlan | None) -> None:
        """DKIM of an identity v2 ``CreateEmailIdentity`` just made: Easy DKIM (2048 bits unless
        the plan says otherwise) for a domain, BYODKIM or a replica if asked; nothing for an
        address (it inherits from its domain)."""
        if identity.kind is IdentityKind.DOMAIN:
            current = await self._settings(call, identity.name)
            await self._apply(call, identity.name, current, plan or SigningPlan(EASY_DKIM))

    async def put_signing_attributes(self, call: Call, name: str, plan: SigningPlan) -> DkimView:
        """SES v2 ``PutEmailIdentityDkimSigningAttributes``."""
        identity = await self._own_identity(call, name)
        if identity.kind is not IdentityKind.DOMAIN:
            raise InvalidParameter("DKIM signing attributes can only be set for a domain identity.")
        await self._apply(call, identity.name, await self._settings(call, identity.name), plan)
        return await self.view(call, name)

    async def set_signing_enabled(self, call: Call, name: str, enabled: bool) -> None:
        """v1 ``SetIdentityDkimEnabled`` / v2 ``PutEmailIdentityDkimAttributes``."""
        identity = await self._own_identity(call, name)
        if identity.kind is IdentityKind.EMAIL_ADDRESS and not await self._domain_has_dkim(
            call, identity.name
        ):
            raise InvalidParameter(
                f"DKIM signing cannot be set for {name}: the domain of the address must be a "
                "verified identity of this account with DKIM set up."
            )
        current = await self._settings(call, identity.name)
        if current is None:
            updated = switch_only(call.account_id, call.region, identity.name, enabled, call.now)
        else:
            updated = replace(current, signing_enabled=enabled, updated_at=call.now)
        await self._write(call, current, updated)

    async def _apply(
        self, call: Call, name: str, current: DkimSettings | None, plan: SigningPlan
    ) -> None:
        if plan.origin == EXTERNAL:
            if plan.selector is None or plan.key_pem is None:
                raise InvalidParameter("BYODKIM needs a signing selector and a private key.")
            base = self._base(call, name, current)
            await self._write(
                call, current, external_dkim(base, plan.selector, plan.key_pem, call.now)
            )
        elif plan.origin != EASY_DKIM:
            parent = await self._parent(call, name, plan.origin)
            base = self._base(call, name, current)
            await self._write(call, current, replica_dkim(base, parent.region, call.now))
        elif current is None or not current.easy:
            await self._easy(call, name, current, plan.key_length or DEFAULT_KEY_LENGTH)
        elif plan.key_length is not None:
            problem = key_length_problem(current, plan.key_length, call.now)
            if problem:
                raise InvalidParameter(problem)
            pem = await asyncio.to_thread(self._generate_key, plan.key_length)
            slot = self.ed25519_keys.rotation_slot(current, call.now) if self.ed25519 else None
            await self._write(
                call, current, rotated(current, pem, plan.key_length, call.now, slot=slot)
            )

    async def _easy(
        self, call: Call, name: str, current: DkimSettings | None, bits: int
    ) -> DkimSettings:
        pem = await asyncio.to_thread(self._generate_key, bits)
        base = self._base(call, name, current)
        updated = easy_dkim(base, self._new_tokens(), pem, bits, call.now)
        if self.ed25519:
            updated = self.ed25519_keys.added(updated, call.now)
        return await self._write(call, current, updated)

    async def _parent(self, call: Call, name: str, origin: str) -> DkimSettings:
        """The Easy DKIM settings a replica of ``name`` with ``origin`` would use."""
        parent_region = replica_region(origin)
        if parent_region is None:
            raise InvalidParameter(f"Unknown DKIM signing attributes origin {origin}.")
        if parent_region == call.region:
            raise InvalidParameter(
                f"{origin} names this region: a replica's parent must be in another region."
            )
        async with self.store.transaction(read_only=True) as tx:
            parent = await tx.get_dkim(call.account_id, parent_region, name)
        if parent is None or not parent.easy:
            raise InvalidParameter(
                f"The parent identity {name} in {parent_region} does not exist or does not use "
                "Easy DKIM."
            )
        return parent

    def _base(self, call: Call, name: str, current: DkimSettings | None) -> DkimSettings:
        """What a new DKIM method starts from: the current switch, or signing on."""
        return current or switch_only(call.account_id, call.region, name, True, call.now)

    async def _write(
        self, call: Call, expected: DkimSettings | None, updated: DkimSettings
    ) -> DkimSettings:
        """Store ``updated`` if the stored settings are still ``expected`` (what it was made
        from: a concurrent change is refused, not overwritten)."""
        name = updated.identity
        async with self.store.transaction() as tx:
            if await tx.get_identity(call.account_id, call.region, name) is None:
                raise NotFound(f"Email identity {name} does not exist.")
            if await tx.lock_dkim(call.account_id, call.region, name) != expected:
                raise InvalidParameter(f"The DKIM settings of {name} changed meanwhile; try again.")
            await tx.put_dkim(updated)
        self.zone_records.forget((expected.selectors if expected else ()) + updated.selectors)
        return updated

    # -------------------------------------------------------------------- views

    async def view(self, call: Call, name: str, *, check: bool = True) -> DkimView:
        """The DKIM attributes of the caller's identity ``name`` (NotFound if there is no such
        identity), pending checks done first unless ``check`` is false."""
        identity = await self._own_identity(call, name)
        return (await self._views(call, [identity], check=check))[identity.name]

    async def views(self, call: Call, names: Sequence[str]) -> dict[str, DkimView]:
        """v1 ``GetIdentityDkimAttributes``: the caller's identities among ``names`` (as given;
        names that are no identity of the caller are left out, as SES does)."""
        wanted = {given: normalize_identity(given) for given in names}
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.get_identities(call.account_id, call.region, list(wanted.values()))
        by_name = await self._views(call, found)
        return {given: by_name[name] for given, name in wanted.items() if name in by_name}

    async def refresh(self, call: Call, names: Sequence[str]) -> None:
        """Do the pending DKIM checks of the caller's identities among ``names`` now (so that a
        domain verified by its DKIM records shows as verified)."""
        normalized = [normalize_identity(name) for name in names]
        async with self.store.transaction(read_only=True) as tx:
            settings = await tx.get_dkims(call.account_id, call.region, normalized)
        for found in settings:
            await self.checks.check(found, call.now)

    async def check_pending(self, now: datetime, limit: int = 100) -> int:
        """One pass of the background checker; how many DKIM setups were found in DNS."""
        return await self.checks.check_pending(now, limit)

    async def _views(
        self, call: Call, identities: Sequence[Identity], *, check: bool = True
    ) -> dict[str, DkimView]:
        names = sorted({n for identity in identities for n in _chain_names(identity)})
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.get_dkims(call.account_id, call.region, names)
        stored = {
            s.identity: await self.checks.check(s, call.now) if check else s.as_of(call.now)
            for s in found
        }
        result: dict[str, DkimView] = {}
        for identity in identities:
            chain = [stored[n] for n in _chain_names(identity) if n in stored]
            enabled, holder = effective(chain)
            if holder is None:
                result[identity.name] = DkimView(enabled, DkimStatus.NOT_STARTED, ())
                continue
            keys = await self._key_holder(holder) or holder
            result[identity.name] = DkimView(
                enabled,
                holder.status,
                holder.selectors if holder.external else keys.tokens,
                holder.origin,
                keys.current_key_length,
                keys.next_key_length,
                keys.key_generated_at,
            )
        return result

    async def _key_holder(self, holder: DkimSettings) -> DkimSettings | None:
        """The settings whose keys ``holder`` signs with: its own, or a replica's parent's
        (None if the parent no longer has Easy DKIM)."""
        parent_region = holder.replica_of
        if parent_region is None:
            return holder
        async with self.store.transaction(read_only=True) as tx:
            parent = await tx.get_dkim(holder.account_id, parent_region, holder.identity)
        return parent if parent is not None and parent.easy else None

    # ----------------------------------------------------------------- delivery

    async def signing_keys(
        self, account_id: str, region: str, from_address: str
    ) -> tuple[SigningKey, ...]:
        """The keys to sign mail From ``from_address`` with, for the identity owner
        ``account_id``: those of the most specific verified identity with DKIM settings that
        covers the address, when its signing is on and its DKIM status is SUCCESS — its RSA
        key, then, with the Ed25519 option and Easy DKIM, its Ed25519 key (made now if the
        identity has none yet)."""
        names = covering_identities(from_address)
        async with self.store.transaction(read_only=True) as tx:
            verified = {
                i.name for i in await tx.get_identities(account_id, region, names) if i.verified
            }
            stored = {s.identity: s for s in await tx.get_dkims(account_id, region, names)}
        enabled, holder = effective([stored[n] for n in names if n in verified and n in stored])
        if not enabled or holder is None or holder.status is not DkimStatus.SUCCESS:
            return ()
        keys = await self._key_holder(holder)
        if keys is None or keys.signing_selector is None or keys.signing_key is None:
            return ()
        rsa = self._keys.signing_key(
            account_id, region, holder.identity, keys.signing_selector, keys.signing_key
        )
        if not self.ed25519 or not keys.easy:
            return (rsa,)
        ed25519 = self.ed25519_keys.signing_key(
            await self.ed25519_keys.ensure(keys), account_id, region, holder.identity
        )
        return (rsa,) if ed25519 is None else (rsa, ed25519)

    async def zone_record(self, token: str, now: datetime) -> ZoneEntry | None:
        """What the DKIM zone answers for ``<token>.<zone>`` (None: no such token)."""
        return await self.zone_records.lookup(token, now)

    # ------------------------------------------------------------------ helpers

    async def _own_identity(self, call: Call, name: str) -> Identity:
        normalized = own_identity_name(call, name)
        async with self.store.transaction(read_only=True) as tx:
            identity = await tx.get_identity(call.account_id, call.region, normalized)
        if identity is None:
            raise NotFound(f"Email identity {name} does not exist.")
        return identity

    async def _settings(self, call: Call, name: str) -> DkimSettings | None:
        async with self.store.transaction(read_only=True) as tx:
            return await tx.get_dkim(call.account_id, call.region, name)

    async def _domain_has_dkim(self, call: Call, address: str) -> bool:
        """Whether a verified domain of the caller covering ``address`` has DKIM set up."""
        domains = [n for n in covering_identities(address) if not is_address_identity(n)]
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.get_identities(call.account_id, call.region, domains)
            verified = sorted(identity.name for identity in found if identity.verified)
            stored = await tx.get_dkims(call.account_id, call.region, verified)
        return any(settings.origin is not None for settings in stored)


def _chain_names(identity: Identity) -> list[str]:
    """The identities whose DKIM settings can apply to ``identity``, most specific first: a
    domain's own, or an address's own and its domains'."""
    if identity.kind is IdentityKind.DOMAIN:
        return [identity.name]
    return covering_identities(identity.name)


__all__ = ["DkimResolver", "DkimService", "DkimView", "SigningPlan", "ZoneEntry"]
