"""The SES sending-authorization decision for one address sent through one identity ARN.

Given who calls, the IAM action, the endpoint's region, the address and the identity ARN it
is sent through, and the owner account's identities in that region, the decision is, in order:

1. the ARN's region must be the endpoint's region, and the identity must exist and be
   verified in the owner's account there (otherwise: not verified);
2. the identity must cover the address (otherwise: the address does not align with the ARN);
3. the *governing* identity is the most specific verified identity of the owner that covers
   the address and has at least one policy (an address identity's policies take precedence
   over its domain's; less specific identities are then ignored entirely, Denies included);
   with none, the named identity governs with no policies;
4. the owner's own account may send unless a governing policy explicitly denies it; any other
   caller needs a governing policy to allow it (explicit deny > allow > implicit deny).

The caller's own IAM permissions are a separate check made by the service layer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from openses.domain.arn import IdentityArn
from openses.domain.identities import covering_identities, normalize_identity
from openses.domain.policy import (
    Caller,
    Context,
    Decision,
    DecisionKind,
    PolicySet,
    Request,
    evaluate,
    make_context,
)
from openses.domain.policy.context import (
    ContextValue,
    normalize_value,
    request_keys,
    utc_seconds_text,
)


class Verdict(enum.Enum):
    AUTHORIZED = "Authorized"
    ACCESS_DENIED = "AccessDenied"
    NOT_VERIFIED = "NotVerified"
    NOT_ALIGNED = "NotAligned"


@dataclass(frozen=True, slots=True)
class OwnerIdentity:
    """One identity of the owner account, as the decision needs it."""

    name: str
    verified: bool
    policies: PolicySet


@dataclass(frozen=True, slots=True)
class Authorization:
    verdict: Verdict
    address: str
    arn: IdentityArn
    governing: IdentityArn | None = None
    decision: Decision | None = None
    by_ownership: bool = False

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.AUTHORIZED


def access_denied_message(caller_arn: str, action: str, resource: IdentityArn | str) -> str:
    """SES's sentence for a refused delegate: backtick to open, apostrophe to close."""
    return f"User `{caller_arn}' is not authorized to perform `{action}' on resource `{resource}'"


def alignment_message(address: str, arn: IdentityArn | str) -> str:
    return f"The address '{address}' does not align with the given ARN '{arn}'"


def authorize_use(
    *,
    caller: Caller,
    action: str,
    region: str,
    address: str,
    arn: IdentityArn,
    owner_identities: Mapping[str, OwnerIdentity],
    context: Context,
) -> Authorization:
    """Decide whether ``caller`` may send as ``address`` through the identity ``arn``.

    ``owner_identities`` holds the owner account's identities in ``arn.region`` that cover
    ``address`` (more may be given), keyed by their normalized names.
    """
    if arn.region != region:
        return Authorization(Verdict.NOT_VERIFIED, address, arn)
    named = owner_identities.get(normalize_identity(arn.identity))
    if named is None or not named.verified:
        return Authorization(Verdict.NOT_VERIFIED, address, arn)
    candidates = covering_identities(address)
    if named.name not in candidates:
        return Authorization(Verdict.NOT_ALIGNED, address, arn)
    governing = named
    for name in candidates:
        identity = owner_identities.get(name)
        if identity is not None and identity.verified and len(identity.policies):
            governing = identity
            break
    governing_arn = (
        arn
        if governing.name == arn.identity
        else IdentityArn(arn.partition, arn.region, arn.account, governing.name)
    )
    request = Request(caller, action, str(governing_arn), context)
    decision = evaluate(governing.policies, request)
    if caller.account == arn.account:
        verdict = (
            Verdict.ACCESS_DENIED
            if decision.kind is DecisionKind.EXPLICIT_DENY
            else Verdict.AUTHORIZED
        )
        return Authorization(verdict, address, arn, governing_arn, decision, by_ownership=True)
    verdict = Verdict.AUTHORIZED if decision.allowed else Verdict.ACCESS_DENIED
    return Authorization(verdict, address, arn, governing_arn, decision)


def sending_context(
    caller: Caller,
    *,
    now: datetime,
    api_version: str,
    from_address: str,
    recipients: Iterable[str],
    feedback_address: str | None = None,
    from_display_name: str | None = None,
    source_ip: str | None = None,
    secure_transport: bool = True,
    user_agent: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> Context:
    """The normalized request context SES evaluates a send with.

    ``feedback_address`` defaults to the From address (the effective feedback address);
    ``ses:FromDisplayName`` is absent when the From has no display name; ``extra`` carries
    keys only some callers have (``aws:SourceAccount`` for service principals, org ids, …).
    """
    own = caller.context_keys()
    if not own.keys() <= _CALLER_KEYS or (extra and _reorders(own, extra)):
        return _merged_context(
            own,
            now=now,
            api_version=api_version,
            from_address=from_address,
            recipients=recipients,
            feedback_address=feedback_address,
            from_display_name=from_display_name,
            source_ip=source_ip,
            secure_transport=secure_transport,
            user_agent=user_agent,
            extra=extra,
        )
    # Built in place: the same keys, in the same order, with the same values as
    # ``_merged_context`` gives, without normalizing what is already text.
    context: dict[str, ContextValue] = dict(own)
    instant = now.astimezone(UTC)
    context["aws:currenttime"] = utc_seconds_text(instant)
    context["aws:epochtime"] = str(int(instant.timestamp()))
    if source_ip is not None:
        context["aws:sourceip"] = normalize_value(source_ip)
    if user_agent is not None:
        context["aws:useragent"] = normalize_value(user_agent)
    context["aws:securetransport"] = normalize_value(secure_transport)
    context["ses:fromaddress"] = normalize_value(from_address)
    if from_display_name is not None:
        context["ses:fromdisplayname"] = normalize_value(from_display_name)
    context["ses:recipients"] = normalize_value(list(recipients))
    context["ses:feedbackaddress"] = normalize_value(feedback_address or from_address)
    context["ses:apiversion"] = normalize_value(api_version)
    if extra:
        for key, value in extra.items():
            if value is not None:
                context[key.lower()] = normalize_value(value)
    return context


#: The keys a caller brings (see ``principal_keys``): lower-cased, never one of the request's.
_CALLER_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalservicename",
        "aws:principaltype",
        "aws:principalarn",
        "aws:username",
        "aws:userid",
    }
)
#: The keys :func:`sending_context` sets itself, as it names them.
_REQUEST_KEYS = frozenset(
    {
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:SourceIp",
        "aws:UserAgent",
        "aws:SecureTransport",
        "ses:FromAddress",
        "ses:FromDisplayName",
        "ses:Recipients",
        "ses:FeedbackAddress",
        "ses:ApiVersion",
    }
)


def _reorders(own: Mapping[str, str], extra: Mapping[str, object]) -> bool:
    """Whether merging ``extra`` last into the context could differ from merging it into the
    raw values first (the reference): only a key spelled exactly as one given before and
    either removing it (``None``) or giving it where it was absent can."""
    return any(
        key in _REQUEST_KEYS or (value is None and key in own) for key, value in extra.items()
    )


def _merged_context(
    own: Mapping[str, str],
    *,
    now: datetime,
    api_version: str,
    from_address: str,
    recipients: Iterable[str],
    feedback_address: str | None,
    from_display_name: str | None,
    source_ip: str | None,
    secure_transport: bool,
    user_agent: str | None,
    extra: Mapping[str, object] | None,
) -> Context:
    """:func:`sending_context` by its definition: every raw value merged into one mapping
    (later ones replacing earlier ones of the same spelling), then normalized."""
    values: dict[str, object] = dict(own)
    values.update(
        request_keys(
            now=now,
            source_ip=source_ip,
            user_agent=user_agent,
            secure_transport=secure_transport,
        )
    )
    values.update(
        {
            "ses:FromAddress": from_address,
            "ses:FromDisplayName": from_display_name,
            "ses:Recipients": list(recipients),
            "ses:FeedbackAddress": feedback_address or from_address,
            "ses:ApiVersion": api_version,
        }
    )
    values.update(extra or {})
    return make_context(values)
