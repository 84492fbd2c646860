"""Who is calling: the principal an access key authenticates as."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from openses.domain.policy import Caller
from openses.domain.policy.context import request_keys


class PrincipalKind(enum.Enum):
    ROOT = "root"
    USER = "user"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: its account, what it is, and its policy-engine identity."""

    account_id: str
    kind: PrincipalKind
    caller: Caller  # for the policy engine: arn:aws:iam::A:root, …:user/p/n, or the service name
    access_key_id: str
    user_name: str | None = None
    user_id: str | None = None  # AIDA… for users; the account id for the root
    service: str | None = None  # e.g. ses.amazonaws.com
    source_arn: str | None = None  # the aws:SourceArn a service principal acts for

    @property
    def arn(self) -> str:
        """The ARN (or, for a service, its name) AWS reports for this caller."""
        return self.caller.name


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated request as the services see it, whatever protocol carried it."""

    principal: Principal
    region: str
    now: datetime
    source_ip: str | None = None
    user_agent: str | None = None
    secure_transport: bool = False

    @property
    def account_id(self) -> str:
        return self.principal.account_id

    def context(self) -> dict[str, object]:
        """The global condition keys of this request (the caller's own keys come separately)."""
        keys = request_keys(
            now=self.now,
            source_ip=self.source_ip,
            user_agent=self.user_agent,
            secure_transport=self.secure_transport,
        )
        keys["aws:RequestedRegion"] = self.region
        return keys
