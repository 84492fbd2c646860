"""When to try a deferred recipient again, and when to give up: the schedule as data.

SES retries a soft bounce "for a certain period of time" and then reports a ``Transient``
bounce (notification-contents.md, "Bounce types"); the period is observable in its expiry
bounces, ``554 4.4.7 Message expired: unable to deliver in 840 minutes.<last reply>``, and is
the upper bound of a configuration set's ``DeliveryOptions.MaxDeliverySeconds`` (SES API v2:
300 to 50400 seconds). So the default maximum age is 840 minutes (14 hours), counted from the
first attempt, and a schedule can be shortened within SES's bounds with
``RetrySchedule.for_max_delivery_seconds``.

Between attempts we wait 1, 2, 5, 10, 20 and 30 minutes, then every hour (our choice: quick
enough for greylisting, which usually clears within minutes, and about twenty attempts in 14
hours). The domain draws no randomness: ``jitter`` is a number in [0, 1] the caller draws, and
it stretches or shrinks each wait by up to ``spread`` (10%) so that recipients deferred
together do not come back together. The last attempt happens at the deadline itself, so no
recipient expires without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_MAX_DELIVERY_SECONDS = 300
MAX_MAX_DELIVERY_SECONDS = 50400
DEFAULT_STEPS = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
    timedelta(minutes=20),
    timedelta(minutes=30),
    timedelta(hours=1),
)
DEFAULT_MAX_AGE = timedelta(seconds=MAX_MAX_DELIVERY_SECONDS)  # 840 minutes
DEFAULT_SPREAD = 0.1


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """Waits after the 1st, 2nd, ... failed attempt (the last repeats), and the maximum age."""

    steps: tuple[timedelta, ...] = DEFAULT_STEPS
    max_age: timedelta = DEFAULT_MAX_AGE
    spread: float = DEFAULT_SPREAD

    def __post_init__(self) -> None:
        if not self.steps or any(step <= timedelta(0) for step in self.steps):
            raise ValueError("retry steps must be positive and at least one")
        if self.max_age <= timedelta(0):
            raise ValueError("the maximum age must be positive")
        if not 0 <= self.spread < 1:
            raise ValueError("the spread must be in [0, 1)")

    @classmethod
    def for_max_delivery_seconds(cls, seconds: int) -> RetrySchedule:
        """The default steps with a configuration set's ``MaxDeliverySeconds``."""
        if not MIN_MAX_DELIVERY_SECONDS <= seconds <= MAX_MAX_DELIVERY_SECONDS:
            raise ValueError(
                f"MaxDeliverySeconds must be between {MIN_MAX_DELIVERY_SECONDS} and "
                f"{MAX_MAX_DELIVERY_SECONDS}, not {seconds}"
            )
        return cls(max_age=timedelta(seconds=seconds))

    @property
    def max_age_minutes(self) -> int:
        """The age limit in whole minutes, as SES's expiry text states it."""
        return int(self.max_age.total_seconds() // 60)

    def wait(self, attempts: int, jitter: float) -> timedelta:
        """The wait after ``attempts`` failed attempts (1 or more), jitter applied."""
        if attempts < 1:
            raise ValueError("attempts counts the attempts made, so it is at least 1")
        if not 0.0 <= jitter <= 1.0:
            raise ValueError("jitter must be in [0, 1]")
        step = self.steps[min(attempts, len(self.steps)) - 1]
        return step * (1 + self.spread * (2 * jitter - 1))

    def expires_at(self, first_attempt_at: datetime) -> datetime:
        return first_attempt_at + self.max_age

    def expired(self, first_attempt_at: datetime, now: datetime) -> bool:
        return now >= self.expires_at(first_attempt_at)

    def next_attempt(
        self, attempts: int, first_attempt_at: datetime, now: datetime, jitter: float
    ) -> datetime | None:
        """When to try again after ``attempts`` failed attempts, or ``None``: expired."""
        wait = self.wait(attempts, jitter)
        deadline = self.expires_at(first_attempt_at)
        if now >= deadline:
            return None
        return min(now + wait, deadline)


DEFAULT_SCHEDULE = RetrySchedule()


def next_attempt(
    attempts: int,
    first_attempt_at: datetime,
    now: datetime,
    jitter: float,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
) -> datetime | None:
    """``schedule.next_attempt``: the next try's time, or ``None`` once the recipient expired."""
    return schedule.next_attempt(attempts, first_attempt_at, now, jitter)
