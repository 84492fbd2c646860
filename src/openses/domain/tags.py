"""Resource tags of SES v2: which resources carry them, their ARNs, and the rules tags follow.

SES v2 tags email identities, configuration sets, email templates, custom verification email
templates, contact lists, dedicated IP pools, deliverability test reports, multi-region
endpoints and tenants (the ``Tags`` members of the Create operations of botocore's model). A
resource is named by its ARN, ``arn:<partition>:ses:<region>:<account>:<type>/<name>``, with the
types of the Service Authorization Reference (``identity``, ``configuration-set``,
``template``, ``custom-verification-email-template``, …). OpenSES has the first four; the others
never exist here.

The rules (the ``Tag`` shape of the API reference): at most 50 tags per resource; keys of 1 to
128 characters, unique per resource, case sensitive; values of 0 to 256 characters; Unicode
letters, digits, white space and ``_ . : / = + - @``; the ``aws:`` prefix (any case) is AWS's own,
in keys and in values. Where SES is silent OpenSES decides
(``docs/decisions/0016-resource-tags.md``).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

MAX_TAGS: Final = 50
MAX_KEY_LENGTH: Final = 128
MAX_VALUE_LENGTH: Final = 256
RESERVED_PREFIX: Final = "aws:"

Tag = tuple[str, str]
Tags = tuple[Tag, ...]

_PUNCTUATION = frozenset("_.:/=+-@")
_PARTITION = re.compile(r"aws(?:-[a-z]+)*")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


class ResourceType(enum.Enum):
    """A taggable resource OpenSES has (value: its type in the ARN)."""

    IDENTITY = "identity"
    CONFIGURATION_SET = "configuration-set"
    TEMPLATE = "template"
    CUSTOM_VERIFICATION_EMAIL_TEMPLATE = "custom-verification-email-template"


#: Taggable SES v2 resource types OpenSES does not have: such a resource never exists here.
ABSENT_TYPES: Final = frozenset(
    {
        "contact-list",
        "dedicated-ip-pool",
        "deliverability-test-report",
        "multi-region-endpoint",
        "tenant",
    }
)


@dataclass(frozen=True, slots=True)
class TaggedResource:
    """A resource of the caller's account and region, by type and name (identities by their
    normalized name)."""

    type: ResourceType
    name: str


@dataclass(frozen=True, slots=True)
class ResourceArn:
    """A parsed SES resource ARN. ``type`` is the text of the ARN (a type OpenSES may not
    have, see :attr:`resource_type`)."""

    partition: str
    region: str
    account: str
    type: str
    name: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:ses:{self.region}:{self.account}:{self.type}/{self.name}"

    @property
    def resource_type(self) -> ResourceType | None:
        return next((kind for kind in ResourceType if kind.value == self.type), None)


class InvalidResourceArn(ValueError):
    """Text that is not the ARN of a taggable SES resource; ``str()`` says why."""


def parse_resource_arn(text: str) -> ResourceArn:
    """``text`` as an SES resource ARN of a taggable type, or :class:`InvalidResourceArn`.

    The name is everything after the type's ``/`` (an email address may hold a ``/``)."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not _PARTITION.fullmatch(parts[1]):
        raise InvalidResourceArn(f"Invalid ARN {text}.")
    _, partition, service, region, account, resource = parts
    if service != "ses":
        raise InvalidResourceArn(f"Invalid ARN {text}: it does not name an SES resource.")
    if not _REGION.fullmatch(region) or not _ACCOUNT_ID.fullmatch(account):
        raise InvalidResourceArn(f"Invalid ARN {text}: expected a region and a 12-digit account.")
    kind, slash, name = resource.partition("/")
    if not slash or not name:
        raise InvalidResourceArn(f"Invalid ARN {text}: expected <resource type>/<name>.")
    known = {kind.value for kind in ResourceType} | ABSENT_TYPES
    if kind not in known:
        raise InvalidResourceArn(f"Invalid ARN {text}: SES has no taggable resource type {kind}.")
    return ResourceArn(partition, region, account, kind, name)


def resource_arn(region: str, account_id: str, resource: TaggedResource) -> str:
    """The ARN of one of the caller's resources (partition ``aws``, as every ARN OpenSES makes)."""
    return f"arn:aws:ses:{region}:{account_id}:{resource.type.value}/{resource.name}"


# ---------------------------------------------------------------------------- rules


def key_problem(key: str) -> str | None:
    """Why SES refuses a tag key, or None."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return f"Tag keys must be 1 to {MAX_KEY_LENGTH} characters long."
    return _text_problem("key", key)


def value_problem(key: str, value: str) -> str | None:
    """Why SES refuses the value of the tag ``key``, or None."""
    if len(value) > MAX_VALUE_LENGTH:
        return f"Tag values must be at most {MAX_VALUE_LENGTH} characters long."
    return _text_problem("value", value, key)


def _text_problem(part: str, text: str, key: str | None = None) -> str | None:
    shown = text if key is None else key
    if not all(_allowed(character) for character in text):
        return (
            f"Invalid tag <{shown}>: tags may contain letters, numbers, spaces and "
            "_ . : / = + - @ only."
        )
    if text.lower().startswith(RESERVED_PREFIX):
        return f"Invalid tag {part} <{text}>: the aws: prefix is reserved for AWS."
    return None


def _allowed(character: str) -> bool:
    return unicodedata.category(character)[0] in ("L", "N", "Z") or character in _PUNCTUATION


def tags_problem(tags: Sequence[Tag]) -> str | None:
    """Why SES refuses ``tags`` given to a resource (a Create's ``Tags``, TagResource's), or
    None: each tag's rules, keys unique among them, at most 50."""
    if len(tags) > MAX_TAGS:
        return count_problem(len(tags))
    seen: set[str] = set()
    for key, value in tags:
        problem = key_problem(key) or value_problem(key, value)
        if problem is not None:
            return problem
        if key in seen:
            return f"Duplicate tag key <{key}>."
        seen.add(key)
    return None


def keys_problem(keys: Iterable[str]) -> str | None:
    """Why SES refuses the keys UntagResource names, or None. A key the resource does not
    have is no problem; a reserved one is (AWS's tags cannot be removed)."""
    return next((problem for key in keys if (problem := key_problem(key))), None)


def count_problem(count: int) -> str | None:
    """Why a resource cannot have ``count`` tags, or None."""
    if count <= MAX_TAGS:
        return None
    return f"Too many tags: {count}; a resource can have at most {MAX_TAGS}."


def tagged(existing: Sequence[Tag], added: Sequence[Tag]) -> Tags:
    """``existing`` after TagResource adds ``added``: a key already there takes the new value
    and keeps its place, new keys follow in the order given."""
    values = dict(existing)
    values.update(added)
    return tuple(values.items())
