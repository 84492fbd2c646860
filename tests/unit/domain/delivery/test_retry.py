"""The retry schedule: steps, jitter as an argument, the 840-minute deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openses.domain.delivery import DEFAULT_SCHEDULE, RetrySchedule, next_attempt

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (1, 1 * M),
        (2, 2 * M),
        (3, 5 * M),
        (4, 10 * M),
        (5, 20 * M),
        (6, 30 * M),
        (7, 60 * M),
        (8, 60 * M),
        (25, 60 * M),
    ],
)
def test_steps_without_jitter(attempts: int, wait: timedelta) -> None:
    assert DEFAULT_SCHEDULE.wait(attempts, 0.5) == wait
    assert next_attempt(attempts, T0, T0, 0.5) == T0 + wait


@pytest.mark.parametrize(
    ("jitter", "factor"),
    [(0.0, 0.9), (0.25, 0.95), (0.5, 1.0), (0.75, 1.05), (1.0, 1.1)],
)
def test_jitter_stretches_by_up_to_ten_percent(jitter: float, factor: float) -> None:
    wait = DEFAULT_SCHEDULE.wait(7, jitter)
    assert abs(wait.total_seconds() - 3600 * factor) < 1e-6


def test_default_deadline_is_840_minutes() -> None:
    assert DEFAULT_SCHEDULE.max_age == timedelta(minutes=840)
    assert DEFAULT_SCHEDULE.max_age_minutes == 840
    assert DEFAULT_SCHEDULE.expires_at(T0) == T0 + timedelta(hours=14)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 + timedelta(hours=13), T0 + timedelta(hours=14)),  # the last try is at the deadline
        (T0 + timedelta(hours=13, minutes=59), T0 + timedelta(hours=14)),
        (T0 + timedelta(hours=12), T0 + timedelta(hours=13)),
        (T0 + timedelta(hours=14), None),
        (T0 + timedelta(hours=15), None),
    ],
)
def test_expiry(now: datetime, expected: datetime | None) -> None:
    assert next_attempt(10, T0, now, 0.5) == expected
    assert DEFAULT_SCHEDULE.expired(T0, now) is (expected is None)


def test_whole_schedule_has_about_twenty_attempts() -> None:
    now, attempts = T0, 1
    times = [now]
    while (later := next_attempt(attempts, T0, now, 0.5)) is not None:
        now, attempts = later, attempts + 1
        times.append(now)
    assert times[-1] == T0 + timedelta(hours=14)
    assert 18 <= len(times) <= 22
    assert all(a < b for a, b in pairwise(times))


@pytest.mark.parametrize(("seconds", "minutes"), [(300, 5), (3600, 60), (50400, 840)])
def test_max_delivery_seconds(seconds: int, minutes: int) -> None:
    schedule = RetrySchedule.for_max_delivery_seconds(seconds)
    assert schedule.max_age_minutes == minutes
    assert schedule.next_attempt(1, T0, T0 + timedelta(seconds=seconds), 0.5) is None


@pytest.mark.parametrize("seconds", [0, 299, 50401, -1])
def test_max_delivery_seconds_bounds(seconds: int) -> None:
    with pytest.raises(ValueError, match="MaxDeliverySeconds"):
        RetrySchedule.for_max_delivery_seconds(seconds)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: DEFAULT_SCHEDULE.wait(0, 0.5), "at least 1"),
        (lambda: DEFAULT_SCHEDULE.wait(1, -0.1), "jitter"),
        (lambda: DEFAULT_SCHEDULE.wait(1, 1.5), "jitter"),
        (lambda: RetrySchedule(steps=()), "steps"),
        (lambda: RetrySchedule(steps=(timedelta(0),)), "steps"),
        (lambda: RetrySchedule(max_age=timedelta(0)), "maximum age"),
        (lambda: RetrySchedule(spread=1.0), "spread"),
    ],
)
def test_bad_arguments(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_custom_schedule() -> None:
    schedule = RetrySchedule(steps=(timedelta(seconds=30),), max_age=timedelta(minutes=5), spread=0)
    assert schedule.next_attempt(1, T0, T0, 0.0) == T0 + timedelta(seconds=30)
    assert schedule.next_attempt(
        9, T0, T0 + timedelta(minutes=4, seconds=50), 1.0
    ) == T0 + timedelta(minutes=5)


@given(
    st.integers(1, 100),
    st.integers(0, 20 * 3600),
    st.floats(0, 1),
)
def test_next_attempt_is_after_now_and_never_past_the_deadline(
    attempts: int, elapsed: int, jitter: float
) -> None:
    now = T0 + timedelta(seconds=elapsed)
    later = next_attempt(attempts, T0, now, jitter)
    deadline = T0 + timedelta(minutes=840)
    if now >= deadline:
        assert later is None
    else:
        assert later is not None
        assert now < later <= deadline
        assert later - now <= timedelta(minutes=66)
