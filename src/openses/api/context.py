"""What a handler knows about the request it answers, besides its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from openses.services.principals import Principal

ServiceName = Literal["ses", "sesv2", "iam", "sts", "sns"]
"""The APIs the HTTP edge answers (``ses`` is SES v1, ``sesv2`` the REST-JSON SESv2)."""


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One authenticated AWS request, as the HTTP edge hands it to a handler method.

    ``region`` is the region of the SigV4 credential scope: the region the client signed for
    is the region the operation acts in. ``now`` is read once per request from the app's
    clock (timezone-aware, UTC). ``source_ip`` is the peer address the server saw (no
    forwarded header is trusted here) and ``secure_transport`` whether the request came over
    HTTPS.
    """

    service: ServiceName
    operation: str
    region: str
    principal: Principal
    request_id: str
    now: datetime
    source_ip: str | None = None
    user_agent: str | None = None
    secure_transport: bool = False
