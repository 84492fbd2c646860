"""Property tests: glob matching (§3) against a reference matcher, and deny precedence (§8.1)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.policy import (
    DecisionKind,
    Request,
    compile_policy,
    evaluate,
    parse_caller,
)
from openses.domain.policy.values import parse_instant, parse_number
from openses.domain.policy.wildcards import compile_glob, compile_glob_set

PATTERN_ALPHABET = "ab*?.+\\[$"
TEXT_ALPHABET = "ab.+\\[$*?\n"


def reference_match(pattern: str, text: str) -> bool:
    """An independent glob matcher: ``*`` any run, ``?`` one character, all else literal."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        char = pattern[i]
        if char == "*":
            return match(i + 1, j) or (j < len(text) and match(i, j + 1))
        if j == len(text):
            return False
        return (char == "?" or char == text[j]) and match(i + 1, j + 1)

    return match(0, 0)


patterns = st.text(PATTERN_ALPHABET, max_size=8)
texts = st.text(TEXT_ALPHABET, max_size=10)
literal_patterns = st.text("ab.+\\[$(|^", max_size=8)


@st.composite
def pattern_and_match(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern and a text built to match it (wildcards filled in at random)."""
    pattern = draw(patterns)
    out = []
    for char in pattern:
        if char == "*":
            out.append(draw(st.text(TEXT_ALPHABET, max_size=3)))
        elif char == "?":
            out.append(draw(st.sampled_from(TEXT_ALPHABET)))
        else:
            out.append(char)
    return pattern, "".join(out)


def test_reference_matcher_sanity():
    assert reference_match("a*b?", "axxbc")
    assert not reference_match("a*b?", "axxb")
    assert reference_match("*", "")
    assert not reference_match("", "a")
    assert not reference_match("a.c", "abc")


@given(patterns, texts)
def test_compile_glob_agrees_with_reference(pattern: str, text: str):
    assert compile_glob(pattern)(text) is reference_match(pattern, text)


@given(pattern_and_match())
def test_compile_glob_matches_generated_instances(pair: tuple[str, str]):
    pattern, text = pair
    assert reference_match(pattern, text)
    assert compile_glob(pattern)(text)


@given(st.lists(patterns, max_size=4), texts)
def test_compile_glob_set_is_the_or_of_its_patterns(group: list[str], text: str):
    expected = any(reference_match(p, text) for p in group)
    assert compile_glob_set(group)(text) is expected


@given(literal_patterns, texts)
def test_pattern_without_wildcards_matches_only_itself(pattern: str, text: str):
    match = compile_glob(pattern)
    assert match(pattern)
    assert match(text) is (text == pattern)
    assert compile_glob_set([pattern])(text) is (text == pattern)


@given(texts)
def test_star_matches_everything(text: str):
    assert compile_glob("*")(text)
    assert compile_glob_set(["a", "*"])(text)
    assert compile_glob("**")(text)


# ------------------------------------------------------------- through the policy engine
CALLER = parse_caller("arn:aws:iam::123456789012:user/alice")
TARGET = "arn:aws:ses:us-east-1:888888888888:identity/example.com"


def decide(
    statements: list[dict[str, Any]], context: dict[str, Any], action: str = "ses:SendEmail"
) -> DecisionKind:
    policy = compile_policy({"Version": "2012-10-17", "Statement": statements}, name="p")
    return evaluate([policy], Request.build(CALLER, action, TARGET, context)).kind


@settings(max_examples=60)
@given(patterns.filter(lambda p: "$" not in p), texts)
def test_string_like_agrees_with_reference(pattern: str, text: str):
    condition = {"StringLike": {"t:k": pattern}}
    statement = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    kind = decide([{**statement, "Condition": condition}], {"t:k": text})
    assert (kind is DecisionKind.ALLOW) is reference_match(pattern, text)


@settings(max_examples=60)
@given(st.text("aBsE*?", min_size=1, max_size=6), st.text("AbSe", min_size=1, max_size=6))
def test_action_glob_is_case_insensitive(pattern: str, name: str):
    statement = {"Effect": "Allow", "Principal": "*", "Action": f"SeS:{pattern}", "Resource": "*"}
    kind = decide([statement], {}, action=f"ses:{name}")
    assert (kind is DecisionKind.ALLOW) is reference_match(pattern.lower(), name.lower())


# ------------------------------------------------------------------- deny precedence
PRINCIPALS = ["*", {"AWS": "123456789012"}, {"AWS": "999999999999"},
              {"AWS": "arn:aws:iam::123456789012:user/alice"}]  # fmt: skip
ACTIONS = [("Action", "ses:SendEmail"), ("Action", "ses:Send*"), ("Action", "ses:SendRawEmail"),
           ("NotAction", "ses:SendRawEmail"), ("NotAction", "ses:SendEmail")]  # fmt: skip
RESOURCES = [("Resource", "*"), ("Resource", TARGET), ("Resource", TARGET + ".org"),
             ("NotResource", TARGET + ".org"), ("NotResource", TARGET)]  # fmt: skip
CONDITIONS = [None, {"StringEquals": {"ses:FromAddress": "a@example.com"}},
              {"StringLike": {"ses:FromAddress": "b*"}}, {"Null": {"ses:FromAddress": "true"}},
              {"Bool": {"aws:SecureTransport": "true"}}]  # fmt: skip
CONTEXTS = st.sampled_from(
    [
        {},
        {"ses:FromAddress": "a@example.com"},
        {"ses:FromAddress": "b@example.com", "aws:SecureTransport": True},
    ]
)


@st.composite
def statement(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    action_key, action = draw(st.sampled_from(ACTIONS))
    resource_key, resource = draw(st.sampled_from(RESOURCES))
    out: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        "Principal": draw(st.sampled_from(PRINCIPALS)),
        action_key: action,
        resource_key: resource,
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        out["Condition"] = condition
    return out


def with_sids(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**s, "Sid": f"S{i}"} for i, s in enumerate(statements)]


statement_lists = st.lists(statement(), min_size=1, max_size=6).map(with_sids)


def summary(policies: list[list[dict[str, Any]]], context: dict[str, Any]) -> tuple[Any, ...]:
    compiled = [
        compile_policy({"Version": "2012-10-17", "Statement": group}, name=f"p{i}")
        for i, group in enumerate(policies)
        if group
    ]
    decision = evaluate(compiled, Request.build(CALLER, "ses:SendEmail", TARGET, context))
    return decision.kind, frozenset(ref.sid for ref in decision.statements)


@given(statement_lists, CONTEXTS)
def test_decision_is_deny_over_allow_over_implicit(statements, context):
    """The pooled decision equals the §8.1 formula over each statement evaluated alone."""
    applies = {s["Sid"]: decide([s], context) is not DecisionKind.IMPLICIT_DENY for s in statements}
    denies = {s["Sid"] for s in statements if s["Effect"] == "Deny" and applies[s["Sid"]]}
    allows = {s["Sid"] for s in statements if s["Effect"] == "Allow" and applies[s["Sid"]]}
    kind, sids = summary([statements], context)
    if denies:
        assert (kind, sids) == (DecisionKind.EXPLICIT_DENY, denies)
    elif allows:
        assert (kind, sids) == (DecisionKind.ALLOW, allows)
    else:
        assert (kind, sids) == (DecisionKind.IMPLICIT_DENY, frozenset())


@given(statement_lists, statement(effect="Deny"), CONTEXTS)
def test_adding_an_applicable_deny_always_denies(statements, deny, context):
    deny = {**deny, "Sid": "Added"}
    if decide([deny], context) is not DecisionKind.EXPLICIT_DENY:
        deny = {"Sid": "Added", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    kind, sids = summary([[*statements, deny]], context)
    assert kind is DecisionKind.EXPLICIT_DENY
    assert "Added" in sids


@given(statement_lists, CONTEXTS)
def test_removing_all_denies_never_denies_explicitly(statements, context):
    before, _ = summary([statements], context)
    allows_only = [s for s in statements if s["Effect"] == "Allow"]
    after, _ = summary([allows_only], context)
    assert after is not DecisionKind.EXPLICIT_DENY
    if before is DecisionKind.ALLOW:
        assert after is DecisionKind.ALLOW


@given(statement_lists, CONTEXTS, st.randoms(use_true_random=False))
def test_order_does_not_matter(statements, context, rng):
    shuffled = list(statements)
    rng.shuffle(shuffled)
    assert summary([shuffled], context) == summary([statements], context)


@given(statement_lists, CONTEXTS, st.lists(st.integers(0, 3), min_size=6, max_size=6))
def test_split_across_policies_does_not_matter(statements, context, buckets):
    groups: list[list[dict[str, Any]]] = [[], [], [], []]
    for statement_, bucket in zip(statements, buckets, strict=False):
        groups[bucket].append(statement_)
    assert summary(groups, context) == summary([statements], context)


# ------------------------------------------------------------------- typed value readers
@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30)),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
    st.sampled_from(["seconds", "minutes", "fraction"]),
)
def test_parse_instant_agrees_with_datetime(moment: datetime, offset: int, form: str):
    moment = moment.replace(microsecond=0, second=0 if form == "minutes" else moment.second)
    zone = timezone(timedelta(minutes=offset))
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset)
    text = local.strftime("%Y-%m-%dT%H:%M" if form == "minutes" else "%Y-%m-%dT%H:%M:%S")
    text += ".25" if form == "fraction" else ""
    text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    epoch = calendar.timegm(moment.timetuple())
    expected = epoch + (Decimal("0.25") if form == "fraction" else Decimal(0))
    assert parse_instant(text) == expected
    assert parse_instant(str(epoch)) == epoch
    assert parse_instant(moment.strftime("%Y-%m-%dT%H:%M:%SZ")) == epoch


@given(st.integers(-(10**30), 10**30), st.integers(0, 10**12), st.booleans())
def test_parse_number_reads_decimal_literals_exactly(whole: int, fraction: int, dotted: bool):
    text = f"{whole}.{fraction}" if dotted else str(whole)
    assert parse_number(text) == Decimal(text)
    assert parse_number(text + "x") is None
    assert parse_number("+" + text.lstrip("-")) is None
