"""Shortcuts in the submission and rate-bucket values, pinned to their definitions."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openses.domain.arn import IdentityArn
from openses.domain.sending import Address, RateBucket, Role, RoleUse, Submission

A = IdentityArn("aws", "us-east-1", "111122223333", "bench.example")
A_AGAIN = IdentityArn("aws", "us-east-1", "111122223333", "bench.example")  # equal, not same
B = IdentityArn("aws", "us-east-1", "111122223333", "app@bench.example")


def submission(
    source: IdentityArn | None, from_: IdentityArn | None, feedback: IdentityArn | None
) -> Submission:
    address = Address("app@bench.example")
    return Submission(
        actions=("ses:SendRawEmail",),
        api_version="1",
        source=RoleUse(Role.SOURCE, address, source),
        from_=RoleUse(Role.FROM, address, from_),
        feedback=RoleUse(Role.FEEDBACK, address, feedback),
        recipients=("x@example.net",),
        message=b"",
        subject="",
    )


@pytest.mark.parametrize("arns", list(itertools.product([A, A_AGAIN, B, None], repeat=3)), ids=repr)
def test_identity_arns_are_the_distinct_arns_in_role_order(
    arns: tuple[IdentityArn | None, IdentityArn | None, IdentityArn | None],
) -> None:
    expected = tuple(dict.fromkeys(str(arn) for arn in arns if arn is not None))
    assert submission(*arns).identity_arns == expected


@given(
    st.floats(min_value=-100, max_value=100),
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0.01, max_value=1000),
    st.integers(min_value=0, max_value=2 * 10**6),
    st.integers(min_value=1, max_value=50),
)
def test_take_is_refilled_then_taken(
    tokens: float, updated: int, rate: float, now: int, recipients: int
) -> None:
    bucket = RateBucket(tokens, updated)
    current = bucket.refilled(rate, now)
    expected = None if current.tokens < 1 else RateBucket(current.tokens - recipients, now)
    assert bucket.take(rate, now, recipients) == expected
