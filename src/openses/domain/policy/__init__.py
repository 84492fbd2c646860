"""The IAM policy engine: parse and compile policies once, evaluate them many times.

Pure: no I/O, no clock, no globals. It knows nothing of SES; the SES rules for sending
authorization policies live in :mod:`openses.domain.sending_policy` and the SES decision in
:mod:`openses.domain.authorization`.
"""

from __future__ import annotations

from openses.domain.policy.context import Context, make_context
from openses.domain.policy.document import (
    Effect,
    Policy,
    PolicyError,
    PolicyKind,
    Problem,
    Statement,
    StatementRef,
    compile_policy,
    load_json,
    parse_policy,
)
from openses.domain.policy.evaluation import (
    Decision,
    DecisionKind,
    PolicySet,
    Request,
    evaluate,
)
from openses.domain.policy.principals import Caller, CallerKind, InvalidCaller, parse_caller

__all__ = [
    "Caller",
    "CallerKind",
    "Context",
    "Decision",
    "DecisionKind",
    "Effect",
    "InvalidCaller",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "Problem",
    "Request",
    "Statement",
    "StatementRef",
    "compile_policy",
    "evaluate",
    "load_json",
    "make_context",
    "parse_caller",
    "parse_policy",
]
