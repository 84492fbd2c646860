"""The retry schedule of failed HTTP deliveries and SNS's delivery policies."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from openses.domain.topics.names import TopicParameterError
from openses.domain.topics.retries import (
    DEFAULT_CONTENT_TYPE,
    DEFAULT_RETRY,
    Backoff,
    DeliveryPolicy,
    RetryPolicy,
    effective_delivery,
    parse_subscription_delivery_policy,
    parse_topic_delivery_policy,
)


def schedule(policy: RetryPolicy) -> list[float | None]:
    waits = [policy.delay(failures) for failures in range(1, policy.retries + 2)]
    return [None if wait is None else wait.total_seconds() for wait in waits]


def test_sns_default_is_three_retries_twenty_seconds_apart() -> None:
    assert schedule(DEFAULT_RETRY) == [20, 20, 20, None]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (RetryPolicy(5, 5, 2, no_delay_retries=2), [0, 0, None]),
        (RetryPolicy(5, 60, 3, min_delay_retries=1, max_delay_retries=1), [5, 60, 60, None]),
        (RetryPolicy(10, 40, 4, backoff=Backoff.LINEAR), [17.5, 25, 32.5, 40, None]),
        (RetryPolicy(10, 40, 2, backoff=Backoff.EXPONENTIAL), [20, 40, None]),
        (RetryPolicy(10, 50, 2, backoff=Backoff.ARITHMETIC), [20, 50, None]),
        (
            RetryPolicy(10, 50, 4, backoff=Backoff.GEOMETRIC),
            [30, pytest.approx(38.28, 0.01), pytest.approx(44.64, 0.01), 50, None],
        ),
        (RetryPolicy(1, 1, 0), [None]),
    ],
    ids=["no-delay", "phases", "linear", "exponential", "arithmetic", "geometric", "none"],
)
def test_phases_and_backoff_functions(policy: RetryPolicy, expected: list[object]) -> None:
    assert schedule(policy) == expected


def test_no_retry_before_a_failure() -> None:
    assert DEFAULT_RETRY.delay(0) is None


@pytest.mark.parametrize("backoff", list(Backoff), ids=lambda b: b.value)
def test_backoff_grows_from_min_to_max(backoff: Backoff) -> None:
    policy = RetryPolicy(2, 300, 8, backoff=backoff)
    waits = [policy.delay(n) for n in range(1, 9)]
    seconds = [wait.total_seconds() for wait in waits if wait is not None]
    assert seconds == sorted(seconds)
    assert seconds[0] >= 2
    assert seconds[-1] == pytest.approx(300)


def test_policy_survives_storage_text() -> None:
    policy = RetryPolicy(3, 30, 5, 1, 1, 1, Backoff.GEOMETRIC)
    assert RetryPolicy.from_text(policy.to_text()) == policy


def test_topic_policy_parses_and_subscriptions_override_it() -> None:
    topic = parse_topic_delivery_policy(
        json.dumps(
            {
                "http": {
                    "defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 1},
                    "defaultRequestPolicy": {"headerContentType": "application/json"},
                }
            }
        )
    )
    assert topic.retry == RetryPolicy(1, 20, 5)
    assert topic.content_type == "application/json"
    subscription = parse_subscription_delivery_policy(
        '{"healthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 2, "maxDelayTarget": 2}}'
    )
    assert effective_delivery(topic, subscription).retry == RetryPolicy(2, 2, 1)
    assert effective_delivery(topic, subscription).content_type == "application/json"
    locked = DeliveryPolicy(topic.retry, None, disable_overrides=True)
    assert effective_delivery(locked, subscription).retry == topic.retry
    assert effective_delivery(DeliveryPolicy(), DeliveryPolicy()).retry == DEFAULT_RETRY
    assert effective_delivery(DeliveryPolicy(), DeliveryPolicy()).content_type == (
        DEFAULT_CONTENT_TYPE
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "not valid JSON"),
        ('{"sqs": {}}', "does not support: 'sqs'"),
        ('{"http": {"defaultHealthyRetryPolicy": {"numRetries": 101}}}', "numRetries"),
        (
            '{"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 30, "maxDelayTarget": 20}}}',
            "minDelayTarget",
        ),
        (
            '{"http": {"defaultHealthyRetryPolicy": {"numRetries": 1, "numNoDelayRetries": 2}}}',
            "> numRetries",
        ),
        ('{"http": {"defaultHealthyRetryPolicy": {"backoffFunction": "cubic"}}}', "backoff"),
        (
            '{"http": {"defaultHealthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 60,'
            ' "maxDelayTarget": 60}}}',
            "3600 seconds",
        ),
        ('{"http": {"defaultThrottlePolicy": {"maxReceivesPerSecond": 1}}}', "Throttle"),
        ('{"http": {"defaultRequestPolicy": {"headerContentType": "nonsense"}}}', "media type"),
        ('{"http": {"disableSubscriptionOverrides": "yes"}}', "true or false"),
    ],
    ids=[
        "json",
        "protocol",
        "retries",
        "min-max",
        "phases",
        "backoff",
        "total",
        "throttle",
        "content-type",
        "overrides",
    ],
)
def test_bad_topic_policies_are_refused(text: str, reason: str) -> None:
    with pytest.raises(TopicParameterError) as refused:
        parse_topic_delivery_policy(text)
    assert refused.value.message.startswith("Invalid parameter: DeliveryPolicy: ")
    assert reason.lower() in refused.value.message.lower()


def test_delays_are_timedeltas() -> None:
    assert DEFAULT_RETRY.delay(1) == timedelta(seconds=20)
