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

    def condition_keys(self) -> dict[str, object]:
        """The caller's own condition keys beyond those of :class:`Caller`: ``aws:userid``,
        and ``aws:SourceAccount`` / ``aws:SourceArn`` of a service acting for an account.
        Every policy evaluation of this caller (IAM and sending authorization) sees them."""
        keys: dict[str, object] = {}
        if self.kind is PrincipalKind.SERVICE:
            keys["aws:SourceAccount"] = self.account_id
            if self.source_arn is not None:
                keys["aws:SourceArn"] = self.source_arn
        if self.user_id is not None:
            keys["aws:userid"] = self.user_id
        return keys


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
        """The condition keys of this request: the global ones and the caller's own
        (:meth:`Principal.condition_keys`; the policy engine adds those of the ARN)."""
        keys = request_keys(
            now=self.now,
            source_ip=self.source_ip,
            user_agent=self.user_agent,
            secure_transport=self.secure_transport,
        )
        keys["aws:RequestedRegion"] = self.region
        keys.update(self.principal.condition_keys())
        return keys
