"""Every condition operator of spec §6 (iam-policy-semantics.md), table-driven.

Each row is checked twice (``check``): the condition in an Allow statement must allow exactly
when it holds, and the same condition in a Deny statement beside an unconditional Allow (the
"deny twin") must deny exactly when it holds.
"""

from __future__ import annotations

from typing import Any

import pytest

from openses.domain.policy import DecisionKind, Request, compile_policy, evaluate, parse_caller

CALLER = parse_caller("arn:aws:iam::123456789012:user/alice")
RESOURCE = "arn:aws:ses:us-east-1:888888888888:identity/example.com"


def _statement(effect: str, sid: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": effect,
        "Principal": "*",
        "Action": "ses:SendEmail",
        "Resource": "*",
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def decide(statements: list[dict[str, Any]], context: dict[str, Any]) -> DecisionKind:
    policy = compile_policy({"Version": "2012-10-17", "Statement": statements}, name="p")
    return evaluate([policy], Request.build(CALLER, "ses:SendEmail", RESOURCE, context)).kind


def check(condition: dict[str, Any], context: dict[str, Any], expected: bool) -> None:
    alone = decide([_statement("Allow", "Cond", condition)], context)
    assert alone is (DecisionKind.ALLOW if expected else DecisionKind.IMPLICIT_DENY)
    twin = decide([_statement("Allow", "All"), _statement("Deny", "Cond", condition)], context)
    assert twin is (DecisionKind.EXPLICIT_DENY if expected else DecisionKind.ALLOW)


def row(id_: str, condition: dict[str, Any], context: dict[str, Any], expected: bool) -> Any:
    return pytest.param(condition, context, expected, id=id_)


def rows(key: str, table: list[tuple[str, str, Any, Any, bool]]) -> list[Any]:
    """Rows of ``(id, operator, policy value(s), request value, expected)`` on one key."""
    return [row(f"{op}-{i}", {op: {key: pv}}, {key: rv}, exp) for i, op, pv, rv, exp in table]


# --------------------------------------------------------------------- structural rules
# (operator, key, policy value, a request value it holds for, one it fails for); the second
# key of the "several keys" rows is the key with "2" appended.
S, NUM, D, IP = "ses:FromAddress", "test:Count", "aws:CurrentTime", "aws:SourceIp"
BOOL, BIN, ARNK = "aws:SecureTransport", "test:Blob", "aws:SourceArn"
S3B, S3K, S3C = "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:s3:::c/k"
# fmt: off
OPERATORS: list[tuple[str, str, Any, Any, Any]] = [
    ("StringEquals", S, "a@x.com", "a@x.com", "A@x.com"),
    ("StringNotEquals", S, "a@x.com", "b@x.com", "a@x.com"),
    ("StringEqualsIgnoreCase", S, "a@x.com", "A@X.com", "b@x"),
    ("StringNotEqualsIgnoreCase", S, "a@x", "b@x", "A@X"),
    ("StringLike", S, "*@x.com", "a@x.com", "a@y.com"),
    ("StringNotLike", S, "*@x.com", "a@y.com", "a@x.com"),
    ("NumericEquals", NUM, "10", "10.0", "11"),
    ("NumericNotEquals", NUM, "10", "11", "10"),
    ("NumericLessThan", NUM, "100", "20", "100"),
    ("NumericLessThanEquals", NUM, "100", "100", "101"),
    ("NumericGreaterThan", NUM, "20", "100", "20"),
    ("NumericGreaterThanEquals", NUM, "20", "20", "19.5"),
    ("DateEquals", D, "2024-01-01T00:00:00Z", "1704067200", "2024-01-02"),
    ("DateNotEquals", D, "2024-01-01", "2024-01-02", "1704067200"),
    ("DateLessThan", D, "2024-01-01", "2023-12-31T23:59Z", "2024-01-01"),
    ("DateLessThanEquals", D, "2024-01-01", "2024-01-01", "1704067201"),
    ("DateGreaterThan", D, "2024-01-01", "1704067201", "2023-06-01"),
    ("DateGreaterThanEquals", D, "2024-01-01", "1704067200", "2023-12-31"),
    ("Bool", BOOL, "true", True, False),
    ("BinaryEquals", BIN, "QmluYXJ5", "QmluYXJ5", "QmluYXJZ"),
    ("IpAddress", IP, "203.0.113.0/24", "203.0.113.9", "198.51.100.1"),
    ("NotIpAddress", IP, "203.0.113.0/24", "198.51.100.1", "203.0.113.9"),
    ("ArnEquals", ARNK, S3B, S3K, S3C),
    ("ArnLike", ARNK, S3B, S3K, S3C),
    ("ArnNotEquals", ARNK, S3B, S3C, S3K),
    ("ArnNotLike", ARNK, S3B, S3C, "arn:aws:s3:::b/"),
]
# fmt: on
# fmt: off
NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
           "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike"}
# fmt: on
G = "test:Guard"  # a second operator (Null false) on this key is ANDed with the one under test


def _structural() -> list[Any]:
    out = []
    for op, k, pv, hit, miss in OPERATORS:
        k2, ie, fa, fy = k + "2", f"{op}IfExists", f"ForAllValues:{op}", f"ForAnyValue:{op}"
        # fmt: off
        table: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
            ("positive", {op: {k: pv}}, {k: hit}, True),
            ("negative", {op: {k: pv}}, {k: miss}, False),
            ("missing-key", {op: {k: pv}}, {}, op in NEGATED),
            ("bare-list-hit", {op: {k: pv}}, {k: [hit]}, False),
            ("bare-list-miss", {op: {k: pv}}, {k: [miss]}, False),
            ("bare-empty-list", {op: {k: pv}}, {k: []}, False),
            ("ifexists-missing", {ie: {k: pv}}, {}, True),
            ("ifexists-hit", {ie: {k: pv}}, {k: hit}, True),
            ("ifexists-miss", {ie: {k: pv}}, {k: miss}, False),
            ("ifexists-bare-list", {ie: {k: pv}}, {k: [hit]}, False),
            ("forall-all", {fa: {k: pv}}, {k: [hit, hit]}, True),
            ("forall-one-fails", {fa: {k: pv}}, {k: [hit, miss]}, False),
            ("forall-empty", {fa: {k: pv}}, {k: []}, True),
            ("forall-missing", {fa: {k: pv}}, {}, True),
            ("forall-single", {fa: {k: pv}}, {k: miss}, False),
            ("forany-one", {fy: {k: pv}}, {k: [miss, hit]}, True),
            ("forany-none", {fy: {k: pv}}, {k: [miss, miss]}, False),
            ("forany-empty", {fy: {k: pv}}, {k: []}, False),
            ("forany-missing", {fy: {k: pv}}, {}, False),
            ("forany-single", {fy: {k: pv}}, {k: hit}, True),
            ("forany-ifexists-missing", {fy + "IfExists": {k: pv}}, {}, True),
            ("forall-ifexists-missing", {fa + "IfExists": {k: pv}}, {}, True),
            ("forall-ifexists-present", {fa + "IfExists": {k: pv}}, {k: [miss]}, False),
            ("key-case-policy-upper", {op: {k.upper(): pv}}, {k: hit}, True),
            ("key-case-context-upper", {op: {k: pv}}, {k.upper(): hit}, True),
            ("key-case-miss", {op: {k.upper(): pv}}, {k.lower(): miss}, False),
            ("two-keys-both", {op: {k: pv, k2: pv}}, {k: hit, k2: hit}, True),
            ("two-keys-one", {op: {k: pv, k2: pv}}, {k: hit, k2: miss}, False),
            ("two-ops-both", {op: {k: pv}, "Null": {G: "false"}}, {k: hit, G: "x"}, True),
            ("two-ops-other-fails", {op: {k: pv}, "Null": {G: "false"}}, {k: hit}, False),
            ("two-ops-this-fails", {op: {k: pv}, "Null": {G: "false"}}, {k: miss, G: "x"}, False),
        ]
        # fmt: on
        out += [row(f"{op}-{name}", cond, ctx, exp) for name, cond, ctx, exp in table]
    return out


@pytest.mark.parametrize(("condition", "context", "expected"), _structural())
def test_structural_rules(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


# ------------------------------------------------------------------------------ strings
SE, SNE, SL, SNL = "StringEquals", "StringNotEquals", "StringLike", "StringNotLike"
SEI, SNEI = "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"
AB, AB_ = ["a@x", "b@x"], ["*@a.com", "*@b.com"]
# fmt: off
STRING = rows(S, [
    ("case-sensitive", SE, "Alice@x.com", "alice@x.com", False),
    ("star-literal", SE, "*", "a@x.com", False),
    ("star-itself", SE, "*", "*", True),
    ("question-literal", SE, "a?x", "abx", False),
    ("values-or", SE, AB, "b@x", True),
    ("values-or-none", SE, AB, "c@x", False),
    ("json-number", SE, 3600, "3600", True),
    ("json-bool", SE, True, "true", True),
    ("context-bool", SE, "true", True, True),
    ("context-int", SE, "42", 42, True),
    ("empty-string", SE, "", "", True),
    ("nor-hit", SNE, AB, "b@x", False),
    ("nor-none", SNE, AB, "c@x", True),
    ("case", SNE, "a@x", "A@x", True),
    ("ascii", SEI, "Alice@Example.COM", "aLiCe@example.com", True),
    ("unicode-fold", SEI, "STRASSE", "straße", True),
    ("no-wildcard", SEI, "*", "a", False),
    ("nor-hit", SNEI, AB, "B@X", False),
    ("nor-none", SNEI, AB, "c@x", True),
    ("anchored", SL, "example.com", "alice@example.com", False),
    ("star-empty", SL, "a*", "a", True),
    ("star-everything", SL, "*", "", True),
    ("question-one", SL, "a?c", "abc", True),
    ("question-not-zero", SL, "a?c", "ac", False),
    ("question-not-two", SL, "a?c", "abbc", False),
    ("dot-literal", SL, "marketing+.*@x.com", "marketing+promo@x.com", False),
    ("dot-plus-literal-match", SL, "marketing+.*@x.com", "marketing+.promo@x.com", True),
    ("plus-literal", SL, "a+@x", "aa@x", False),
    ("bracket-literal", SL, "[ab]*", "a1", False),
    ("bracket-itself", SL, "[ab]*", "[ab]1", True),
    ("backslash-no-escape", SL, "a\\*", "a*", False),
    ("backslash-literal", SL, "a\\*", "a\\bc", True),
    ("paren-literal", SL, "(a|b)", "a", False),
    ("case-sensitive", SL, "*@Example.com", "a@example.com", False),
    ("crosses-newline", SL, "a*b", "a\nb", True),
    ("values-or", SL, AB_, "x@b.com", True),
    ("nor-hit", SNL, AB_, "x@b.com", False),
    ("nor-none", SNL, AB_, "x@c.com", True),
])
# fmt: on


@pytest.mark.parametrize(("condition", "context", "expected"), STRING)
def test_string_operators(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


# ------------------------------------------------------------------------------ numbers
NE, NNE, NLT = "NumericEquals", "NumericNotEquals", "NumericLessThan"
NLE, NGT, NGE = "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"
BAD_NUMBERS = ["abc", "10abc", "one hour", "1e3", "+5", " 5", ".5", "5.", "", "0x10", "${n}"]
# fmt: off
NUMERIC = rows(NUM, [
    ("trailing-zero", NE, "10", "10.00", True),
    ("json-int", NE, 3600, 3600, True),
    ("python-float", NE, 1e3, 1000, True),
    ("exact-decimal", NE, "0.3", "0.30", True),
    ("negative", NE, "-5", -5, True),
    ("numeric-not-text", NLT, "100", "20", True),
    ("numeric-not-text", NGT, "100", "20", False),
    ("negative", NLT, "3", "-5", True),
    ("fraction", NLT, "1", "0.999999999999999999999", True),
    ("strict", NLT, "5", "5", False),
    ("boundary", NGE, "5", "5.0", True),
    ("boundary", NLE, "5", "5.0", True),
    ("values-or", NE, ["5", "10"], 10, True),
    ("nor-hit", NNE, ["5", "10"], 10, False),
    ("nor-none", NNE, ["5", "10"], 7, True),
])
NUMERIC += [
    row("no-variable-substitution", {NE: {NUM: "${n}"}}, {NUM: "5", "n": "5"}, False),
    row("no-variable-substitution-negated", {NNE: {NUM: "${n}"}}, {NUM: "5", "n": "6"}, False),
]
# fmt: on
for _op in (NE, NNE, NLT, NLE, NGT, NGE):  # unparseable: positive and negated both false
    NUMERIC += rows(NUM, [(f"bad-request-{b!r}", _op, "5", b, False) for b in BAD_NUMBERS])
    NUMERIC += rows(NUM, [(f"bad-policy-{b!r}", _op, b, "5", False) for b in BAD_NUMBERS])


@pytest.mark.parametrize(("condition", "context", "expected"), NUMERIC)
def test_numeric_operators(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


@pytest.mark.parametrize("number", ["1e3", "1.0E3"])
def test_numeric_json_number_with_exponent_is_accepted(number: str):
    """§6.5 Numeric: "JSON numbers are accepted" -- including JSON's exponent notation."""
    doc = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",'
        ' "Action": "ses:SendEmail", "Resource": "*",'
        f' "Condition": {{"NumericEquals": {{"test:Count": {number}}}}}}}}}'
    )
    policy = compile_policy(doc, name="p")
    request = Request.build(CALLER, "ses:SendEmail", RESOURCE, {"test:Count": 1000})
    assert evaluate([policy], request).kind is DecisionKind.ALLOW


# -------------------------------------------------------------------------------- dates
DE, DNE, DLT = "DateEquals", "DateNotEquals", "DateLessThan"
DLE, DGT, DGE = "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"
Y24, Y23 = "2024-01-01T00:00:00Z", "2023-12-31"
# fmt: off
NEW_YEAR_FORMS = [  # every accepted form, each of them 2024-01-01T00:00:00Z
    "2024-01-01", "2024-01-01T00:00Z", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z",
    "2024-01-01T02:00+02:00", "2024-01-01T02:00:00+02:00", "2023-12-31T19:00:00-05:00",
    "2023-12-31T19:00:00.0-05:00", "2024-01-01T00:00:00+00:00", "1704067200", 1704067200,
]
BAD_DATES = [
    "yesterday", "2024-13-01", "2023-02-29", "2024-01-32", "2024/01/01", "2024-01-01 00:00:00Z",
    "2024-01-01T25:00:00Z", "2024-01-01T00:00:00+25:00", "1704067200.5", "-1", "", "${t}",
]
DATE = rows(D, [
    *((f"form-{f!r}-in-policy", DE, f, Y24, True) for f in NEW_YEAR_FORMS),
    *((f"form-{f!r}-in-request", DE, "2024-01-01", f, True) for f in NEW_YEAR_FORMS),
    ("same-instant", DNE, "1704067200", "2024-01-01", False),
    ("fraction-after", DGT, Y24, "2024-01-01T00:00:00.5Z", True),
    ("fraction-not-equal", DE, Y24, "2024-01-01T00:00:00.5Z", False),
    ("offset-moves-day-back", DLT, Y24, "2024-01-01T00:30:00+01:00", True),
    ("offset-negative", DGT, Y24, "2023-12-31T23:30:00-01:00", True),
    ("epoch-vs-iso", DLT, 1704067200, "2023-12-31T23:59:59Z", True),
    ("iso-vs-epoch", DGT, Y23, "1704067200", True),
    ("all-digits-is-epoch-not-year", DE, "2024", "1970-01-01T00:33:44Z", True),
    ("short-form-docs", DGT, "2021-08-31T12:00Z", "2021-08-31T12:00:01Z", True),
    ("strict", DGT, Y24, Y24, False),
    ("boundary", DGE, Y24, "1704067200", True),
    ("boundary", DLE, Y24, "1704067200", True),
    ("leap-day", DE, "2024-02-29", "1709164800", True),
    ("values-or", DE, ["2023-01-01", "2024-01-01"], "1704067200", True),
    ("nor-hit", DNE, ["2023-01-01", "2024-01-01"], "1704067200", False),
    ("nor-none", DNE, ["2023-01-01", "2024-01-01"], "2025-01-01", True),
])
DATE += [row("no-variable-substitution", {DE: {D: "${t}"}}, {D: Y24, "t": Y24}, False)]
# fmt: on
for _op in (DE, DNE, DLT, DLE, DGT, DGE):  # unparseable: positive and negated both false
    DATE += rows(D, [(f"bad-request-{b!r}", _op, "2024-01-01", b, False) for b in BAD_DATES])
    DATE += rows(D, [(f"bad-policy-{b!r}", _op, b, "2024-01-01", False) for b in BAD_DATES])


@pytest.mark.parametrize(("condition", "context", "expected"), DATE)
def test_date_operators(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


# ----------------------------------------------------------------------- bool and binary
TF = ["true", "false"]
# fmt: off
BOOL_BINARY = rows(BOOL, [
    ("string-true", "Bool", "true", "true", True),
    ("json-policy", "Bool", True, "true", True),
    ("false", "Bool", "false", False, True),
    ("false-vs-true", "Bool", False, True, False),
    ("uppercase-request", "Bool", "true", "TRUE", True),
    ("uppercase-policy", "Bool", "True", True, True),
    ("yes-never", "Bool", "true", "yes", False),
    ("one-never", "Bool", "true", "1", False),
    ("int-never", "Bool", "true", 1, False),
    ("both-values-true", "Bool", TF, True, True),
    ("both-values-false", "Bool", TF, False, True),
    ("both-values-junk", "Bool", TF, "yes", False),
]) + rows(BIN, [
    ("exact", "BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("case-matters", "BinaryEquals", "QmluYXJ5", "qmluyxj5", False),
    ("values-or", "BinaryEquals", ["AAAA", "QmluYXJ5"], "QmluYXJ5", True),
    ("no-wildcard", "BinaryEquals", "*", "QQ==", False),
])
# fmt: on


@pytest.mark.parametrize(("condition", "context", "expected"), BOOL_BINARY)
def test_bool_and_binary(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


# ---------------------------------------------------------------------------- addresses
IPA, NIP = "IpAddress", "NotIpAddress"
NET, NETS, V6 = "203.0.113.0/24", ["10.0.0.0/8", "203.0.113.0/24"], "2001:db8::/32"
# fmt: off
IP_ROWS = rows(IP, [
    ("v4-in-cidr", IPA, NET, "203.0.113.255", True),
    ("v4-network-address", IPA, NET, "203.0.113.0", True),
    ("v4-outside-cidr", IPA, NET, "203.0.114.0", False),
    ("v4-bare-is-32", IPA, "203.0.113.7", "203.0.113.7", True),
    ("v4-bare-is-32-neighbour", IPA, "203.0.113.7", "203.0.113.8", False),
    ("v4-slash-0-any", IPA, "0.0.0.0/0", "198.51.100.77", True),
    ("v4-slash-0-top", IPA, "0.0.0.0/0", "255.255.255.255", True),
    ("v4-slash-0-not-v6", IPA, "0.0.0.0/0", "2001:db8::1", False),
    ("v6-slash-0-not-v4", IPA, "::/0", "203.0.113.7", False),
    ("v6-slash-0-any", IPA, "::/0", "2001:db8::1", True),
    ("v6-cidr", IPA, V6, "2001:db8:ffff::1", True),
    ("v6-cidr-outside", IPA, V6, "2001:db9::1", False),
    ("v6-bare-is-128", IPA, "2001:db8::1", "2001:db8::2", False),
    ("v6-compression", IPA, "2001:0db8:0000::0001", "2001:db8::1", True),
    ("v6-expanded-request", IPA, "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", True),
    ("v6-hex-case", IPA, "2001:DB8::/32", "2001:db8::abcd", True),
    ("v6-hex-case-request", IPA, "2001:db8::abcd", "2001:DB8::ABCD", True),
    ("values-or", IPA, NETS, "10.1.2.3", True),
    ("no-wildcard", IPA, "203.0.113.*", "203.0.113.1", False),
    ("v4-outside", NIP, NET, "198.51.100.1", True),
    ("v6-caller-vs-v4-range", NIP, NET, "2001:db8::1", True),
    ("v4-caller-vs-v6-range", NIP, V6, "203.0.113.1", True),
    ("slash-0-v4", NIP, "0.0.0.0/0", "8.8.8.8", False),
    ("nor-hit", NIP, NETS, "203.0.113.1", False),
    ("nor-none", NIP, NETS, "8.8.8.8", True),
])
BAD_IP_REQUESTS = ["not-an-ip", "203.0.113.300", "203.0.113", "", "203.0.113.0/24", "2001:db8::g"]
BAD_IP_POLICIES = ["not-an-ip", "203.0.113.0/33", "2001:db8::/129", "", "${aws:SourceIp}"]
# fmt: on
for _op in (IPA, NIP):  # not an address: both operators false
    IP_ROWS += rows(
        IP, [(f"bad-request-{b!r}", _op, "8.0.0.0/8", b, False) for b in BAD_IP_REQUESTS]
    )
    IP_ROWS += rows(IP, [(f"bad-policy-{b!r}", _op, b, "8.8.8.8", False) for b in BAD_IP_POLICIES])


@pytest.mark.parametrize(("condition", "context", "expected"), IP_ROWS)
def test_ip_operators(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


# ------------------------------------------------------------------------------- ARNs
DOC_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
DOC_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
ROLE = "arn:aws:iam::111122223333:role/R"
SNS = ["arn:aws:sns:*:1:a", "arn:aws:sns:*:1:b"]
TOPIC, TOPIC_US1 = "arn:aws:sns:*:111122223333:t", "arn:aws:sns:us-east-1:111122223333:t"
LOGS = "arn:aws:logs:x:1:log-group:g:log-stream:s"
# (id, pattern, value, whether ArnLike / ArnEquals hold; the negated pair holds for the opposite)
# fmt: off
ARN_TABLE = [
    ("docs-example", DOC_PATTERN, DOC_VALUE, False),
    ("docs-example-match", DOC_PATTERN, "arn:aws:someservice:e:111122223333:finance/x:y", True),
    ("star-not-crossing-colon", TOPIC, "arn:aws:sns:us-east-1:x:111122223333:t", False),
    ("star-region", TOPIC, TOPIC_US1, True),
    ("question-one-char", "arn:aws:sns:us-east-?:111122223333:t", TOPIC_US1, True),
    ("question-not-two", "arn:aws:sns:us-east?:111122223333:t", TOPIC_US1, False),
    ("empty-region", ROLE, ROLE, True),
    ("case-sensitive-resource", ROLE, "arn:aws:iam::111122223333:role/r", False),
    ("case-sensitive-service", ROLE, "arn:aws:IAM::111122223333:role/R", False),
    ("sixth-crosses-colon", "arn:aws:logs:*:*:log-group:*", LOGS, True),
    ("values-or-nor", SNS, "arn:aws:sns:x:1:b", True),
    ("values-none", SNS, "arn:aws:sns:x:1:c", False),
]
# fmt: on
ARN: list[Any] = []
for _op in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
    _neg = "Not" in _op
    ARN += rows(ARNK, [(i, _op, p, v, hit != _neg) for i, p, v, hit in ARN_TABLE])
    ARN += rows(
        ARNK,
        [  # fewer than six components: false under the negated operators too
            ("request-five-components", _op, "arn:aws:sns:*:*:*", "arn:aws:sns:us-east-1:1", False),
            ("request-not-arn", _op, "*", "hello", False),
            ("policy-five-components", _op, "arn:aws:sns:*:*", "arn:aws:sns:us-east-1:1:t", False),
        ],
    )
ARN += rows(ARNK, [("crosses-colons", "StringLike", DOC_PATTERN, DOC_VALUE, True)])


@pytest.mark.parametrize(("condition", "context", "expected"), ARN)
def test_arn_operators(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


# ------------------------------------------------------------------------------- Null
K, R = "ses:FromDisplayName", "ses:Recipients"
FL = "ForAllValues:StringLike"
# fmt: off
NULL = [
    row("true-absent", {"Null": {K: "true"}}, {}, True),
    row("true-present", {"Null": {K: "true"}}, {K: "Jo"}, False),
    row("false-present", {"Null": {K: "false"}}, {K: "Jo"}, True),
    row("false-absent", {"Null": {K: "false"}}, {}, False),
    row("json-true", {"Null": {K: True}}, {}, True),
    row("json-false", {"Null": {K: False}}, {K: "Jo"}, True),
    row("uppercase-value", {"Null": {K: "TRUE"}}, {}, True),
    row("false-present-list", {"Null": {R: "false"}}, {R: ["a"]}, True),
    row("true-present-list", {"Null": {R: "true"}}, {R: ["a"]}, False),
    row("present-bool-false", {"Null": {K: "true"}}, {K: False}, False),
    row("key-case", {"Null": {"SES:FROMDISPLAYNAME": "false"}}, {K: "Jo"}, True),
    row("two-keys-and", {"Null": {K: "false", R: "true"}}, {K: "Jo"}, True),
    row("two-keys-and-fails", {"Null": {K: "false", R: "true"}}, {K: "Jo", R: ["b@x"]}, False),
    row("forall-like-null-absent", {"ForAllValues:Null": {K: "false"}}, {}, False),
    row("forall-like-null-present", {"ForAllValues:Null": {K: "true"}}, {K: ["a"]}, False),
    row("forany-like-null-absent", {"ForAnyValue:Null": {K: "true"}}, {}, True),
    row("forany-like-null-present", {"ForAnyValue:Null": {K: "false"}}, {K: ["a"]}, True),
    row("no-variables", {"Null": {K: "${test:Flag}"}}, {"test:Flag": "true"}, False),
    row("guards-forall", {FL: {R: "*@x.com"}, "Null": {R: "false"}}, {}, False),
    row("unguarded-forall", {FL: {R: "*@x.com"}}, {}, True),
]
# fmt: on


@pytest.mark.parametrize(("condition", "context", "expected"), NULL)
def test_null_operator(condition: dict[str, Any], context: dict[str, Any], expected: bool):
    check(condition, context, expected)


def test_negated_operators_hold_on_missing_key_and_positive_do_not():
    negated = {op for op, *_ in OPERATORS if op in NEGATED}
    assert len(negated) == 8
    assert len(OPERATORS) == 26  # every operator of §6.5 except Null, which has its own table
    for op, key, pv, _hit, _miss in OPERATORS:
        check({op: {key: pv}}, {}, op in negated)
