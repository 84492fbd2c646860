"""Topic and subscription ARNs, topic names, and the error every topic rule raises.

A topic is ``arn:aws:sns:<region>:<account>:<name>``; a subscription is its topic's ARN and a
UUID, ``arn:aws:sns:<region>:<account>:<name>:<uuid>``, as SNS writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+")
_PARTITION = re.compile(r"aws(?:-[a-z]+)*")
_SUBSCRIPTION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class TopicParameterError(ValueError):
    """A value SNS answers ``InvalidParameter`` for; the message is SNS's sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class TopicArn:
    partition: str
    region: str
    account: str
    name: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:sns:{self.region}:{self.account}:{self.name}"

    @classmethod
    def parse(cls, text: str) -> TopicArn | None:
        """The ARN's parts, or ``None`` when ``text`` is not a topic ARN."""
        parts = text.split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns":
            return None
        _, partition, _, region, account, name = parts
        if (
            not _PARTITION.fullmatch(partition)
            or not _REGION.fullmatch(region)
            or not _ACCOUNT_ID.fullmatch(account)
            or not _TOPIC_NAME.fullmatch(name)
        ):
            return None
        return cls(partition, region, account, name)


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def check_topic_name(name: str) -> None:
    """SNS's rule for a standard topic's name: 1-256 ASCII letters, digits, ``-`` or ``_``."""
    if name.endswith(".fifo"):
        raise TopicParameterError(
            "Invalid parameter: Topic Name (FIFO topics are not supported by this server)"
        )
    if not _TOPIC_NAME.fullmatch(name):
        raise TopicParameterError("Invalid parameter: Topic Name")


def parse_topic_arn(text: str, parameter: str = "TopicArn") -> TopicArn:
    """The topic ARN in ``text``; SNS's ``Invalid parameter: TopicArn`` otherwise."""
    parsed = TopicArn.parse(text)
    if parsed is None:
        raise TopicParameterError(f"Invalid parameter: {parameter}")
    return parsed


def subscription_arn(topic: str, subscription_id: str) -> str:
    """The ARN of a subscription to ``topic`` with the UUID ``subscription_id``."""
    return f"{topic}:{subscription_id}"


def subscription_topic(text: str) -> str | None:
    """The topic ARN a subscription ARN belongs to, or ``None`` if it is not one."""
    topic, colon, subscription_id = text.rpartition(":")
    if not colon or not _SUBSCRIPTION_ID.fullmatch(subscription_id):
        return None
    return topic if TopicArn.parse(topic) is not None else None
