"""The fast ways of building a send's context and naming covering identities, pinned to the
definitions they replace (kept here as references)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.arn import IdentityArn
from openses.domain.authorization import OwnerIdentity, authorize_use, sending_context
from openses.domain.identities import covering_identities, split_address
from openses.domain.policy import Caller, CallerKind, PolicySet, compile_policy, parse_caller
from openses.domain.policy.context import (
    ContextValue,
    make_context,
    normalize_value,
    request_keys,
    scalar_text,
    utc_seconds_text,
)

# ------------------------------------------------------------------------ references


def reference_normalize(value: object) -> ContextValue:
    if isinstance(value, list | tuple):
        return tuple(scalar_text(item) for item in value)
    return scalar_text(value)


def reference_make_context(values: Mapping[str, object]) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for key, value in values.items():
        if value is None:
            continue
        context[key.lower()] = reference_normalize(value)
    return context


def reference_sending_context(
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
) -> dict[str, ContextValue]:
    instant = now.astimezone(UTC)
    values: dict[str, object] = dict(caller.context_keys())
    values.update(
        {
            "aws:CurrentTime": instant.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": int(instant.timestamp()),
            "aws:SourceIp": source_ip,
            "aws:UserAgent": user_agent,
            "aws:SecureTransport": secure_transport,
        }
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
    return reference_make_context(values)


def reference_covering(address: str) -> list[str]:
    parts = split_address(address)
    if parts is None:
        return []
    local, domain = parts
    names = [f"{local}@{domain}"]
    base, plus, _label = local.partition("+")
    if plus and base:
        names.append(f"{base}@{domain}")
    labels = domain.split(".")
    names.extend(".".join(labels[i:]) for i in range(len(labels)))
    return names


# -------------------------------------------------------------------- sending_context

NOW = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
CALLERS = [
    parse_caller("arn:aws:iam::222233334444:root"),
    parse_caller("arn:aws:iam::222233334444:user/path/app"),
    parse_caller("arn:aws:sts::222233334444:assumed-role/Sender/session"),
    parse_caller("arn:aws:sts::222233334444:federated-user/bob"),
    parse_caller("ses.amazonaws.com"),
    parse_caller("cognito-identity.amazonaws.com", "Federated"),
    # Hand-made callers whose keys are not the usual ones: the general path must serve them.
    Caller("odd", CallerKind.USER, None, (), frozenset(), (("aws:SourceIp", "9.9.9.9"),)),
    Caller("odd", CallerKind.USER, None, (), frozenset(), (("aws:sourceip", "9.9.9.9"),)),
    Caller("odd", CallerKind.USER, None, (), frozenset(), (("AWS:UserId", "u"),)),
]
EXTRAS: list[Mapping[str, object] | None] = [
    None,
    {},
    {"aws:userid": "222233334444"},
    {"aws:userid": None},
    {"aws:UserId": "other"},
    {"aws:username": None, "aws:UserName": "x"},
    {"aws:SourceAccount": "222233334444", "aws:SourceArn": "arn:aws:ses:us-east-1:1:x"},
    {"aws:SourceIp": None},
    {"aws:SourceIp": "1.2.3.4"},
    {"aws:sourceip": "1.2.3.4"},
    {"aws:sourceip": None},
    {"ses:FromAddress": "other@example.com"},
    {"ses:fromdisplayname": "Shown"},
    {"ses:FromDisplayName": None},
    {"ses:Recipients": ["a@b"]},
    {"aws:SecureTransport": None},
    {"x:Number": 7, "x:Decimal": Decimal("1.50"), "x:Float": 0.1, "x:Bool": False},
    {"x:List": ["a", 1, True], "x:Tuple": (), "x:userid": "shadow"},
    {"aws:PrincipalAccount": "999999999999", "aws:principalaccount": None},
    {"aws:principalaccount": "999999999999"},
]
OPTIONALS: list[dict[str, str | None]] = [
    {"source_ip": None, "user_agent": None, "from_display_name": None},
    {"source_ip": "127.0.0.1", "user_agent": "Boto3/1.35", "from_display_name": "Bench App"},
    {"source_ip": "::1", "user_agent": None, "from_display_name": "X"},
]


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: f"{c.name}:{c.keys}")
@pytest.mark.parametrize("extra", EXTRAS, ids=repr)
def test_sending_context_is_the_merged_context(
    caller: Caller, extra: Mapping[str, object] | None
) -> None:
    for optional, secure, recipients, feedback in itertools.product(
        OPTIONALS,
        [True, False],
        [["someone@example.net"], [], ("a@example.net", "b@example.net")],
        [None, "bounce@bench.example"],
    ):
        arguments: dict[str, object] = {
            "now": NOW,
            "api_version": "2",
            "from_address": "app@bench.example",
            "recipients": recipients,
            "feedback_address": feedback,
            "secure_transport": secure,
            "extra": extra,
            **optional,
        }
        made = sending_context(caller, **arguments)  # type: ignore[arg-type]
        expected = reference_sending_context(caller, **arguments)  # type: ignore[arg-type]
        assert list(made.items()) == list(expected.items())  # same keys, same order


@settings(max_examples=300)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
)
def test_current_time_text_is_strftime(now: datetime) -> None:
    instant = now.astimezone(UTC)
    assert utc_seconds_text(instant) == instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    keys = request_keys(now=now)
    assert keys["aws:CurrentTime"] == instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("year", [1, 9, 99, 999, 1000, 1970, 2025, 9999])
def test_current_time_text_in_every_year_width(year: int) -> None:
    instant = datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert utc_seconds_text(instant) == instant.strftime("%Y-%m-%dT%H:%M:%SZ")


VALUES: list[object] = [
    "text",
    "",
    True,
    False,
    0,
    -12,
    10**20,
    Decimal("1E+3"),
    Decimal("-0.50"),
    0.1,
    1e100,
    ["a", 1, False, Decimal("2.0")],
    ("x",),
    [],
    None,
]


def test_make_context_and_normalize_value_are_unchanged() -> None:
    values = {f"Key{i}": value for i, value in enumerate(VALUES)}
    values.update({"KEY0": "again", "key1": None, "kEy2": 5})
    assert list(make_context(values).items()) == list(reference_make_context(values).items())
    for value in VALUES:
        if value is not None:
            assert normalize_value(value) == reference_normalize(value)
    with pytest.raises(TypeError):
        normalize_value(object())
    with pytest.raises(TypeError):
        make_context({"k": {"not": "scalar"}})


# --------------------------------------------------------------- covering identities

ADDRESSES = [
    "news+eu@mail.example.com",
    "app@bench.example",
    "App@Bench.Example",
    "+tag@example.com",
    "a+@example.com",
    "a+b+c@example.com",
    "a@b",
    "a@.",
    "a@a..b",
    "a@a.",
    "a@.b",
    "a@@b.c",
    "@example.com",
    "a@",
    "no-at-sign",
    "",
    "ü@exämple.com",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_covering_identities_are_unchanged(address: str) -> None:
    assert covering_identities(address) == reference_covering(address)


@given(st.text(alphabet="ab+@.Z", max_size=12))
def test_generated_addresses_are_covered_as_before(address: str) -> None:
    assert covering_identities(address) == reference_covering(address)


# ---------------------------------------------------------------------- authorize_use

ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "ses:*", "Resource": "*"},
    ],
}


@pytest.mark.parametrize(
    ("named", "address", "governing"),
    [
        ("bench.example", "app@bench.example", "bench.example"),
        ("Bench.Example", "app@bench.example", "bench.example"),
        ("bench.example", "app@sub.bench.example", "bench.example"),
        ("app@bench.example", "app+x@bench.example", "app@bench.example"),
    ],
)
def test_the_governing_arn_names_the_governing_identity(
    named: str, address: str, governing: str
) -> None:
    owner = "111122223333"
    arn = IdentityArn("aws", "us-east-1", owner, named)
    identity = OwnerIdentity(governing, True, PolicySet([compile_policy(ALLOW_ALL)]))
    context = sending_context(
        parse_caller("arn:aws:iam::222233334444:root"),
        now=NOW,
        api_version="1",
        from_address=address,
        recipients=["x@example.net"],
    )
    decided = authorize_use(
        caller=parse_caller("arn:aws:iam::222233334444:root"),
        action="ses:SendRawEmail",
        region="us-east-1",
        address=address,
        arn=arn,
        owner_identities={governing: identity},
        context=context,
    )
    assert decided.allowed
    assert decided.governing == IdentityArn("aws", "us-east-1", owner, governing)
    assert str(decided.governing) == f"arn:aws:ses:us-east-1:{owner}:identity/{governing}"
    assert decided.decision is not None
    assert decided.decision.request.resource == str(decided.governing)
