"""Accounts, IAM users, access keys and sending limits: the records the services work with.

Records are immutable values; a change is a new record (``dataclasses.replace``). Times are
timezone-aware UTC datetimes handed in by the caller (the domain never reads a clock).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

ACCOUNT_ID = re.compile(r"[0-9]{12}")

#: New accounts start in the sandbox, as in SES: 200 recipients per 24 hours, 1 per second.
SANDBOX_MAX_24_HOUR_SEND = 200.0
SANDBOX_MAX_SEND_RATE = 1.0
#: What a production account gets unless the operator sets other limits.
PRODUCTION_MAX_24_HOUR_SEND = 50_000.0
PRODUCTION_MAX_SEND_RATE = 14.0


class KeyStatus(enum.Enum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    created_at: datetime
    production: bool = False
    #: The operator's switch for the whole account (``admin account update --sending-enabled``).
    sending_enabled: bool = True
    max_24_hour_send: float = SANDBOX_MAX_24_HOUR_SEND
    max_send_rate: float = SANDBOX_MAX_SEND_RATE

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"


@dataclass(frozen=True, slots=True)
class IamUser:
    account_id: str
    name: str
    path: str  # "/" or "/division/team/"
    user_id: str  # AIDA…, stable for the life of the user
    created_at: datetime

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class AccessKey:
    """Credentials. Exactly one of: the account root (no user, no service), an IAM user, or an
    AWS service principal acting on behalf of the account (``service`` such as
    ``ses.amazonaws.com``, with ``source_arn`` as its ``aws:SourceArn``)."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    created_at: datetime
    status: KeyStatus = KeyStatus.ACTIVE
    user_name: str | None = None
    service: str | None = None
    source_arn: str | None = None

    @property
    def active(self) -> bool:
        return self.status is KeyStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class UserPolicy:
    account_id: str
    user_name: str
    policy_name: str
    document: str
