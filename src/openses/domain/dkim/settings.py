"""The DKIM settings SES keeps per identity, and SES's rules for changing and checking them.

An identity has DKIM settings once DKIM was set up for it or its signing switch was set:

* ``origin`` says how: ``AWS_SES`` (Easy DKIM: three tokens, each a selector whose CNAME
  ``<token>._domainkey.<domain>`` points into the operator's DKIM zone, where the public key is
  published), ``EXTERNAL`` (BYODKIM: the owner's selector and private key, the public key in the
  owner's own TXT record), ``AWS_SES_<REGION>`` (Deterministic Easy DKIM: a replica that uses the
  Easy DKIM settings of the same domain in another region), or ``None`` (only the signing switch
  is set here: an address or subdomain overriding the domain it inherits from);
* ``selectors`` and ``private_keys`` are aligned: Easy DKIM has its three tokens and a key in the
  slots that have one (``active`` is the one that signs); BYODKIM has one selector and key;
* ``status`` is the DNS check: ``PENDING`` until the records are found, ``SUCCESS``, ``FAILED``
  after 72 hours without them, ``TEMPORARY_FAILURE`` while DNS cannot answer, ``NOT_STARTED``
  without DKIM.

Easy DKIM key lengths (SES developer guide, "DKIM signing key length"): 2048 bits by default or
1024; a change must be to the other length, and at most one change in 24 hours, except that the
first downgrade to 1024 in that period is always allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

EASY_DKIM = "AWS_SES"
EXTERNAL = "EXTERNAL"
REPLICA_PREFIX = "AWS_SES_"

KEY_LENGTHS = {"RSA_1024_BIT": 1024, "RSA_2048_BIT": 2048}
DEFAULT_KEY_LENGTH = 2048
KEY_LENGTH_CHANGE_WINDOW = timedelta(hours=24)
DKIM_CHECK_WINDOW = timedelta(hours=72)
EASY_DKIM_TOKENS = 3


class DkimStatus(enum.Enum):
    """The v2 spelling is the value; :attr:`v1` is how SES v1 writes it."""

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    TEMPORARY_FAILURE = "TEMPORARY_FAILURE"
    NOT_STARTED = "NOT_STARTED"

    @property
    def v1(self) -> str:
        return _V1_STATUS[self]


_V1_STATUS = {
    DkimStatus.PENDING: "Pending",
    DkimStatus.SUCCESS: "Success",
    DkimStatus.FAILED: "Failed",
    DkimStatus.TEMPORARY_FAILURE: "TemporaryFailure",
    DkimStatus.NOT_STARTED: "NotStarted",
}
CHECKED_STATUSES = frozenset({DkimStatus.PENDING, DkimStatus.TEMPORARY_FAILURE})


def key_length_name(bits: int | None) -> str | None:
    return None if bits is None else f"RSA_{bits}_BIT"


def replica_region(origin: str | None) -> str | None:
    """The parent region of a Deterministic Easy DKIM origin (``AWS_SES_US_EAST_1`` ->
    ``us-east-1``), or None for any other origin."""
    if origin is None or not origin.startswith(REPLICA_PREFIX):
        return None
    return origin.removeprefix(REPLICA_PREFIX).lower().replace("_", "-")


def replica_origin(region: str) -> str:
    return REPLICA_PREFIX + region.upper().replace("-", "_")


@dataclass(frozen=True, slots=True)
class DkimSettings:
    """The DKIM settings of one identity (account, region, name); see the module docstring."""

    account_id: str
    region: str
    identity: str
    signing_enabled: bool
    updated_at: datetime
    origin: str | None = None
    status: DkimStatus = DkimStatus.NOT_STARTED
    selectors: tuple[str, ...] = ()
    private_keys: tuple[str | None, ...] = ()  # PEM, aligned with selectors
    active: int = 0
    current_key_length: int | None = None  # Easy DKIM
    next_key_length: int | None = None  # Easy DKIM
    key_generated_at: datetime | None = None
    length_changed_at: datetime | None = None
    downgraded_at: datetime | None = None
    check_started_at: datetime | None = None  # start of the 72-hour window
    checked_at: datetime | None = None
    succeeded_at: datetime | None = None

    @property
    def easy(self) -> bool:
        return self.origin == EASY_DKIM

    @property
    def external(self) -> bool:
        return self.origin == EXTERNAL

    @property
    def replica_of(self) -> str | None:
        """The parent region when this is a Deterministic Easy DKIM replica."""
        return replica_region(self.origin)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The Easy DKIM tokens (none for other origins)."""
        return self.selectors if self.easy else ()

    @property
    def signing_selector(self) -> str | None:
        return self.selectors[self.active] if self.selectors else None

    @property
    def signing_key(self) -> str | None:
        """The PEM key that signs, if there is one."""
        return self.private_keys[self.active] if self.private_keys else None

    def as_of(self, now: datetime) -> DkimSettings:
        """These settings with a pending check that ran out of time marked ``FAILED``."""
        if (
            self.status in CHECKED_STATUSES
            and self.check_started_at is not None
            and now >= self.check_started_at + DKIM_CHECK_WINDOW
        ):
            return replace(self, status=DkimStatus.FAILED)
        return self

    def checked(self, found: bool | None, now: datetime) -> DkimSettings:
        """The outcome of one DNS check: records ``found``, not found, or None (DNS could not
        answer). Only pending checks change; a success stays a success."""
        if self.status not in CHECKED_STATUSES:
            return self
        if found:
            return replace(self, status=DkimStatus.SUCCESS, checked_at=now, succeeded_at=now)
        status = DkimStatus.TEMPORARY_FAILURE if found is None else DkimStatus.PENDING
        return replace(self, status=status, checked_at=now).as_of(now)

    def restarted(self, now: datetime) -> DkimSettings:
        """Asked again after a failure: a fresh 72-hour check."""
        if self.status is DkimStatus.FAILED:
            return replace(self, status=DkimStatus.PENDING, check_started_at=now, checked_at=None)
        return self


def switch_only(
    account_id: str, region: str, identity: str, enabled: bool, now: datetime
) -> DkimSettings:
    """Settings that only set the signing switch (an override of the inherited settings)."""
    return DkimSettings(account_id, region, identity, enabled, now)


def key_length_problem(settings: DkimSettings, bits: int, now: datetime) -> str | None:
    """Why the Easy DKIM key length may not change to ``bits`` now, or None if it may."""
    if bits == settings.current_key_length:
        return f"The DKIM signing key length is already {key_length_name(bits)}."
    recent = settings.length_changed_at is not None and (
        now < settings.length_changed_at + KEY_LENGTH_CHANGE_WINDOW
    )
    if not recent:
        return None
    first_downgrade = bits < (settings.current_key_length or DEFAULT_KEY_LENGTH) and (
        settings.downgraded_at is None or now >= settings.downgraded_at + KEY_LENGTH_CHANGE_WINDOW
    )
    if first_downgrade:
        return None
    return "The DKIM signing key length can be changed at most once in 24 hours."


def rotated(
    settings: DkimSettings, key_pem: str, bits: int, now: datetime, *, slot: int | None = None
) -> DkimSettings:
    """Easy DKIM after a key-length change: the new key goes into the next token's slot (or
    ``slot``, see :func:`openses.domain.dkim.slots.rotation_slot`) and signs from now on; the
    previous key stays published under its token for mail in transit."""
    if slot is None:
        slot = (settings.active + 1) % len(settings.selectors)
    keys = list(settings.private_keys)
    keys[slot] = key_pem
    downgrade = bits < (settings.current_key_length or DEFAULT_KEY_LENGTH)
    return replace(
        settings,
        private_keys=tuple(keys),
        active=slot,
        current_key_length=bits,
        next_key_length=bits,
        key_generated_at=now,
        length_changed_at=now,
        downgraded_at=now if downgrade else settings.downgraded_at,
        updated_at=now,
    )


def easy_dkim(
    base: DkimSettings, tokens: tuple[str, ...], key_pem: str, bits: int, now: datetime
) -> DkimSettings:
    """``base`` switched to Easy DKIM with fresh tokens; the first token's key signs."""
    return replace(
        base,
        origin=EASY_DKIM,
        status=DkimStatus.PENDING,
        selectors=tokens,
        private_keys=(key_pem,) + (None,) * (len(tokens) - 1),
        active=0,
        current_key_length=bits,
        next_key_length=bits,
        key_generated_at=now,
        length_changed_at=None,
        downgraded_at=None,
        check_started_at=now,
        checked_at=None,
        succeeded_at=None,
        updated_at=now,
    )


def external_dkim(base: DkimSettings, selector: str, key_pem: str, now: datetime) -> DkimSettings:
    """``base`` switched to BYODKIM with the owner's selector and key (checked afresh)."""
    return replace(
        base,
        origin=EXTERNAL,
        status=DkimStatus.PENDING,
        selectors=(selector,),
        private_keys=(key_pem,),
        active=0,
        current_key_length=None,
        next_key_length=None,
        key_generated_at=None,
        length_changed_at=None,
        downgraded_at=None,
        check_started_at=now,
        checked_at=None,
        succeeded_at=None,
        updated_at=now,
    )


def replica_dkim(base: DkimSettings, parent_region: str, now: datetime) -> DkimSettings:
    """``base`` made a Deterministic Easy DKIM replica of the domain in ``parent_region``."""
    return replace(
        base,
        origin=replica_origin(parent_region),
        status=DkimStatus.PENDING,
        selectors=(),
        private_keys=(),
        active=0,
        current_key_length=None,
        next_key_length=None,
        key_generated_at=None,
        length_changed_at=None,
        downgraded_at=None,
        check_started_at=now,
        checked_at=None,
        succeeded_at=None,
        updated_at=now,
    )


def effective(chain: Sequence[DkimSettings]) -> tuple[bool, DkimSettings | None]:
    """What applies to an address or domain whose covering identities have the settings
    ``chain`` (most specific first): the signing switch of the most specific one, and the most
    specific settings that set DKIM up (their keys sign, their status counts)."""
    if not chain:
        return False, None
    return chain[0].signing_enabled, next((s for s in chain if s.origin is not None), None)
