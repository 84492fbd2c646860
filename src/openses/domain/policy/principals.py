"""Callers, and the Principal / NotPrincipal element that names them.

A caller is described by its chain of identities, one *layer* each: the account, then the user
or role, then the session. Each layer is a small set of tokens that a principal entry can name::

    root user   arn:aws:iam::A:root                  [account]
    IAM user    arn:aws:iam::A:user/p/u              [account, user ARN]
    role        arn:aws:iam::A:role/p/R              [account, role R of A]
    session     arn:aws:sts::A:assumed-role/R/s      [account, role R of A, session ARN]
    federated   arn:aws:sts::A:federated-user/u      [account, user u of A, session ARN]
    service     cognito-idp.amazonaws.com            [service]

``Principal`` matches when any entry names any layer; ``NotPrincipal`` exempts a caller only
when every layer is named (the IAM User Guide's account-then-user-then-session reading).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from openses.domain.policy.wildcards import has_wildcard

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


class CallerKind(enum.Enum):
    ROOT = "Account"
    USER = "User"
    ROLE = "Role"
    ASSUMED_ROLE = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    SERVICE = "Service"
    WEB_IDENTITY = "Federated"
    CANONICAL_USER = "CanonicalUser"


class InvalidCaller(ValueError):
    """The caller text names no principal this engine knows."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a request, with the layers that principal entries can name."""

    name: str  # the ARN, the service name, or the provider/canonical id
    kind: CallerKind
    account: str | None
    layers: tuple[frozenset[str], ...]
    tokens: frozenset[str]

    keys: tuple[tuple[str, str], ...]  # the caller's own condition keys, see principal_keys

    def context_keys(self) -> dict[str, str]:
        """Global condition keys that describe this caller (``aws:PrincipalArn`` and friends)."""
        return dict(self.keys)


def principal_keys(name: str, kind: CallerKind, account: str | None) -> dict[str, str]:
    """``aws:PrincipalAccount``, ``…Arn``, ``…Type``, ``aws:username`` … (lower-cased keys)."""
    keys: dict[str, str] = {}
    if account is not None:
        keys["aws:principalaccount"] = account
    if kind is CallerKind.SERVICE:
        keys["aws:principalservicename"] = name
        return keys
    if kind in (CallerKind.WEB_IDENTITY, CallerKind.CANONICAL_USER):
        return keys
    keys["aws:principaltype"] = kind.value
    partition = name.split(":", 2)[1]
    if kind is CallerKind.ASSUMED_ROLE:
        role_name = name.split(":", 5)[5].split("/")[1]
        keys["aws:principalarn"] = f"arn:{partition}:iam::{account}:role/{role_name}"
    else:
        keys["aws:principalarn"] = name
    if kind is CallerKind.USER:
        keys["aws:username"] = name.rsplit("/", 1)[1]
    if kind is CallerKind.ROOT and account is not None:
        keys["aws:userid"] = account
    return keys


def parse_caller(text: str, principal_type: str | None = None) -> Caller:
    """Read a caller from its ARN (or a 12-digit account, or a service principal name).

    ``principal_type`` may force ``"Service"``, ``"Federated"`` or ``"CanonicalUser"``; by
    default a name ending in ``.amazonaws.com`` is a service and anything else must be an ARN.
    """
    if principal_type not in (None, "AWS", "Service", "Federated", "CanonicalUser"):
        raise InvalidCaller(f"unknown principal type {principal_type!r}")
    if principal_type == "Service" or (
        principal_type is None and _SERVICE_NAME.fullmatch(text) is not None
    ):
        return _single(text, CallerKind.SERVICE, f"service:{text}")
    if principal_type == "Federated":
        return _single(text, CallerKind.WEB_IDENTITY, f"federated:{text}")
    if principal_type == "CanonicalUser":
        return _single(text, CallerKind.CANONICAL_USER, f"canonical:{text}")
    if _ACCOUNT_ID.fullmatch(text):
        text = f"arn:aws:iam::{text}:root"
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not _ACCOUNT_ID.fullmatch(parts[4]):
        raise InvalidCaller(f"{text!r} is not an IAM or STS principal ARN")
    _, _, service, _, account, resource = parts
    account_layer = frozenset({f"account:{account}"})
    segments = resource.split("/")
    if service == "iam" and resource == "root":
        return _caller(text, CallerKind.ROOT, account, [account_layer])
    if service == "iam" and segments[0] == "user" and len(segments) >= 2 and segments[-1]:
        return _caller(text, CallerKind.USER, account, [account_layer, {f"user:{text}"}])
    if service == "iam" and segments[0] == "role" and len(segments) >= 2 and segments[-1]:
        role = {f"role:{account}:{segments[-1]}"}
        return _caller(text, CallerKind.ROLE, account, [account_layer, role])
    if service == "sts" and segments[0] == "assumed-role" and len(segments) == 3:
        role = {f"role:{account}:{segments[1]}"}
        return _caller(
            text, CallerKind.ASSUMED_ROLE, account, [account_layer, role, {f"session:{text}"}]
        )
    if service == "sts" and segments[0] == "federated-user" and len(segments) == 2:
        user = {f"username:{account}:{segments[1]}"}
        return _caller(
            text, CallerKind.FEDERATED_USER, account, [account_layer, user, {f"session:{text}"}]
        )
    raise InvalidCaller(f"{text!r} is not an IAM or STS principal ARN")


def _single(name: str, kind: CallerKind, token: str) -> Caller:
    layer = frozenset({token})
    keys = tuple(principal_keys(name, kind, None).items())
    return Caller(name, kind, None, (layer,), layer, keys)


def _caller(name: str, kind: CallerKind, account: str, layers: list[Iterable[str]]) -> Caller:
    frozen = tuple(frozenset(layer) for layer in layers)
    keys = tuple(principal_keys(name, kind, account).items())
    return Caller(name, kind, account, frozen, frozenset().union(*frozen), keys)


# -------------------------------------------------------------------------- policy side


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """The compiled Principal (or NotPrincipal) element of a statement."""

    everyone: bool
    tokens: frozenset[str]

    def names_any_layer(self, caller: Caller) -> bool:
        return self.everyone or not self.tokens.isdisjoint(caller.tokens)

    def names_every_layer(self, caller: Caller) -> bool:
        if self.everyone:
            return True
        return all(not self.tokens.isdisjoint(layer) for layer in caller.layers)


def entry_tokens(principal_type: str, entry: str) -> frozenset[str] | None:
    """The tokens one principal entry names; ``None`` for ``*``; empty if it names no caller."""
    if principal_type != "AWS":
        prefix = {"Service": "service", "Federated": "federated", "CanonicalUser": "canonical"}
        if entry == "*" and principal_type == "Service":
            return frozenset()
        return frozenset({f"{prefix[principal_type]}:{entry}"})
    if entry == "*":
        return None
    if has_wildcard(entry):
        return frozenset()
    if _ACCOUNT_ID.fullmatch(entry):
        return frozenset({f"account:{entry}"})
    parts = entry.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not _ACCOUNT_ID.fullmatch(parts[4]):
        return frozenset()
    _, _, service, _, account, resource = parts
    segments = resource.split("/")
    if service == "iam" and resource == "root":
        return frozenset({f"account:{account}"})
    if service == "iam" and segments[0] == "user" and len(segments) >= 2 and segments[-1]:
        return frozenset({f"user:{entry}", f"username:{account}:{segments[-1]}"})
    if service == "iam" and segments[0] == "role" and len(segments) >= 2 and segments[-1]:
        return frozenset({f"role:{account}:{segments[-1]}"})
    if service == "sts" and (
        (segments[0] == "assumed-role" and len(segments) == 3)
        or (segments[0] == "federated-user" and len(segments) == 2)
    ):
        return frozenset({f"session:{entry}"})
    return frozenset()


def is_well_formed_entry(principal_type: str, entry: str) -> bool:
    """Whether an entry names something real: used by store-time validation, not evaluation."""
    if entry == "*":
        return principal_type == "AWS"
    if principal_type == "Service":
        return _SERVICE_NAME.fullmatch(entry) is not None
    tokens = entry_tokens(principal_type, entry)
    return bool(tokens)


def compile_principals(entries: Iterable[tuple[str, str]]) -> PrincipalSet:
    """Compile ``(type, entry)`` pairs, e.g. ``("AWS", "123456789012")``."""
    tokens: set[str] = set()
    for principal_type, entry in entries:
        named = entry_tokens(principal_type, entry)
        if named is None:
            return PrincipalSet(everyone=True, tokens=frozenset())
        tokens |= named
    return PrincipalSet(everyone=False, tokens=frozenset(tokens))
