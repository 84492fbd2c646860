"""Evaluating compiled policies against a request: explicit deny > allow > implicit deny.

A statement *applies* when its principal, action and resource match and every condition
holds. Statement order and policy boundaries do not matter: the policies of one resource act
as one pool of statements. The :class:`Decision` names the statements that decided it and
explains itself in one line; for an implicit deny the explanation points at the allowing
statement that came closest and says what it was missing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from openses.domain.policy.conditions import split_arn
from openses.domain.policy.context import Context, ContextValue, make_context
from openses.domain.policy.document import Effect, Policy, Statement, StatementRef
from openses.domain.policy.principals import Caller


class DecisionKind(enum.Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization question. ``context`` keys are lower-cased (see ``make_context``)."""

    caller: Caller
    action: str
    resource: str
    context: Context

    @classmethod
    def build(
        cls, caller: Caller, action: str, resource: str, context: Mapping[str, object]
    ) -> Request:
        """Normalize ``context``; the caller's ``aws:Principal*`` keys fill in what is absent."""
        values: dict[str, ContextValue] = dict(caller.context_keys())
        values.update(make_context(context))
        return cls(caller, action, resource, values)


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    statements: tuple[StatementRef, ...]
    request: Request = field(repr=False, compare=False)
    candidates: tuple[Statement, ...] = field(repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.kind is DecisionKind.ALLOW

    @cached_property
    def explanation(self) -> str:
        request = self.request
        what = f"{request.caller.name} to perform {request.action} on {request.resource}"
        if self.kind is DecisionKind.EXPLICIT_DENY:
            return f"Explicitly denied: {_labels(self.statements)} denies {what}."
        if self.kind is DecisionKind.ALLOW:
            return f"Allowed: {_labels(self.statements)} allows {what}."
        if not self.candidates:
            return f"Implicitly denied: there are no policy statements to allow {what}."
        nearest = _nearest_miss(self.candidates, request)
        if nearest is None:
            return f"Implicitly denied: no statement allows {what}."
        statement, reason = nearest
        return (
            f"Implicitly denied: no statement allows {what}; the nearest, "
            f"{statement.label}, {reason}."
        )


def _labels(refs: Sequence[StatementRef]) -> str:
    names = [f"'{r.sid}'" if r.sid else f"#{r.index + 1}" for r in refs]
    policies = sorted({r.policy for r in refs})
    noun = "statement" if len(refs) == 1 else "statements"
    owner = (
        f"policy '{policies[0]}'"
        if len(policies) == 1
        else "policies " + ", ".join(f"'{p}'" for p in policies)
    )
    return f"{noun} {', '.join(names)} of {owner}"


class PolicySet:
    """The policies of one resource, pooled. Immutable; remembers statements by action."""

    __slots__ = ("_by_action", "policies", "statements")

    _CACHE_LIMIT = 256

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies: tuple[Policy, ...] = tuple(policies)
        self.statements: tuple[Statement, ...] = (
            self.policies[0].statements
            if len(self.policies) == 1
            else tuple(s for p in self.policies for s in p.statements)
        )
        self._by_action: dict[str, tuple[Statement, ...]] = {}

    def __len__(self) -> int:
        return len(self.policies)

    def for_action(self, action: str) -> tuple[Statement, ...]:
        """Statements whose Action / NotAction element covers ``action`` (lower-cased)."""
        found = self._by_action.get(action)
        if found is None:
            policies = self.policies
            if len(policies) == 1:
                found = policies[0].for_action(action)
            else:
                found = tuple(s for p in policies for s in p.for_action(action))
            if len(self._by_action) >= self._CACHE_LIMIT:
                self._by_action.clear()
            self._by_action[action] = found
        return found


def evaluate(policies: PolicySet | Iterable[Policy], request: Request) -> Decision:
    pool = policies if isinstance(policies, PolicySet) else PolicySet(policies)
    candidates = pool.for_action(request.action.lower())
    caller = request.caller
    context = request.context
    resource = request.resource
    parts = split_arn(resource)
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    for statement in candidates:
        principal = statement.principal
        if principal is not None:
            if statement.not_principal:
                if principal.names_every_layer(caller):
                    continue
            elif not principal.names_any_layer(caller):
                continue
        if statement.resource(resource, parts, context) == statement.not_resource:
            continue
        for test in statement.conditions:
            if not test.holds(context):
                break
        else:
            (denies if statement.effect is Effect.DENY else allows).append(statement.ref)
    if denies:
        return Decision(DecisionKind.EXPLICIT_DENY, tuple(denies), request, candidates)
    if allows:
        return Decision(DecisionKind.ALLOW, tuple(allows), request, candidates)
    allowing = tuple(s for s in pool.statements if s.effect is Effect.ALLOW)
    return Decision(DecisionKind.IMPLICIT_DENY, (), request, allowing)


def _nearest_miss(
    statements: Sequence[Statement], request: Request
) -> tuple[Statement, str] | None:
    """The allowing statement that got furthest, and the first element it failed on."""
    best: tuple[int, Statement, str] | None = None
    action = request.action.lower()
    parts = split_arn(request.resource)
    for statement in statements:
        stage, reason = _first_failure(statement, request, action, parts)
        if best is None or stage > best[0]:
            best = (stage, statement, reason)
    return None if best is None else (best[1], best[2])


def _first_failure(
    statement: Statement, request: Request, action: str, parts: Sequence[str] | None
) -> tuple[int, str]:
    principal = statement.principal
    if principal is not None:
        if statement.not_principal and principal.names_every_layer(request.caller):
            return 0, "exempts this caller through NotPrincipal"
        if not statement.not_principal and not principal.names_any_layer(request.caller):
            return 0, "does not name this caller as a principal"
    if statement.action(action) == statement.not_action:
        return 1, f"does not cover the action {request.action}"
    if statement.resource(request.resource, parts, request.context) == statement.not_resource:
        return 2, f"does not cover the resource {request.resource}"
    for position, test in enumerate(statement.conditions):
        if not test.holds(request.context):
            return 3 + position, f"has a condition that is false: {test.describe()}"
    return 3 + len(statement.conditions), "applies"
