"""Identity notification settings, feedback forwarding and custom MAIL FROM domains.

Only an identity's owner manages them (an identity named by ARN must be the caller's own, in
this region); the rules are in :mod:`openses.domain.feedback_settings`. A custom MAIL FROM
domain is proved by its MX record: pending and temporarily failing setups are looked up
whenever their owner asks for them and by the background checker, which also re-checks
successful ones every :data:`SUCCESS_RECHECK_INTERVAL`.

The delivery side reads the settings that govern a message through
:func:`effective_feedback` / :func:`effective_feedback_settings` and
:func:`effective_mail_from` / :func:`mail_from_for_send`, always with the identity *owner's*
account (a delegate's send uses the owner's identity settings).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, Protocol, TypeVar

from openses.domain.feedback_settings import (
    DEFAULT_FEEDBACK_MX,
    DEFAULT_FEEDBACK_SETTINGS,
    BehaviorOnMxFailure,
    FeedbackSettingError,
    IdentityFeedbackSettings,
    MailFromSettings,
    MailFromStatus,
    MxOutcome,
    NotificationType,
    check_mail_from_domain,
    check_topic_arn,
    feedback_mx_host,
    governing_identity,
    mail_from_decision,
    mx_outcome,
)
from openses.domain.identities import Identity, covering_identities
from openses.services.errors import InvalidParameter, MailFromDomainNotVerified, NotFound
from openses.services.identities import LookupFailure, own_identity_name
from openses.services.ports import Store, Tx
from openses.services.principals import Call

P = ParamSpec("P")
R = TypeVar("R")

SUCCESS_RECHECK_INTERVAL = timedelta(hours=1)
"""How often a successful MAIL FROM setup's MX record is looked up again."""


class MxResolver(Protocol):
    async def mx(self, domain: str) -> list[tuple[int, str]]: ...


class Api(enum.Enum):
    """Which API asks: they word a missing identity differently, and only v1 ties turning
    forwarding off to SNS topics (v2 has event destinations instead)."""

    V1 = "ses"
    V2 = "sesv2"


@dataclass(frozen=True, slots=True)
class EffectiveFeedback:
    """The settings that govern feedback for an address, and whose they are (``None``: no
    verified identity covers it, so SES's defaults)."""

    identity: str | None
    settings: IdentityFeedbackSettings


class FeedbackSettingsService:
    def __init__(
        self, store: Store, resolver: MxResolver, *, feedback_mx: str = DEFAULT_FEEDBACK_MX
    ) -> None:
        self.store = store
        self.resolver = resolver
        self.feedback_mx = feedback_mx

    # ----------------------------------------------------------- notification settings

    async def notification_attributes(
        self, call: Call, names: Sequence[str]
    ) -> dict[str, IdentityFeedbackSettings]:
        """The settings of the caller's identities among ``names`` (as given)."""
        result: dict[str, IdentityFeedbackSettings] = {}
        async with self.store.transaction(read_only=True) as tx:
            for given in names:
                name = _listed_name(call, given)
                if (
                    name is None
                    or await tx.get_identity(call.account_id, call.region, name) is None
                ):
                    continue
                own = await tx.get_feedback_settings(call.account_id, call.region, name)
                result[given] = own or DEFAULT_FEEDBACK_SETTINGS
        return result

    async def set_topic(
        self, call: Call, name: str, kind: NotificationType, topic: str | None
    ) -> None:
        """v1 SetIdentityNotificationTopic: the identity must be verified."""
        if topic is not None:
            _checked(check_topic_arn, topic, call.region)
        async with self.store.transaction() as tx:
            identity = await _identity(tx, call, name, Api.V1)
            if not identity.as_of(call.now).verified:
                raise InvalidParameter(_v1_invalid(name))
            settings = await _settings(tx, identity)
            await _save(tx, identity, settings.with_topic(kind, topic))

    async def set_headers(
        self, call: Call, name: str, kind: NotificationType, enabled: bool
    ) -> None:
        async with self.store.transaction() as tx:
            identity = await _identity(tx, call, name, Api.V1)
            settings = await _settings(tx, identity)
            await _save(tx, identity, _checked(settings.with_headers, kind, enabled))

    async def set_forwarding(self, call: Call, name: str, enabled: bool, api: Api) -> None:
        async with self.store.transaction() as tx:
            identity = await _identity(tx, call, name, api)
            settings = await _settings(tx, identity)
            changed = _checked(settings.with_forwarding, enabled, topics_required=api is Api.V1)
            await _save(tx, identity, changed)

    async def of_identity(
        self, call: Call, name: str
    ) -> tuple[IdentityFeedbackSettings, MailFromSettings]:
        """One identity's own feedback settings and MAIL FROM setup (v2 GetEmailIdentity)."""
        async with self.store.transaction(read_only=True) as tx:
            identity = await _identity(tx, call, name, Api.V2)
            settings = await _settings(tx, identity)
            mail_from = await _mail_from(tx, identity)
        return settings, await self._rechecked(mail_from, call.now)

    # ---------------------------------------------------------------------- MAIL FROM

    async def mail_from_attributes(
        self, call: Call, names: Sequence[str]
    ) -> dict[str, MailFromSettings]:
        """The MAIL FROM setups of the caller's identities among ``names`` (as given)."""
        found: dict[str, MailFromSettings] = {}
        async with self.store.transaction(read_only=True) as tx:
            for given in names:
                name = _listed_name(call, given)
                identity = (
                    None
                    if name is None
                    else await tx.get_identity(call.account_id, call.region, name)
                )
                if identity is not None:
                    found[given] = await _mail_from(tx, identity)
        return {given: await self._rechecked(s, call.now) for given, s in found.items()}

    async def set_mail_from(
        self,
        call: Call,
        name: str,
        domain: str | None,
        behavior: BehaviorOnMxFailure,
        api: Api,
    ) -> None:
        """Set (or, with no domain, turn off) the identity's custom MAIL FROM domain."""
        async with self.store.transaction() as tx:
            identity = await _identity(tx, call, name, api)
            checked = (
                None if domain is None else _checked(check_mail_from_domain, identity.name, domain)
            )
            current = await _mail_from(tx, identity)
            await tx.put_mail_from(current.configured(checked, behavior, call.now))

    async def check_mail_from(self, settings: MailFromSettings, now: datetime) -> MailFromSettings:
        """Look the setup's MX record up now and record what was found."""
        if settings.domain is None or settings.status in (None, MailFromStatus.FAILED):
            return settings
        try:
            records = await self.resolver.mx(settings.domain)
        except LookupFailure:
            outcome = MxOutcome.LOOKUP_FAILED
        else:
            outcome = mx_outcome(records, feedback_mx_host(self.feedback_mx, settings.region))
        updated = settings.checked(outcome, now)
        if updated != settings:
            async with self.store.transaction() as tx:
                latest = await tx.get_mail_from(
                    settings.account_id, settings.region, settings.identity
                )
                if latest is not None and _same_setup(latest, settings):
                    await tx.put_mail_from(updated)
        return updated

    async def check_mail_from_domains(self, now: datetime, limit: int = 100) -> int:
        """One pass of the background checker; returns how many setups were looked up."""
        async with self.store.transaction(read_only=True) as tx:
            due = await tx.mail_from_due(now - SUCCESS_RECHECK_INTERVAL, limit)
        for settings in due:
            await self.check_mail_from(settings, now)
        return len(due)

    async def _rechecked(self, settings: MailFromSettings, now: datetime) -> MailFromSettings:
        return await self.check_mail_from(settings, now) if settings.awaiting_record else settings


# ------------------------------------------------------------ what governs a message


async def effective_feedback(
    tx: Tx, account_id: str, region: str, address: str
) -> EffectiveFeedback:
    """The notification settings for mail from ``address`` through ``account_id``'s
    identities: the most specific verified identity's, else SES's defaults."""
    identity = await _governing(tx, account_id, region, address)
    if identity is None:
        return EffectiveFeedback(None, DEFAULT_FEEDBACK_SETTINGS)
    own = await tx.get_feedback_settings(account_id, region, identity)
    return EffectiveFeedback(identity, own or DEFAULT_FEEDBACK_SETTINGS)


async def effective_feedback_settings(
    tx: Tx, account_id: str, region: str, address: str
) -> IdentityFeedbackSettings:
    return (await effective_feedback(tx, account_id, region, address)).settings


async def effective_mail_from(
    tx: Tx, account_id: str, region: str, from_address: str
) -> MailFromSettings | None:
    """The MAIL FROM setup of the most specific verified identity covering the address."""
    identity = await _governing(tx, account_id, region, from_address)
    return None if identity is None else await tx.get_mail_from(account_id, region, identity)


async def mail_from_for_send(tx: Tx, account_id: str, region: str, from_address: str) -> str | None:
    """The custom MAIL FROM domain a send uses (None: the default one); raises
    :class:`MailFromDomainNotVerified` where the setup is not ready and says to reject."""
    identity = await _governing(tx, account_id, region, from_address)
    return await governed_mail_from(tx, account_id, region, identity)


async def governed_mail_from(
    tx: Tx, account_id: str, region: str, identity: str | None
) -> str | None:
    """:func:`mail_from_for_send` for a From address whose governing identity (the most
    specific verified one covering it; None: none does) the caller has already worked out."""
    settings = None if identity is None else await tx.get_mail_from(account_id, region, identity)
    domain, refuse = mail_from_decision(settings)
    if refuse and settings is not None:
        raise MailFromDomainNotVerified(
            f"The MAIL FROM domain {settings.domain} of identity {settings.identity} "
            "is not verified."
        )
    return domain


async def _governing(tx: Tx, account_id: str, region: str, address: str) -> str | None:
    found = await tx.get_identities(account_id, region, covering_identities(address))
    return governing_identity(address, {i.name for i in found if i.verified})


# ------------------------------------------------------------------------ helpers


def _checked(rule: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``rule(...)``, its :class:`FeedbackSettingError` reported as an invalid parameter."""
    try:
        return rule(*args, **kwargs)
    except FeedbackSettingError as error:
        raise InvalidParameter(str(error)) from None


def _v1_invalid(given: str) -> str:
    return f"Identity {given} is invalid. Must be a verified email address or domain."


def _listed_name(call: Call, given: str) -> str | None:
    """The identity a batch read names, or None for an ARN of another account or region."""
    try:
        return own_identity_name(call, given)
    except InvalidParameter:
        return None


async def _identity(tx: Tx, call: Call, given: str, api: Api) -> Identity:
    identity = await tx.get_identity(call.account_id, call.region, own_identity_name(call, given))
    if identity is None:
        raise NotFound(
            _v1_invalid(given) if api is Api.V1 else f"Email identity {given} does not exist."
        )
    return identity


async def _settings(tx: Tx, identity: Identity) -> IdentityFeedbackSettings:
    own = await tx.get_feedback_settings(identity.account_id, identity.region, identity.name)
    return own or DEFAULT_FEEDBACK_SETTINGS


async def _save(tx: Tx, identity: Identity, settings: IdentityFeedbackSettings) -> None:
    await tx.put_feedback_settings(identity.account_id, identity.region, identity.name, settings)


async def _mail_from(tx: Tx, identity: Identity) -> MailFromSettings:
    found = await tx.get_mail_from(identity.account_id, identity.region, identity.name)
    return found or MailFromSettings(identity.account_id, identity.region, identity.name, None)


def _same_setup(latest: MailFromSettings, checked: MailFromSettings) -> bool:
    """Whether the stored setup is still the one that was looked up (not changed since)."""
    return (latest.domain, latest.status, latest.window_started_at) == (
        checked.domain,
        checked.status,
        checked.window_started_at,
    )
