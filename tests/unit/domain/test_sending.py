"""The pure sending rules: the send-rate bucket, the daily quota, simulator addresses, wording."""

from __future__ import annotations

import pytest

from openses.domain.sending import (
    Address,
    RateBucket,
    daily_quota_left,
    is_simulator,
    not_verified_message,
)


@pytest.mark.parametrize(
    ("bucket", "rate", "now_ms", "recipients", "expected"),
    [
        pytest.param(RateBucket(1.0, 0), 1.0, 0, 1, RateBucket(0.0, 0), id="full-one-per-second"),
        pytest.param(RateBucket(0.0, 0), 1.0, 500, 1, None, id="half-refilled-is-not-enough"),
        pytest.param(RateBucket(0.0, 0), 1.0, 1000, 1, RateBucket(0.0, 1000), id="refilled"),
        pytest.param(
            RateBucket(1.0, 0), 1.0, 0, 3, RateBucket(-2.0, 0), id="many-recipients-overdraw"
        ),
        pytest.param(RateBucket(-2.0, 0), 1.0, 2000, 1, None, id="overdrawn-waits"),
        pytest.param(RateBucket(-2.0, 0), 1.0, 3000, 1, RateBucket(0.0, 3000), id="repaid"),
        pytest.param(
            RateBucket(14.0, 0), 14.0, 10_000, 14, RateBucket(0.0, 10_000), id="capped-capacity"
        ),
        pytest.param(RateBucket(0.0, 0), 14.0, 50, 1, None, id="fraction-of-a-token-is-not-enough"),
        pytest.param(RateBucket(0.0, 100), 1.0, 0, 1, None, id="clock-going-back-refills-nothing"),
        pytest.param(
            RateBucket(0.5, 0), 0.5, 1000, 1, RateBucket(0.0, 1000), id="slow-rate-capacity-one"
        ),
    ],
)
def test_rate_bucket_take(
    bucket: RateBucket, rate: float, now_ms: int, recipients: int, expected: RateBucket | None
) -> None:
    assert bucket.take(rate, now_ms, recipients) == expected


def test_a_full_bucket_holds_one_seconds_worth() -> None:
    assert RateBucket.full(14.0, 5) == RateBucket(14.0, 5)
    assert RateBucket.full(0.2, 5) == RateBucket(1.0, 5)


@pytest.mark.parametrize(
    ("maximum", "sent", "left"),
    [
        (200, 0, True),
        (200, 199, True),
        (200, 200, False),
        (200, 250, False),  # overshot by a multi-recipient message
        (-1, 10**9, True),  # unlimited
    ],
)
def test_daily_quota(maximum: float, sent: float, left: bool) -> None:
    assert daily_quota_left(maximum, sent) is left


@pytest.mark.parametrize(
    ("address", "simulator"),
    [
        ("success@simulator.amazonses.com", True),
        ("bounce+label@simulator.amazonses.com", True),
        ("Complaint@SIMULATOR.amazonses.com", True),
        ("suppressionlist@simulator.amazonses.com", True),
        ("ooto@simulator.amazonses.com", True),
        ("other@simulator.amazonses.com", False),
        ("success@amazonses.com", False),
        ("success@simulator.amazonses.com.evil.example", False),
        ("no-at-sign", False),
    ],
)
def test_simulator_addresses(address: str, simulator: bool) -> None:
    assert is_simulator(address) is simulator


def test_not_verified_message_lists_given_and_bare_forms_once() -> None:
    message = not_verified_message(
        "us-west-2",
        [
            Address("a@x.example", "Ann", "Ann <a@x.example>"),
            Address("a@x.example", "Ann", "Ann <a@x.example>"),
            Address("b@y.example"),
        ],
    )
    assert message == (
        "Email address is not verified. The following identities failed the check in region "
        "US-WEST-2: Ann <a@x.example>, a@x.example, b@y.example"
    )
