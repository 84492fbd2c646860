"""Fakes behind the HTTP edge: in-memory access keys, a movable clock, scripted handlers.

The handler classes follow the real convention (one ``async`` method per operation, named by
``xform_name``) and record every :class:`RequestContext` they receive, so tests can check
what the edge handed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from openses.api.context import RequestContext
from openses.api.protocol import AwsError
from openses.domain.policy import parse_caller
from openses.services.errors import AccessDenied
from openses.services.principals import Principal, PrincipalKind

ACCOUNT = "111122223333"

ROOT_KEY, ROOT_SECRET = "AKIAOPENSESROOT00001", "root/secret+key0000000000000000000000000"
USER_KEY, USER_SECRET = "AKIAOPENSESUSER00001", "user/secret+key0000000000000000000000000"
INACTIVE_KEY, INACTIVE_SECRET = "AKIAOPENSESOLD000001", "old/secret+key00000000000000000000000000"
UNKNOWN_KEY = "AKIAOPENSESNOBODY001"

ROOT = Principal(
    ACCOUNT,
    PrincipalKind.ROOT,
    parse_caller(f"arn:aws:iam::{ACCOUNT}:root"),
    ROOT_KEY,
    user_id=ACCOUNT,
)
USER = Principal(
    ACCOUNT,
    PrincipalKind.USER,
    parse_caller(f"arn:aws:iam::{ACCOUNT}:user/alice"),
    USER_KEY,
    user_name="alice",
    user_id="AIDAOPENSESALICE0001",
)

SECRET_DETAIL = "database password is hunter2"
"""Text of a handler's crash that must never reach the client."""

Params = dict[str, Any]
Result = dict[str, Any]


@dataclass
class Key:
    secret: str
    principal: Principal
    active: bool = True


class FakeAuthenticator:
    """Access keys in a dict; the inactive one is known but refused, like the real one."""

    def __init__(self) -> None:
        self.keys = {
            ROOT_KEY: Key(ROOT_SECRET, ROOT),
            USER_KEY: Key(USER_SECRET, USER),
            INACTIVE_KEY: Key(INACTIVE_SECRET, USER, active=False),
        }
        self.lookups: list[str] = []

    async def credentials(self, access_key_id: str) -> tuple[str, Principal] | None:
        self.lookups.append(access_key_id)
        key = self.keys.get(access_key_id)
        if key is None or not key.active:
            return None
        return key.secret, key.principal


class FakeClock:
    """The real time plus an offset a test may move."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.readings: list[datetime] = []

    def __call__(self) -> datetime:
        now = datetime.now(UTC) + self.offset
        self.readings.append(now)
        return now


@dataclass
class Recorder:
    """Every context the fake handlers were called with, in order."""

    contexts: list[RequestContext] = field(default_factory=list)

    def record(self, ctx: RequestContext) -> None:
        self.contexts.append(ctx)

    @property
    def last(self) -> RequestContext:
        return self.contexts[-1]


class FakeSes:
    """SES v1: a few answers, one modelled error, one service error, one crash."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def get_send_quota(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        return {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0}

    async def list_identities(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        return {"Identities": [f"{key}={value}" for key, value in sorted(params.items())]}

    async def send_email(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        raise AwsError("MessageRejected", f"Email address is not verified: {params['Source']}")

    async def delete_identity(self, ctx: RequestContext, params: Params) -> Result:
        raise AccessDenied(f"User: {ctx.principal.arn} is not authorized to perform: ses:X")

    async def verify_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        raise RuntimeError(SECRET_DETAIL)

    async def get_send_statistics(self, ctx: RequestContext, params: Params) -> Result:
        raise NotImplementedError

    def list_templates(self, ctx: RequestContext, params: Params) -> Result:
        """Not ``async``: not a handler method, so ListTemplates stays unsupported."""
        return {}


class FakeSesV2:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def get_account(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        return {
            "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0},
            "SendingEnabled": True,
            "ProductionAccessEnabled": False,
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "HEALTHY",
        }

    async def get_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        return {
            "IdentityType": "EMAIL_ADDRESS",
            "VerifiedForSendingStatus": True,
            "FeedbackForwardingStatus": True,
            "Tags": [{"Key": "label", "Value": params["EmailIdentity"]}],
        }

    async def delete_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        raise AwsError("NotFoundException", f"Email identity {params['EmailIdentity']} not found.")

    async def send_email(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        return {"MessageId": "m-1"}

    async def create_email_identity(self, ctx: RequestContext, params: Params) -> Result:
        raise RuntimeError(SECRET_DETAIL)


class FakeSts:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def get_caller_identity(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        principal = ctx.principal
        return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}


class FakeIam:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def get_user(self, ctx: RequestContext, params: Params) -> Result:
        self.recorder.record(ctx)
        principal = ctx.principal
        return {
            "User": {
                "Path": "/",
                "UserName": params.get("UserName") or principal.user_name,
                "UserId": principal.user_id,
                "Arn": principal.arn,
                "CreateDate": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
            }
        }


HANDLER_CLASSES: dict[str, type] = {
    "ses": FakeSes,
    "sesv2": FakeSesV2,
    "sts": FakeSts,
    "iam": FakeIam,
}
