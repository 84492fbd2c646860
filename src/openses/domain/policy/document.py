"""Policy documents: JSON reading, IAM grammar validation, and compilation, in one pass.

:func:`compile_policy` walks a document once. Every grammar problem is collected with the path
where it occurs (``Statement[1].Condition.StringEquals``); if there are any, it raises
:class:`PolicyError` carrying all of them, otherwise it returns an immutable :class:`Policy`
whose statements hold ready-to-call matchers.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openses.domain.policy.conditions import (
    ConditionTest,
    UnknownOperator,
    compile_test,
    parse_operator,
)
from openses.domain.policy.context import Context, scalar_text
from openses.domain.policy.principals import PRINCIPAL_TYPES, PrincipalSet, compile_principals
from openses.domain.policy.variables import parse_template
from openses.domain.policy.wildcards import (
    compile_glob,
    compile_glob_set,
    compile_pieces,
    glob_regex,
    has_wildcard,
)

VERSIONS = ("2012-10-17", "2008-10-17")
SUBSTITUTING_VERSION = "2012-10-17"
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)

#: Matches a request resource (already split into six ARN components, or None) in a context.
ResourceMatcher = Callable[[str, Sequence[str] | None, Context], bool]


class PolicyKind(enum.Enum):
    """Resource policies (SES sending authorization) name principals; identity policies don't."""

    RESOURCE = "resource"
    IDENTITY = "identity"


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(ValueError):
    """A policy document that breaks the grammar; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class StatementRef:
    policy: str
    sid: str | None
    effect: Effect
    index: int

    def to_json(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "sid": self.sid,
            "effect": self.effect.value,
            "index": self.index,
        }


@dataclass(frozen=True, slots=True)
class Statement:
    policy_name: str
    index: int
    sid: str | None
    effect: Effect
    principal: PrincipalSet | None  # None in identity policies
    not_principal: bool
    action: Callable[[str], bool]  # over the lower-cased action
    not_action: bool
    resource: ResourceMatcher
    not_resource: bool
    conditions: tuple[ConditionTest, ...]
    #: How a decision names this statement (made once, when the policy is compiled).
    ref: StatementRef = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ref = StatementRef(self.policy_name, self.sid, self.effect, self.index)
        object.__setattr__(self, "ref", ref)

    @property
    def label(self) -> str:
        name = f"'{self.sid}'" if self.sid else f"#{self.index + 1}"
        return f"statement {name} of policy '{self.policy_name}'"


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    kind: PolicyKind
    version: str | None
    policy_id: str | None
    statements: tuple[Statement, ...]
    #: Statements by the (lower-cased) action they cover: a memo, as the policy is immutable.
    _by_action: dict[str, tuple[Statement, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    _CACHE_LIMIT = 256

    def for_action(self, action: str) -> tuple[Statement, ...]:
        """Statements whose Action / NotAction element covers ``action`` (lower-cased)."""
        found = self._by_action.get(action)
        if found is None:
            found = tuple(s for s in self.statements if s.action(action) != s.not_action)
            if len(self._by_action) >= self._CACHE_LIMIT:
                self._by_action.clear()
            self._by_action[action] = found
        return found


class _JsonObject(dict[str, Any]):
    """A JSON object that had repeated member names (the last one's value is kept)."""

    duplicates: tuple[str, ...] = ()


class JsonReading:
    """One JSON parse that keeps what the grammar needs: repeated names, exact decimals."""

    __slots__ = ("had_duplicates",)

    def __init__(self) -> None:
        self.had_duplicates = False

    def load(self, text: str | bytes) -> Any:
        return json.loads(text, object_pairs_hook=self._object, parse_float=Decimal)

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        self.had_duplicates = True
        seen: set[str] = set()
        repeated = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        flagged = _JsonObject(result)
        flagged.duplicates = tuple(dict.fromkeys(repeated))
        return flagged


def load_json(text: str | bytes) -> Any:
    """Parse JSON keeping repeated member names (for the grammar) and exact decimal numbers."""
    return JsonReading().load(text)


def parse_policy(text: str | bytes) -> Any:
    try:
        return load_json(text)
    except (ValueError, RecursionError) as error:
        raise PolicyError([Problem("", f"the policy is not valid JSON ({error})")]) from None


def compile_policy(
    document: object, name: str = "policy", kind: PolicyKind = PolicyKind.RESOURCE
) -> Policy:
    """Validate ``document`` (parsed JSON or JSON text) against the IAM grammar and compile it."""
    if isinstance(document, str | bytes):
        document = parse_policy(document)
    return _Compiler(name, kind).policy(document)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | bool | int | Decimal | float)


class _Compiler:
    def __init__(self, name: str, kind: PolicyKind) -> None:
        self.name = name
        self.kind = kind
        self.problems: list[Problem] = []
        self.substitute = False

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def members(self, path: str, obj: Mapping[str, Any], allowed: frozenset[str]) -> None:
        for key in getattr(obj, "duplicates", ()):
            self.problem(path, f"member {key!r} appears more than once")
        for key in obj:
            if key not in allowed:
                self.problem(path, f"unknown member {key!r}")

    def policy(self, document: object) -> Policy:
        if not isinstance(document, dict):
            raise PolicyError([Problem("", "the policy must be a JSON object")])
        self.members("", document, _TOP_LEVEL)
        version = document.get("Version")
        if "Version" in document and version not in VERSIONS:
            self.problem("Version", f"must be one of {', '.join(VERSIONS)}, not {version!r}")
            version = None
        self.substitute = version == SUBSTITUTING_VERSION
        policy_id = document.get("Id")
        if "Id" in document and not _is_text(policy_id):
            self.problem("Id", "must be a string")
            policy_id = None
        statements: list[Statement] = []
        raw = document.get("Statement")
        if raw is None:
            self.problem("", "the policy has no Statement")
        elif isinstance(raw, dict):
            statements.extend(self.statement("Statement", 0, raw))
        elif isinstance(raw, list) and raw:
            sids: set[str] = set()
            for index, item in enumerate(raw):
                path = f"Statement[{index}]"
                if not isinstance(item, dict):
                    self.problem(path, "a statement must be a JSON object")
                    continue
                sid = item.get("Sid")
                if isinstance(sid, str) and sid:
                    if sid in sids:
                        self.problem(path, f"Sid {sid!r} is used by an earlier statement")
                    sids.add(sid)
                statements.extend(self.statement(path, index, item))
        else:
            self.problem("Statement", "must be a statement object or a non-empty list of them")
        if self.problems:
            raise PolicyError(self.problems)
        return Policy(self.name, self.kind, version, policy_id, tuple(statements))

    def pair(self, path: str, obj: Mapping[str, Any], name: str) -> tuple[Any, bool] | None:
        """The value of ``name`` or ``Not<name>`` and whether it was the negated one."""
        positive, negative = name in obj, f"Not{name}" in obj
        if positive and negative:
            self.problem(path, f"has both {name} and Not{name}; use one")
            return None
        if not positive and not negative:
            self.problem(path, f"needs {name} or Not{name}")
            return None
        return (obj[f"Not{name}"], True) if negative else (obj[name], False)

    def strings(self, path: str, value: object) -> list[str] | None:
        items = value if isinstance(value, list) else [value]
        if not items or not all(_is_text(item) and item for item in items):
            self.problem(path, "must be a non-empty string or a non-empty list of them")
            return None
        return [item for item in items if isinstance(item, str)]

    def statement(self, path: str, index: int, obj: dict[str, Any]) -> list[Statement]:
        before = len(self.problems)
        self.members(path, obj, _STATEMENT)
        sid = obj.get("Sid")
        if "Sid" in obj and not (_is_text(sid) and sid):
            self.problem(f"{path}.Sid", "must be a non-empty string")
        effect_text = obj.get("Effect")
        if effect_text not in ("Allow", "Deny"):
            self.problem(f"{path}.Effect", f'must be "Allow" or "Deny", not {effect_text!r}')
        principal, not_principal = self.principal(path, obj)
        action, not_action = self.action(path, obj)
        resource, not_resource = self.resource(path, obj)
        conditions = self.conditions(f"{path}.Condition", obj.get("Condition", {}))
        if len(self.problems) > before:
            return []
        assert action is not None
        assert resource is not None
        return [
            Statement(
                policy_name=self.name,
                index=index,
                sid=sid,
                effect=Effect(effect_text),
                principal=principal,
                not_principal=not_principal,
                action=action,
                not_action=not_action,
                resource=resource,
                not_resource=not_resource,
                conditions=conditions,
            )
        ]

    def principal(self, path: str, obj: Mapping[str, Any]) -> tuple[PrincipalSet | None, bool]:
        if self.kind is PolicyKind.IDENTITY:
            for name in ("Principal", "NotPrincipal"):
                if name in obj:
                    self.problem(path, f"{name} is not allowed in an identity-based policy")
            return None, False
        found = self.pair(path, obj, "Principal")
        if found is None:
            return None, False
        value, negated = found
        where = f"{path}.{'NotPrincipal' if negated else 'Principal'}"
        if value == "*":
            return compile_principals([("AWS", "*")]), negated
        if not isinstance(value, dict) or not value:
            self.problem(where, 'must be "*" or an object such as {"AWS": "123456789012"}')
            return None, negated
        self.members(where, value, frozenset(PRINCIPAL_TYPES))
        entries: list[tuple[str, str]] = []
        for principal_type, raw in value.items():
            if principal_type not in PRINCIPAL_TYPES:
                continue  # reported by members()
            names = self.strings(f"{where}.{principal_type}", raw)
            entries.extend((principal_type, n) for n in names or ())
        return compile_principals(entries), negated

    def action(
        self, path: str, obj: Mapping[str, Any]
    ) -> tuple[Callable[[str], bool] | None, bool]:
        found = self.pair(path, obj, "Action")
        if found is None:
            return None, False
        value, negated = found
        where = f"{path}.{'NotAction' if negated else 'Action'}"
        names = self.strings(where, value)
        if names is None:
            return None, negated
        for name in names:
            prefix, colon, rest = name.partition(":")
            if name != "*" and (
                not colon or not prefix or not rest or "*" in prefix or "?" in prefix
            ):
                self.problem(
                    where, f'{name!r} must be "*" or "service:action" (no wildcard in service)'
                )
        return compile_glob_set(n.lower() for n in names), negated

    def resource(self, path: str, obj: Mapping[str, Any]) -> tuple[ResourceMatcher | None, bool]:
        found = self.pair(path, obj, "Resource")
        if found is None:
            return None, False
        value, negated = found
        where = f"{path}.{'NotResource' if negated else 'Resource'}"
        patterns = self.strings(where, value)
        if patterns is None:
            return None, negated
        matchers: list[ResourceMatcher] = []
        for pattern in patterns:
            matcher = self.resource_pattern(pattern)
            if matcher is None:
                self.problem(
                    where,
                    f'{pattern!r} must be "*" or an ARN (arn:partition:service:region:account:…)',
                )
            else:
                matchers.append(matcher)
        if len(matchers) == 1:
            return matchers[0], negated
        return (lambda r, parts, ctx: any(m(r, parts, ctx) for m in matchers)), negated

    def resource_pattern(self, pattern: str) -> ResourceMatcher | None:
        if pattern == "*":
            return lambda _r, _parts, _ctx: True
        components = pattern.split(":", 5)
        if len(components) != 6 or components[0] != "arn":
            return None
        head = [compile_glob(part) for part in components[:5]]
        tail = parse_template(components[5], substitute=self.substitute)
        if not has_wildcard(pattern) and tail.pieces == ((components[5], True),):
            # No wildcard, variable or escape: six literal components, so the resource
            # matches exactly when it is this very text.
            return lambda resource, _parts, _ctx: resource == pattern
        if not tail.has_variables:
            tail_match = compile_pieces(tail.static_pieces())
            if all(part == "*" for part in components[:5]):
                return lambda _r, parts, _ctx: parts is not None and tail_match(parts[5])

            def static(_resource: str, parts: Sequence[str] | None, _ctx: Context) -> bool:
                return (
                    parts is not None
                    and all(m(p) for m, p in zip(head, parts, strict=False))
                    and tail_match(parts[5])
                )

            return static

        def dynamic(_resource: str, parts: Sequence[str] | None, ctx: Context) -> bool:
            if parts is None or not all(m(p) for m, p in zip(head, parts, strict=False)):
                return False
            resolved = tail.resolve(ctx)
            if resolved is None:
                return False  # an unresolved variable names no resource
            return re.fullmatch(glob_regex(resolved), parts[5], re.DOTALL) is not None

        return dynamic

    def conditions(self, path: str, block: object) -> tuple[ConditionTest, ...]:
        if not isinstance(block, dict):
            self.problem(path, "must be an object of operator -> {key: value(s)}")
            return ()
        self.members(path, block, frozenset(block))
        tests: list[ConditionTest] = []
        for operator_name, entries in block.items():
            where = f"{path}.{operator_name}"
            try:
                operator = parse_operator(operator_name)
            except UnknownOperator as error:
                self.problem(where, str(error))
                continue
            if not isinstance(entries, dict):
                self.problem(where, "must be an object of condition key -> value(s)")
                continue
            self.members(where, entries, frozenset(entries))
            for key, raw in entries.items():
                if not key:
                    self.problem(where, "a condition key must not be empty")
                    continue
                values = raw if isinstance(raw, list) else [raw]
                if not values or not all(_is_scalar(v) for v in values):
                    self.problem(
                        f"{where}.{key}",
                        "must be a string, number or boolean, or a non-empty list of them",
                    )
                    continue
                texts = [scalar_text(v) for v in values]
                tests.append(compile_test(operator, key, texts, substitute=self.substitute))
        return tuple(tests)
