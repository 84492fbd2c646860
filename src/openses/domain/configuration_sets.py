"""Configuration sets, their event destinations, and message tags: SES's values and rules.

A configuration set belongs to one account in one region (the *sending* account's, spec §3
feedback channel 1, A20). It holds the send switch, reputation metrics, TLS policy, a
suppression override and up to ten event destinations. OpenSES publishes events to Amazon SNS
destinations only; the other destination types (CloudWatch, Kinesis Firehose, EventBridge,
Pinpoint) are refused when created, saying so, never accepted and dropped.

SES's limits (quotas page): 10,000 configuration sets per account and region, 10 event
destinations per set, names of at most 64 ASCII letters, digits, ``_`` and ``-``. Message tags
(``Tags`` / ``EmailTags`` / ``X-SES-MESSAGE-TAGS: a=b, c=d``): names and values of 1 to 256
ASCII letters, digits, ``_`` and ``-``; the names ``ses:feedback-id-a`` and
``ses:feedback-id-b`` are SES's own and allowed. A set's resource tags (v2 ``Tags``) are kept
apart from its settings, like every resource's (:mod:`openses.domain.tags`).

The sentences are SES's where known (``Invalid configuration set name <a.b>: only alphanumeric
ASCII characters, '_', and '-' are allowed.``, ``Invalid tag name <x>: …``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from openses.domain.feedback_settings import SuppressionReason

MAX_CONFIGURATION_SETS = 10_000
MAX_EVENT_DESTINATIONS = 10
MAX_NAME_LENGTH = 64
MAX_TAG_LENGTH = 256
#: Message tag names SES sets aside for its fine-grained feedback (``Feedback-ID`` header).
SES_TAG_NAMES = frozenset({"ses:feedback-id-a", "ses:feedback-id-b"})

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ONLY = "only alphanumeric ASCII characters, '_', and '-' are allowed."
_SNS_TOPIC = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z]+)*):sns:(?P<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+)"
    r":(?P<account>[0-9]{12}):(?P<topic>[A-Za-z0-9_-]{1,256}(?:\.fifo)?)"
)


class EventType(enum.Enum):
    """An email sending event a destination can match (value: the v2 spelling)."""

    SEND = "SEND"
    REJECT = "REJECT"
    BOUNCE = "BOUNCE"
    COMPLAINT = "COMPLAINT"
    DELIVERY = "DELIVERY"
    OPEN = "OPEN"
    CLICK = "CLICK"
    RENDERING_FAILURE = "RENDERING_FAILURE"
    DELIVERY_DELAY = "DELIVERY_DELAY"
    SUBSCRIPTION = "SUBSCRIPTION"

    @property
    def v1_name(self) -> str:
        """The v1 API's spelling (``renderingFailure``)."""
        head, *rest = self.value.lower().split("_")
        return head + "".join(word.capitalize() for word in rest)

    @classmethod
    def from_v1(cls, name: str) -> EventType:
        for kind in cls:
            if kind.v1_name == name:
                return kind
        raise ValueError(f"not a v1 event type: {name!r}")


class TlsPolicy(enum.Enum):
    """Whether delivery requires TLS (value: the v2 spelling; v1 says ``Require``)."""

    REQUIRE = "REQUIRE"
    OPTIONAL = "OPTIONAL"

    @property
    def v1_name(self) -> str:
        return self.value.capitalize()

    @classmethod
    def from_v1(cls, name: str) -> TlsPolicy:
        return cls(name.upper())


class DestinationKind(enum.Enum):
    """Where an event destination publishes (value: how SES names the service)."""

    SNS = "Amazon SNS"
    CLOUDWATCH = "Amazon CloudWatch"
    KINESIS_FIREHOSE = "Amazon Kinesis Data Firehose"
    EVENTBRIDGE = "Amazon EventBridge"
    PINPOINT = "Amazon Pinpoint"


@dataclass(frozen=True, slots=True)
class EventDestination:
    name: str
    enabled: bool
    matching_types: frozenset[EventType]
    sns_topic_arn: str | None = None

    def publishes(self, event: EventType) -> bool:
        return self.enabled and event in self.matching_types


@dataclass(frozen=True, slots=True)
class ConfigurationSet:
    """A configuration set and its event destinations (sorted by name).

    ``suppressed_reasons`` is the set's override of the account's suppression list: ``None``
    uses the account's, an empty set suppresses nothing.
    """

    name: str
    sending_enabled: bool = True
    reputation_metrics_enabled: bool = False
    last_fresh_start: datetime | None = None
    tls_policy: TlsPolicy = TlsPolicy.OPTIONAL
    max_delivery_seconds: int | None = None
    suppressed_reasons: frozenset[SuppressionReason] | None = None
    event_destinations: tuple[EventDestination, ...] = ()

    def event_destination(self, name: str) -> EventDestination | None:
        return next((d for d in self.event_destinations if d.name == name), None)

    def destinations_for(self, event: EventType) -> tuple[EventDestination, ...]:
        """The enabled destinations that publish ``event``."""
        return tuple(d for d in self.event_destinations if d.publishes(event))


# ------------------------------------------------------------------------------ names


def configuration_set_name_problem(name: str) -> str | None:
    """Why SES refuses ``name`` as a configuration set name, or None."""
    return _name_problem(name, "configuration set")


def event_destination_name_problem(name: str) -> str | None:
    return _name_problem(name, "event destination")


def _name_problem(name: str, what: str) -> str | None:
    if not name:
        return f"The {what} name must be specified."
    if len(name) > MAX_NAME_LENGTH:
        return f"{what.capitalize()} name cannot exceed {MAX_NAME_LENGTH} characters."
    if not _NAME.fullmatch(name):
        return f"Invalid {what} name <{name}>: {_ONLY}"
    return None


def configuration_set_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:ses:{region}:{account_id}:configuration-set/{name}"


# ----------------------------------------------------------------------- destinations


@dataclass(frozen=True, slots=True)
class DestinationProblem:
    """Why an event destination is refused; ``kind`` is the destination type at fault (None
    when the request names none or several)."""

    kind: DestinationKind | None
    message: str


def destination_problem(
    name: str,
    kinds: Collection[DestinationKind],
    matching_types: Collection[EventType],
    sns_topic_arn: str | None,
    region: str,
) -> DestinationProblem | None:
    """Why an event destination named ``name`` with these destination types is refused.

    Exactly one destination type must be given (SES: "one, and only one"); it must be SNS, the
    one OpenSES publishes to, with a topic ARN in the set's region; at least one event type.
    """
    name_problem = event_destination_name_problem(name)
    if name_problem is not None:
        return DestinationProblem(None, name_problem)
    if len(kinds) != 1:
        return DestinationProblem(
            None,
            f"Event destination <{name}> must have exactly one destination (it has {len(kinds)}).",
        )
    (kind,) = kinds
    if kind is not DestinationKind.SNS:
        return DestinationProblem(
            kind,
            f"{kind.value} event destinations are not supported by OpenSES; "
            "only Amazon SNS event destinations are.",
        )
    if not matching_types:
        return DestinationProblem(
            None, f"Event destination <{name}> must match at least one event type."
        )
    topic_problem = sns_topic_arn_problem(sns_topic_arn or "", region)
    if topic_problem is not None:
        return DestinationProblem(DestinationKind.SNS, topic_problem)
    return None


def sns_topic_arn_problem(arn: str, region: str) -> str | None:
    """Why ``arn`` cannot be an SNS event destination in ``region``, or None."""
    found = _SNS_TOPIC.fullmatch(arn)
    if found is None:
        return f"Invalid SNS topic ARN <{arn}>."
    if found["topic"].endswith(".fifo"):
        return f"SNS topic <{arn}> is a FIFO topic; Amazon SES publishes to standard topics only."
    if found["region"] != region:
        return f"SNS topic <{arn}> must be in the configuration set's region ({region})."
    return None


# ----------------------------------------------------------------------- message tags


def message_tag_problem(name: str, value: str) -> str | None:
    """Why SES refuses a message tag, or None."""
    if not name:
        return "The tag name must be specified."
    if len(name) > MAX_TAG_LENGTH:
        return f"Tag name cannot exceed {MAX_TAG_LENGTH} characters."
    if name not in SES_TAG_NAMES and not _NAME.fullmatch(name):
        return f"Invalid tag name <{name}>: {_ONLY}"
    if not value:
        return "The tag value must be specified."
    if len(value) > MAX_TAG_LENGTH:
        return f"Tag value cannot exceed {MAX_TAG_LENGTH} characters."
    if not _NAME.fullmatch(value):
        return f"Invalid tag value <{value}>: {_ONLY}"
    return None


def message_tags_problem(tags: Iterable[tuple[str, str]]) -> str | None:
    return next(
        (problem for name, value in tags if (problem := message_tag_problem(name, value))), None
    )


class InvalidMessageTags(ValueError):
    """An ``X-SES-MESSAGE-TAGS`` value SES would refuse; ``str()`` is the reason."""


def parse_message_tags_header(text: str) -> tuple[tuple[str, str], ...]:
    """``name1=value1, name2=value2`` as (name, value) pairs, each checked; raises
    :class:`InvalidMessageTags`. An empty header value carries no tags."""
    if not text.strip():
        return ()
    tags: list[tuple[str, str]] = []
    for entry in text.split(","):
        name, equals, value = entry.partition("=")
        if not equals:
            raise InvalidMessageTags(
                f"Invalid message tag <{entry.strip()}> in X-SES-MESSAGE-TAGS: expected name=value."
            )
        tag = (name.strip(), value.strip())
        problem = message_tag_problem(*tag)
        if problem is not None:
            raise InvalidMessageTags(problem)
        tags.append(tag)
    return tuple(tags)


def merged_tags(
    defaults: Sequence[tuple[str, str]], replacements: Sequence[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """A bulk destination's tags: the defaults, with same-named ones replaced."""
    replaced = {name for name, _ in replacements}
    return (*[t for t in defaults if t[0] not in replaced], *replacements)
