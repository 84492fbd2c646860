"""Identities and their sending authorization policies, per account and region.

Nothing is verified instantly (except by the operator's explicit override):

- an email address is verified when its owner follows the link in the verification message,
  which goes out through the service's own outbound path (captured in capture mode), within
  24 hours;
- a domain is verified when the TXT record ``_amazonses.<domain>`` carries its token. Pending
  domains are checked by a background loop and whenever their owner asks for their status; after
  72 hours without the record they are ``Failed``.

Two accounts may hold the same domain pending; each proves it with its own token. Policies are
managed only by the identity's owner (the calling account), checked against SES's rules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Literal, Protocol

from openses.domain.arn import IdentityArn, InvalidArn
from openses.domain.identities import (
    Identity,
    IdentityKind,
    IdentityPolicy,
    VerificationStatus,
    VerifiedBy,
    is_address_identity,
    normalize_identity,
)
from openses.domain.messages import message_id, verification_message
from openses.domain.outbox import CapturedMessage, MessageKind
from openses.domain.sending_policy import (
    InvalidSendingPolicy,
    policy_count_problem,
    policy_name_problem,
    validate_sending_policy,
)
from openses.domain.tags import ResourceType, Tag, TaggedResource
from openses.services import ids
from openses.services.accepted import record_accepted
from openses.services.errors import (
    AlreadyExists,
    InvalidParameter,
    InvalidPolicy,
    LimitExceeded,
    NotFound,
)
from openses.services.ports import Store, Tx
from openses.services.principals import Call
from openses.services.tags import checked_tags

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_LOCAL_PART = re.compile(r"[\x21-\x7e]{1,64}")
MAX_IDENTITIES_PER_REGION = 10_000

PolicyWrite = Literal["upsert", "create", "update"]


class LookupFailure(Exception):
    """DNS could not answer now (timeout, SERVFAIL): try again later."""


class TxtResolver(Protocol):
    async def txt(self, name: str) -> list[str]: ...


class IdentitiesService:
    def __init__(
        self, store: Store, resolver: TxtResolver, *, public_url: str, verification_sender: str
    ) -> None:
        self.store = store
        self.resolver = resolver
        self.public_url = public_url.rstrip("/")
        self.verification_sender = verification_sender

    # ------------------------------------------------------------------ creating

    async def verify_email(
        self, call: Call, address: str, *, create_only: bool = False, tags: Sequence[Tag] = ()
    ) -> Identity:
        """Start (or restart) an address's proof, add ``tags``, send the verification message."""
        name = email_identity_name(address)
        checked_tags(tags)
        async with self.store.transaction() as tx:
            identity = await start_email_proof(tx, call, name, create_only=create_only)
            await tx.put_resource_tags(call.account_id, call.region, _tagged(name), tags)
            if not identity.verified:
                verification = self._verification(call, identity)
                await tx.insert_message(verification)
                await record_accepted(tx, verification, _unique)
        return identity

    async def verify_domain(
        self, call: Call, domain: str, *, create_only: bool = False, tags: Sequence[Tag] = ()
    ) -> Identity:
        """Start a domain's proof (its token goes in a TXT record) and add ``tags`` to it."""
        name = _domain_name(domain)
        checked_tags(tags)
        async with self.store.transaction() as tx:
            existing = await tx.get_identity(call.account_id, call.region, name)
            if existing is not None and create_only:
                raise AlreadyExists(f"Email identity {name} already exists.")
            if existing is None:
                await _check_room(tx, call)
                identity = _pending(call, name, IdentityKind.DOMAIN, ids.verification_token())
            else:
                identity = existing.as_of(call.now).restart(call.now, existing.token)
            await tx.put_identity(identity)
            await tx.put_resource_tags(call.account_id, call.region, _tagged(name), tags)
        return identity

    def _verification(self, call: Call, identity: Identity) -> CapturedMessage:
        unique = message_id(call.now, str(uuid.uuid4()))
        link = f"{self.public_url}/_openses/verify?token={identity.token}"
        raw = verification_message(
            sender=self.verification_sender,
            address=identity.name,
            region=call.region,
            link=link,
            message_id_value=unique,
            now=call.now,
        )
        return CapturedMessage(
            message_id=unique,
            kind=MessageKind.VERIFICATION,
            region=call.region,
            account_id=call.account_id,
            created_at=call.now,
            source=self.verification_sender,
            recipients=(identity.name,),
            subject=f"OpenSES Email Address Verification Request in region {call.region}",
            raw=raw,
        )

    # ----------------------------------------------------------------- verifying

    async def confirm_link(self, token: str, now: datetime) -> Identity:
        """The address owner followed the link: verify, unless it is unknown or expired."""
        async with self.store.transaction() as tx:
            identity = await tx.find_identity_by_token(token)
            if identity is None or identity.kind is not IdentityKind.EMAIL_ADDRESS:
                raise NotFound("This verification link is not valid.")
            identity = identity.as_of(now)
            if identity.status is VerificationStatus.FAILED:
                await tx.put_identity(identity)
                raise InvalidParameter(
                    "This verification link has expired; request verification again."
                )
            if not identity.verified:
                identity = identity.verify(now, VerifiedBy.LINK)
                await tx.put_identity(identity)
        return identity

    async def check_domain(self, identity: Identity, now: datetime) -> Identity:
        """Look for the TXT record now and record what was found."""
        current = identity.as_of(now)
        if current.kind is not IdentityKind.DOMAIN or current.status not in (
            VerificationStatus.PENDING,
            VerificationStatus.TEMPORARY_FAILURE,
        ):
            return current
        try:
            records = await self.resolver.txt(f"_amazonses.{current.name}")
        except LookupFailure:
            updated = replace(current, status=VerificationStatus.TEMPORARY_FAILURE)
        else:
            found = current.token in (record.strip() for record in records)
            updated = current.verify(now, VerifiedBy.DNS) if found else current
            if not found and now >= current.deadline:
                updated = replace(current, status=VerificationStatus.FAILED)
            elif not found:
                updated = replace(current, status=VerificationStatus.PENDING)
        if updated != identity:
            async with self.store.transaction() as tx:
                latest = await tx.get_identity(identity.account_id, identity.region, identity.name)
                if latest is not None and latest.token == identity.token and not latest.verified:
                    await tx.put_identity(updated)
        return updated

    async def check_pending_domains(self, now: datetime, limit: int = 100) -> int:
        """One pass of the background checker; returns how many domains became verified."""
        async with self.store.transaction() as tx:
            pending = await tx.pending_domains(limit)
        verified = 0
        for identity in pending:
            if (await self.check_domain(identity, now)).verified:
                verified += 1
        return verified

    async def operator_verify(
        self, now: datetime, *, account_id: str, region: str, name: str
    ) -> Identity:
        """The operator's explicit override: verified, and recorded as such."""
        normalized = email_identity_name(name) if is_address_identity(name) else _domain_name(name)
        kind = IdentityKind.EMAIL_ADDRESS if is_address_identity(name) else IdentityKind.DOMAIN
        async with self.store.transaction() as tx:
            if await tx.get_account(account_id) is None:
                raise NotFound(f"Account {account_id} does not exist.")
            identity = await tx.get_identity(account_id, region, normalized)
            if identity is None:
                identity = Identity(
                    account_id,
                    region,
                    normalized,
                    kind,
                    VerificationStatus.PENDING,
                    ids.verification_token(),
                    now,
                    now,
                )
            identity = identity.verify(now, VerifiedBy.OPERATOR)
            await tx.put_identity(identity)
        return identity

    # ------------------------------------------------------------------- reading

    async def list_identities(self, call: Call, kind: IdentityKind | None = None) -> list[Identity]:
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.list_identities(call.account_id, call.region, kind)
        return [identity.as_of(call.now) for identity in found]

    async def get_many(self, call: Call, names: Sequence[str]) -> dict[str, Identity]:
        """The caller's identities among ``names`` (as given), pending domains re-checked."""
        wanted = {name: normalize_identity(name) for name in names}
        async with self.store.transaction(read_only=True) as tx:
            found = await tx.get_identities(call.account_id, call.region, list(wanted.values()))
        by_name = {identity.name: identity for identity in found}
        result: dict[str, Identity] = {}
        for given, normalized in wanted.items():
            identity = by_name.get(normalized)
            if identity is not None:
                result[given] = await self.check_domain(identity, call.now)
        return result

    async def get(self, call: Call, name: str) -> tuple[Identity, list[IdentityPolicy]]:
        normalized = own_identity_name(call, name)
        async with self.store.transaction(read_only=True) as tx:
            identity = await _existing(tx, call, normalized, name)
            policies = await tx.list_identity_policies(call.account_id, call.region, normalized)
        return await self.check_domain(identity, call.now), policies

    async def delete(self, call: Call, name: str, *, must_exist: bool = False) -> None:
        normalized = own_identity_name(call, name)
        async with self.store.transaction() as tx:
            deleted = await tx.delete_identity(call.account_id, call.region, normalized)
            await tx.delete_resource_tags(call.account_id, call.region, _tagged(normalized))
        if must_exist and not deleted:
            raise NotFound(f"Email identity {name} does not exist.")

    # ------------------------------------------------------------------ policies

    async def put_policy(
        self, call: Call, name: str, policy_name: str, document: str, mode: PolicyWrite
    ) -> None:
        problem = policy_name_problem(policy_name)
        if problem:
            raise InvalidParameter(problem)
        normalized = own_identity_name(call, name)
        arn = IdentityArn("aws", call.region, call.account_id, normalized)
        try:
            validate_sending_policy(document, arn, policy_name)
        except InvalidSendingPolicy as error:
            raise InvalidPolicy(str(error)) from None
        async with self.store.transaction() as tx:
            identity = await tx.get_identity(call.account_id, call.region, normalized)
            if identity is None:
                raise NotFound(f"Identity {name} does not exist.")
            if not identity.as_of(call.now).verified:
                raise InvalidParameter(f"Identity {name} is not verified.")
            existing = {
                p.name
                for p in await tx.list_identity_policies(call.account_id, call.region, normalized)
            }
            if mode == "create" and policy_name in existing:
                raise AlreadyExists(f"Policy {policy_name} already exists.")
            if mode == "update" and policy_name not in existing:
                raise NotFound(f"Policy {policy_name} does not exist.")
            if policy_name not in existing:
                limit = policy_count_problem(len(existing))
                if limit:
                    raise LimitExceeded(limit)
            await tx.put_identity_policy(
                IdentityPolicy(
                    call.account_id, call.region, normalized, policy_name, document, call.now
                )
            )

    async def policies(
        self, call: Call, name: str, names: Sequence[str] | None = None, *, must_exist: bool
    ) -> dict[str, str]:
        normalized = own_identity_name(call, name)
        async with self.store.transaction(read_only=True) as tx:
            if must_exist:
                await _existing(tx, call, normalized, name)
            found = await tx.list_identity_policies(call.account_id, call.region, normalized)
        return {p.name: p.document for p in found if names is None or p.name in names}

    async def delete_policy(
        self, call: Call, name: str, policy_name: str, *, must_exist: bool
    ) -> None:
        normalized = own_identity_name(call, name)
        async with self.store.transaction() as tx:
            if must_exist:
                await _existing(tx, call, normalized, name)
            await tx.delete_identity_policy(call.account_id, call.region, normalized, policy_name)


def _tagged(name: str) -> TaggedResource:
    return TaggedResource(ResourceType.IDENTITY, name)


def own_identity_name(call: Call, name: str) -> str:
    """An identity given by name or by ARN, normalized; an ARN must be the caller's, in this
    region (SES's ``InvalidParameterValue`` otherwise)."""
    if name.startswith("arn:"):
        try:
            arn = IdentityArn.parse(name)
        except InvalidArn as error:
            raise InvalidParameter(str(error)) from None
        if arn.account != call.account_id or arn.region != call.region:
            raise InvalidParameter(
                f"Identity {name} is invalid. Must be a verified email address or domain."
            )
        name = arn.identity
    return normalize_identity(name)


async def _existing(tx: Tx, call: Call, normalized: str, given: str) -> Identity:
    """The caller's identity ``normalized`` (named ``given`` in the request), or NotFound."""
    identity = await tx.get_identity(call.account_id, call.region, normalized)
    if identity is None:
        raise NotFound(f"Email identity {given} does not exist.")
    return identity


async def start_email_proof(
    tx: Tx, call: Call, name: str, *, create_only: bool = False
) -> Identity:
    """Start (or restart) the proof of the caller's email identity ``name`` (normalized, see
    :func:`email_identity_name`) in ``tx``: a new pending identity, a fresh token for one not
    verified yet; a verified identity stays as it is. The caller sends the message."""
    existing = await tx.get_identity(call.account_id, call.region, name)
    if existing is not None and create_only:
        raise AlreadyExists(f"Email identity {name} already exists.")
    token = ids.verification_token()
    if existing is None:
        await _check_room(tx, call)
        identity = _pending(call, name, IdentityKind.EMAIL_ADDRESS, token)
    else:
        identity = existing.as_of(call.now).restart(call.now, token)
    await tx.put_identity(identity)
    return identity


async def _check_room(tx: Tx, call: Call) -> None:
    if len(await tx.list_identities(call.account_id, call.region)) >= MAX_IDENTITIES_PER_REGION:
        raise LimitExceeded(
            f"An account can have at most {MAX_IDENTITIES_PER_REGION} identities per region."
        )


def _pending(call: Call, name: str, kind: IdentityKind, token: str) -> Identity:
    return Identity(
        call.account_id,
        call.region,
        name,
        kind,
        VerificationStatus.PENDING,
        token,
        call.now,
        call.now,
    )


def email_identity_name(address: str) -> str:
    """``address`` as an email identity's name, or ``InvalidParameterValue``."""
    local, at, domain = address.rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or not _is_domain(domain):
        raise InvalidParameter(f"Invalid email address <{address}>.")
    return normalize_identity(address)


def _domain_name(domain: str) -> str:
    if not _is_domain(domain):
        raise InvalidParameter(f"Invalid domain name <{domain}>.")
    return domain.lower()


def _is_domain(domain: str) -> bool:
    labels = domain.split(".")
    return (
        len(domain) <= 253
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _unique() -> str:
    return str(uuid.uuid4())
