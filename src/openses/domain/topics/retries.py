"""When a failed HTTP delivery is tried again: SNS's delivery policy and its four phases.

After the first attempt fails, retry number ``r`` (1-based) waits, in order of the phases:
``numNoDelayRetries`` retries with no delay, ``numMinDelayRetries`` at ``minDelayTarget``, the
backoff phase (the retries left over) growing from ``minDelayTarget`` to ``maxDelayTarget`` along
``backoffFunction``, then ``numMaxDelayRetries`` at ``maxDelayTarget``; after ``numRetries``
retries the message is dropped. SNS's default for HTTP/S is three retries 20 seconds apart.

SNS shows the four backoff functions only as curves; ours have those shapes, with ``t`` the
retry's place in the backoff phase (``1/n`` … ``1``): linear ``t``, arithmetic ``t²`` and
exponential ``(max/min)^t`` (slow starts), geometric ``√t`` (a fast start). No jitter is added,
so a schedule is reproducible.

A topic's ``DeliveryPolicy`` holds ``{"http": {"defaultHealthyRetryPolicy": …,
"defaultRequestPolicy": {"headerContentType": …}, "disableSubscriptionOverrides": …}}``; a
subscription's holds ``{"healthyRetryPolicy": …, "requestPolicy": …}``, which wins unless the
topic disables overrides. Throttle policies are not supported (refused, not ignored).
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from openses.domain.topics.names import TopicParameterError

MAX_TOTAL_SECONDS = 3600
MAX_RETRIES = 100
DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[^\r\n]*)?")


class Backoff(enum.Enum):
    ARITHMETIC = "arithmetic"
    EXPONENTIAL = "exponential"
    GEOMETRIC = "geometric"
    LINEAR = "linear"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """One ``healthyRetryPolicy``, in seconds and counts."""

    min_delay: int = 20
    max_delay: int = 20
    retries: int = 3
    no_delay_retries: int = 0
    min_delay_retries: int = 0
    max_delay_retries: int = 0
    backoff: Backoff = Backoff.LINEAR

    def delay(self, failures: int) -> timedelta | None:
        """How long to wait after the ``failures``-th failed attempt; ``None``: give up."""
        if failures < 1 or failures > self.retries:
            return None
        retry = failures
        if retry <= self.no_delay_retries:
            return timedelta(0)
        retry -= self.no_delay_retries
        if retry <= self.min_delay_retries:
            return timedelta(seconds=self.min_delay)
        retry -= self.min_delay_retries
        backoff_retries = self.backoff_retries
        if retry <= backoff_retries:
            return timedelta(seconds=self._backoff(retry / backoff_retries))
        return timedelta(seconds=self.max_delay)

    @property
    def backoff_retries(self) -> int:
        return (
            self.retries - self.no_delay_retries - self.min_delay_retries - self.max_delay_retries
        )

    def _backoff(self, t: float) -> float:
        low, high = float(self.min_delay), float(self.max_delay)
        if self.backoff is Backoff.LINEAR:
            return low + (high - low) * t
        if self.backoff is Backoff.ARITHMETIC:
            return low + (high - low) * t * t
        if self.backoff is Backoff.GEOMETRIC:
            return low + (high - low) * math.sqrt(t)
        return float(low * (high / low) ** t)

    def total_seconds(self) -> float:
        waits = (self.delay(failure) for failure in range(1, self.retries + 1))
        return sum(wait.total_seconds() for wait in waits if wait is not None)

    def to_json(self) -> dict[str, Any]:
        return {
            "minDelayTarget": self.min_delay,
            "maxDelayTarget": self.max_delay,
            "numRetries": self.retries,
            "numMaxDelayRetries": self.max_delay_retries,
            "numNoDelayRetries": self.no_delay_retries,
            "numMinDelayRetries": self.min_delay_retries,
            "backoffFunction": self.backoff.value,
        }

    def to_text(self) -> str:
        """A compact form for storing with a queued delivery."""
        values = asdict(self)
        values["backoff"] = self.backoff.value
        return json.dumps(values, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> RetryPolicy:
        values = json.loads(text)
        values["backoff"] = Backoff(values["backoff"])
        return cls(**values)


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """What a topic's or a subscription's ``DeliveryPolicy`` says (``None``: not said)."""

    retry: RetryPolicy | None = None
    content_type: str | None = None
    disable_overrides: bool = False


@dataclass(frozen=True, slots=True)
class EffectiveDelivery:
    retry: RetryPolicy
    content_type: str


def effective_delivery(topic: DeliveryPolicy, subscription: DeliveryPolicy) -> EffectiveDelivery:
    """The subscription's settings over the topic's, unless the topic disables overrides."""
    retry, content_type = topic.retry, topic.content_type
    if not topic.disable_overrides:
        retry = subscription.retry or retry
        content_type = subscription.content_type or content_type
    return EffectiveDelivery(retry or DEFAULT_RETRY, content_type or DEFAULT_CONTENT_TYPE)


def topic_effective_policy_json(policy: DeliveryPolicy) -> str:
    """A topic's ``EffectiveDeliveryPolicy`` attribute."""
    return json.dumps(
        {
            "http": {
                "defaultHealthyRetryPolicy": (policy.retry or DEFAULT_RETRY).to_json(),
                "disableSubscriptionOverrides": policy.disable_overrides,
                "defaultRequestPolicy": {
                    "headerContentType": policy.content_type or DEFAULT_CONTENT_TYPE
                },
            }
        },
        separators=(",", ":"),
    )


def subscription_effective_policy_json(effective: EffectiveDelivery) -> str:
    """A subscription's ``EffectiveDeliveryPolicy`` attribute."""
    return json.dumps(
        {
            "healthyRetryPolicy": effective.retry.to_json(),
            "requestPolicy": {"headerContentType": effective.content_type},
        },
        separators=(",", ":"),
    )


# ------------------------------------------------------------------------------ parsing


def _problem(reason: str) -> TopicParameterError:
    return TopicParameterError(f"Invalid parameter: DeliveryPolicy: {reason}")


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _problem(f"{where} must be a JSON object")
    return value


def _only(obj: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise _problem(f"{where} has a member this server does not support: {unknown[0]!r}")


def _count(obj: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _problem(f"{key} must be a whole number from {low} to {high}")
    return value


def parse_retry_policy(value: object) -> RetryPolicy:
    obj = _object(value, "healthyRetryPolicy")
    names = {
        "minDelayTarget",
        "maxDelayTarget",
        "numRetries",
        "numNoDelayRetries",
        "numMinDelayRetries",
        "numMaxDelayRetries",
        "backoffFunction",
    }
    _only(obj, names, "healthyRetryPolicy")
    max_delay = _count(obj, "maxDelayTarget", 20, 1, MAX_TOTAL_SECONDS)
    min_delay = _count(obj, "minDelayTarget", min(20, max_delay), 1, max_delay)
    retries = _count(obj, "numRetries", 3, 0, MAX_RETRIES)
    no_delay = _count(obj, "numNoDelayRetries", 0, 0, MAX_RETRIES)
    at_min = _count(obj, "numMinDelayRetries", 0, 0, MAX_RETRIES)
    at_max = _count(obj, "numMaxDelayRetries", 0, 0, MAX_RETRIES)
    if no_delay + at_min + at_max > retries:
        raise _problem("numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries > numRetries")
    backoff_name = obj.get("backoffFunction", "linear")
    try:
        backoff = Backoff(str(backoff_name).lower())
    except ValueError:
        raise _problem(
            "backoffFunction must be one of arithmetic, exponential, geometric, linear"
        ) from None
    policy = RetryPolicy(min_delay, max_delay, retries, no_delay, at_min, at_max, backoff)
    if policy.total_seconds() > MAX_TOTAL_SECONDS:
        raise _problem(f"the retries take longer than {MAX_TOTAL_SECONDS} seconds in total")
    return policy


def _content_type(value: object) -> str | None:
    obj = _object(value, "requestPolicy")
    _only(obj, {"headerContentType"}, "requestPolicy")
    content_type = obj.get("headerContentType")
    if content_type is None:
        return None
    if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type):
        raise _problem("headerContentType must be a media type such as application/json")
    return content_type


def _load(text: str) -> Mapping[str, Any]:
    try:
        return _object(json.loads(text), "the policy")
    except json.JSONDecodeError:
        raise _problem("not valid JSON") from None


def parse_topic_delivery_policy(text: str) -> DeliveryPolicy:
    """A topic's ``DeliveryPolicy`` attribute (its ``http`` part; others are refused)."""
    if not text.strip():
        return DeliveryPolicy()
    document = _load(text)
    _only(document, {"http"}, "the policy")
    http = _object(document.get("http", {}), "http")
    allowed = {
        "defaultHealthyRetryPolicy",
        "defaultRequestPolicy",
        "disableSubscriptionOverrides",
    }
    _only(http, allowed, "http")
    disable = http.get("disableSubscriptionOverrides", False)
    if not isinstance(disable, bool):
        raise _problem("disableSubscriptionOverrides must be true or false")
    retry = http.get("defaultHealthyRetryPolicy")
    request = http.get("defaultRequestPolicy")
    return DeliveryPolicy(
        retry=None if retry is None else parse_retry_policy(retry),
        content_type=None if request is None else _content_type(request),
        disable_overrides=disable,
    )


def parse_subscription_delivery_policy(text: str) -> DeliveryPolicy:
    """A subscription's ``DeliveryPolicy`` attribute."""
    if not text.strip():
        return DeliveryPolicy()
    document = _load(text)
    _only(document, {"healthyRetryPolicy", "requestPolicy"}, "the policy")
    retry = document.get("healthyRetryPolicy")
    request = document.get("requestPolicy")
    return DeliveryPolicy(
        retry=None if retry is None else parse_retry_policy(retry),
        content_type=None if request is None else _content_type(request),
    )
