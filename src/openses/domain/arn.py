"""SES identity ARNs: ``arn:<partition>:ses:<region>:<account>:identity/<domain-or-address>``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+")
_PARTITION = re.compile(r"aws(?:-[a-z]+)*")


class InvalidArn(ValueError):
    """Text that is not an SES identity ARN; the message is SES's ``Invalid ARN <…>.``."""

    def __init__(self, text: str) -> None:
        super().__init__(f"Invalid ARN {text}.")
        self.text = text


@dataclass(frozen=True, slots=True)
class IdentityArn:
    partition: str
    region: str
    account: str
    identity: str  # the domain or the email address, as written

    def __str__(self) -> str:
        return f"arn:{self.partition}:ses:{self.region}:{self.account}:identity/{self.identity}"

    @classmethod
    def parse(cls, text: str) -> IdentityArn:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "ses":
            raise InvalidArn(text)
        _, partition, _, region, account, resource = parts
        kind, slash, identity = resource.partition("/")
        if (
            kind != "identity"
            or not slash
            or not identity
            or not _PARTITION.fullmatch(partition)
            or not _REGION.fullmatch(region)
            or not _ACCOUNT_ID.fullmatch(account)
        ):
            raise InvalidArn(text)
        return cls(partition, region, account, identity)
