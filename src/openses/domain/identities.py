"""Identities (addresses and domains), their verification, and which ones cover an address.

A domain identity covers every address at that domain and at any of its subdomains; an
address identity covers itself and its plus-labelled variants (``sender+tag@example.com``).
Domain names compare case-insensitively, local parts case-sensitively.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


def split_address(address: str) -> tuple[str, str] | None:
    """``(local part, lower-cased domain)`` of a bare address, or ``None`` if it has no ``@``."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    return local, domain.lower()


def normalize_identity(name: str) -> str:
    """The stored form of an identity: domains lower-cased, an address's domain lower-cased."""
    parts = split_address(name)
    if parts is None:
        return name.lower()
    return f"{parts[0]}@{parts[1]}"


def is_address_identity(name: str) -> bool:
    return "@" in name


def covering_identities(address: str) -> list[str]:
    """Identity names that would cover ``address``, from most to least specific.

    ``news+eu@mail.example.com`` gives ``news+eu@mail.example.com``, ``news@mail.example.com``,
    ``mail.example.com``, ``example.com``, ``com``.
    """
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return []
    domain = domain.lower()
    names = [f"{local}@{domain}"]
    if "+" in local:
        base = local.partition("+")[0]
        if base:
            names.append(f"{base}@{domain}")
    names.append(domain)
    dot = domain.find(".")
    while dot >= 0:  # every label boundary: the domain's parents, down to the last label
        names.append(domain[dot + 1 :])
        dot = domain.find(".", dot + 1)
    return names


def covers(identity: str, address: str) -> bool:
    return normalize_identity(identity) in covering_identities(address)


# ------------------------------------------------------------------------------ records

EMAIL_VERIFICATION_WINDOW = timedelta(hours=24)
DOMAIN_VERIFICATION_WINDOW = timedelta(hours=72)


class IdentityKind(enum.Enum):
    EMAIL_ADDRESS = "EmailAddress"
    DOMAIN = "Domain"


class VerificationStatus(enum.Enum):
    PENDING = "Pending"
    SUCCESS = "Success"
    FAILED = "Failed"
    TEMPORARY_FAILURE = "TemporaryFailure"
    NOT_STARTED = "NotStarted"


class VerifiedBy(enum.Enum):
    LINK = "link"  # the address owner followed the link in the verification message
    DNS = "dns"  # the TXT record _amazonses.<domain> carried the token
    OPERATOR = "operator"  # ``openses admin identity verify``: an explicit override


@dataclass(frozen=True, slots=True)
class Identity:
    """An email address or domain of one account in one region, and where its proof stands."""

    account_id: str
    region: str
    name: str  # normalized (see normalize_identity)
    kind: IdentityKind
    status: VerificationStatus
    token: str  # the domain's TXT token, or the secret in the address's verification link
    created_at: datetime
    verification_started_at: datetime
    verified_at: datetime | None = None
    verified_by: VerifiedBy | None = None
    # The configuration set the account's own sends from this identity use when they name none
    # (SESv2 PutEmailIdentityConfigurationSetAttributes; never a delegate's send, decision A20).
    default_configuration_set: str | None = None

    @property
    def verified(self) -> bool:
        return self.status is VerificationStatus.SUCCESS

    @property
    def deadline(self) -> datetime:
        window = (
            EMAIL_VERIFICATION_WINDOW
            if self.kind is IdentityKind.EMAIL_ADDRESS
            else DOMAIN_VERIFICATION_WINDOW
        )
        return self.verification_started_at + window

    def as_of(self, now: datetime) -> Identity:
        """This identity with a pending proof that ran out of time marked ``Failed``."""
        if self.status is VerificationStatus.PENDING and now >= self.deadline:
            return replace(self, status=VerificationStatus.FAILED)
        return self

    def verify(self, now: datetime, by: VerifiedBy) -> Identity:
        return replace(self, status=VerificationStatus.SUCCESS, verified_at=now, verified_by=by)

    def restart(self, now: datetime, token: str) -> Identity:
        """Asked to verify again: a fresh pending proof (a verified identity stays verified)."""
        if self.verified:
            return self
        return replace(
            self, status=VerificationStatus.PENDING, token=token, verification_started_at=now
        )


@dataclass(frozen=True, slots=True)
class IdentityPolicy:
    account_id: str
    region: str
    identity: str
    name: str
    document: str
    updated_at: datetime
