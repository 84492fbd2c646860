"""The ``policy simulate`` protocol: one JSON object in, one decision object out.

Input::

    {"policy": {...}} or {"policies": {"name": {...}, ...}},
    optional "policy_type": "resource" (default) | "identity",
    "request": {"principal": "<caller ARN or service>", optional "principal_type",
                "action": "ses:SendRawEmail", "resource": "<ARN>",
                "context": {"key": "string" | ["list"] | true | 12 | null, ...}}

A context value of ``null`` leaves the key out, as if the request did not carry it.

Output: ``{"decision", "statements", "explanation"}``, or ``{"error": "..."}`` for input that
cannot be evaluated (a policy that breaks the grammar, a request missing a member, …). Only the
policies given are evaluated, against the IAM grammar only: no SES rules, no owner shortcut.
Compiled policies and parsed callers are remembered (bounded), so a large batch that repeats
its policies pays for compiling each once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from openses.domain.policy import (
    Caller,
    Decision,
    InvalidCaller,
    PolicyError,
    PolicyKind,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.domain.policy.document import JsonReading

_CACHE_LIMIT = 1024


class SimulationInputError(ValueError):
    """The input object is not a simulation request."""


def decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "decision": decision.kind.value,
        "statements": [ref.to_json() for ref in decision.statements],
        "explanation": decision.explanation,
    }


def error_json(message: str) -> dict[str, Any]:
    return {"error": message}


class Simulator:
    """Evaluates simulation objects, remembering compiled policy sets and callers."""

    def __init__(self) -> None:
        self._policy_sets: dict[str, PolicySet] = {}
        self._callers: dict[tuple[str, str | None], Caller] = {}

    def run_text(self, text: str) -> dict[str, Any]:
        reading = JsonReading()
        try:
            document = reading.load(text)
        except ValueError as error:
            return error_json(f"the input is not valid JSON ({error})")
        return self.run(document, remember=not reading.had_duplicates)

    def run(self, document: object, *, remember: bool = True) -> dict[str, Any]:
        """Evaluate one simulation object; ``remember`` false skips the compiled-policy cache."""
        try:
            if not isinstance(document, dict):
                raise SimulationInputError("the input must be a JSON object")
            policies = self.policy_set(document, remember=remember)
            request = self.request(document.get("request"))
        except (SimulationInputError, InvalidCaller) as error:
            return error_json(str(error))
        except PolicyError as error:
            return error_json(f"invalid policy: {error}")
        return decision_json(evaluate(policies, request))

    def policy_set(self, document: Mapping[str, Any], *, remember: bool) -> PolicySet:
        if ("policy" in document) == ("policies" in document):
            raise SimulationInputError('give exactly one of "policy" and "policies"')
        kind_text = document.get("policy_type", PolicyKind.RESOURCE.value)
        try:
            kind = PolicyKind(kind_text)
        except ValueError:
            raise SimulationInputError(
                f'"policy_type" must be "resource" or "identity", not {kind_text!r}'
            ) from None
        if "policy" in document:
            named = {"policy": document["policy"]}
        else:
            named = document["policies"]
            if not isinstance(named, dict):
                raise SimulationInputError('"policies" must map policy names to documents')
        # A document with repeated member names is never remembered: its dump would equal the
        # dump of a clean document, and compiling it again is what reports the repetition.
        key = kind.value + json.dumps(named, default=str) if remember else ""
        found = self._policy_sets.get(key) if key else None
        if found is None:
            found = PolicySet(compile_policy(doc, name, kind) for name, doc in named.items())
            if key:
                if len(self._policy_sets) >= _CACHE_LIMIT:
                    self._policy_sets.clear()
                self._policy_sets[key] = found
        return found

    def request(self, raw: object) -> Request:
        if not isinstance(raw, dict):
            raise SimulationInputError('"request" must be an object')
        missing = [name for name in ("principal", "action", "resource") if name not in raw]
        if missing:
            raise SimulationInputError(f'"request" needs {", ".join(missing)}')
        principal, action, resource = raw["principal"], raw["action"], raw["resource"]
        principal_type = raw.get("principal_type")
        if not all(isinstance(v, str) for v in (principal, action, resource)):
            raise SimulationInputError('"principal", "action" and "resource" must be strings')
        if principal_type is not None and not isinstance(principal_type, str):
            raise SimulationInputError('"principal_type" must be a string')
        context = raw.get("context", {})
        if not isinstance(context, dict):
            raise SimulationInputError('"context" must be an object')
        caller = self.caller(principal, principal_type)
        try:
            return Request.build(caller, action, resource, context)
        except TypeError:
            raise SimulationInputError(
                "context values must be a string, a list of strings, a boolean or a number"
            ) from None

    def caller(self, principal: str, principal_type: str | None) -> Caller:
        key = (principal, principal_type)
        caller = self._callers.get(key)
        if caller is None:
            caller = parse_caller(principal, principal_type)
            if len(self._callers) >= _CACHE_LIMIT:
                self._callers.clear()
            self._callers[key] = caller
        return caller
