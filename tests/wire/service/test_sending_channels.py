"""The same authorization scenarios over every channel: v1 raw, v2 raw and simple, and SMTP.

Each channel sends one message as the delegate through the owner's identity ARN and reports
either the MessageId or the refusal in a channel-neutral form, so one table of scenarios
checks that every route reaches the same decision.
"""

from __future__ import annotations

import itertools
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from openses.domain.smtp_password import derive_smtp_password
from openses.smtp import SmtpListeners
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_smtp import smtp  # noqa: F401  (module fixture)

_counter = itertools.count()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    kind: str  # "sent", "denied", "rejected", "throttled"
    detail: str


def _api_outcome(error: ClientError) -> Outcome:
    code = error.response["Error"]["Code"]
    kind = {
        "AccessDenied": "denied",
        "AccessDeniedException": "denied",
        "MessageRejected": "rejected",
        "Throttling": "throttled",
        "TooManyRequestsException": "throttled",
    }.get(code, code)
    return Outcome(False, kind, error.response["Error"]["Message"])


def raw(source: str, arn: str, to: str) -> bytes:
    return (
        f"From: {source}\r\nTo: {to}\r\nSubject: channels\r\nX-SES-SOURCE-ARN: {arn}\r\n\r\nhi\r\n"
    ).encode()


@dataclass(frozen=True)
class Send:
    key: AccessKey
    source: str
    arn: str
    to: str = "a@x.net"
    region: str = "us-east-1"


Channel = Callable[[World, Send], Outcome]


def v1_raw(world: World, send: Send) -> Outcome:
    try:
        reply = world.ses(send.key, send.region).send_raw_email(
            RawMessage={"Data": raw(send.source, send.arn, send.to)}
        )
    except ClientError as error:
        return _api_outcome(error)
    return Outcome(True, "sent", reply["MessageId"])


def v2_raw(world: World, send: Send) -> Outcome:
    try:
        reply = world.sesv2(send.key, send.region).send_email(
            FromEmailAddressIdentityArn=send.arn,
            Content={"Raw": {"Data": raw(send.source, send.arn, send.to)}},
        )
    except ClientError as error:
        return _api_outcome(error)
    return Outcome(True, "sent", reply["MessageId"])


def v2_simple(world: World, send: Send) -> Outcome:
    try:
        reply = world.sesv2(send.key, send.region).send_email(
            FromEmailAddress=send.source,
            FromEmailAddressIdentityArn=send.arn,
            Destination={"ToAddresses": [send.to]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        )
    except ClientError as error:
        return _api_outcome(error)
    return Outcome(True, "sent", reply["MessageId"])


def smtp_channel(listeners: SmtpListeners) -> Channel:
    def send_smtp(world: World, send: Send) -> Outcome:
        assert listeners.starttls_port is not None
        context = ssl.create_default_context(cafile=str(listeners.cert_path))
        with smtplib.SMTP("127.0.0.1", listeners.starttls_port, timeout=10) as client:
            client.starttls(context=context)
            password = derive_smtp_password(send.key.secret_access_key, send.region)
            client.login(send.key.access_key_id, password)
            client.mail(send.source)
            client.rcpt(send.to)
            code, text = client.data(raw(send.source, send.arn, send.to))
        reply = text.decode()
        if code == 250:
            return Outcome(True, "sent", reply.removeprefix("Ok "))
        kind = {
            "Access denied": "denied",
            "Message rejected": "rejected",
            "Throttling failure": "throttled",
        }.get(reply.split(":", 1)[0], str(code))
        return Outcome(False, kind, reply.split(": ", 1)[-1])

    return send_smtp


CHANNELS = ["v1-raw", "v2-raw", "v2-simple", "smtp"]
ACTIONS = ["ses:SendRawEmail", "ses:SendEmail"]


@pytest.fixture(params=CHANNELS)
def channel(request: pytest.FixtureRequest, smtp: SmtpListeners) -> Channel:  # noqa: F811
    chosen: Channel = {
        "v1-raw": v1_raw,
        "v2-raw": v2_raw,
        "v2-simple": v2_simple,
        "smtp": smtp_channel(smtp),
    }[request.param]
    return chosen


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"chan{next(_counter)}.example")


def test_authorized_delegate_is_sent_and_charged(world: World, channel: Channel) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action=ACTIONS)
    outcome = channel(world, Send(world.delegate, f"app@{world.domain}", world.arn()))
    assert outcome.ok, outcome
    record = world.captured(outcome.detail)
    assert record["sending_account"] == world.delegate.account_id
    assert record["identity_arns"] == [world.arn()]
    assert world.ses(world.delegate).get_send_quota()["SentLast24Hours"] == 1
    assert world.ses(world.owner).get_send_quota()["SentLast24Hours"] == 0


def test_no_policy_edited_or_deleted_policy_is_refused(world: World, channel: Channel) -> None:
    source = f"app@{world.domain}"

    def send() -> Outcome:
        return channel(world, Send(world.delegate, source, world.arn()))

    assert send().kind == "denied"
    world.allow({"AWS": world.delegate.account_id}, Action=ACTIONS)
    assert send().ok
    world.allow({"AWS": "210987654321"}, Action=ACTIONS)
    denied = send()
    assert denied.kind == "denied"
    assert denied.detail.startswith(f"User `arn:aws:iam::{world.delegate.account_id}:root'")
    world.allow({"AWS": world.delegate.account_id}, Action=ACTIONS)
    world.ses(world.owner).delete_identity_policy(Identity=world.domain, PolicyName="delegate")
    assert send().kind == "denied"


def test_wrong_region_is_not_verified(world: World, channel: Channel) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action=ACTIONS)
    outcome = channel(
        world, Send(world.delegate, f"app@{world.domain}", world.arn(), region="us-west-2")
    )
    assert outcome.kind == "rejected"
    assert "US-WEST-2" in outcome.detail


def test_address_identity_overrides_the_domain(world: World, channel: Channel) -> None:
    vip = f"vip@{world.domain}"
    world.verify_address(world.owner, vip)
    world.allow({"AWS": world.delegate.account_id}, Action=ACTIONS)
    world.allow({"AWS": "210987654321"}, identity=vip, Action=ACTIONS)
    assert channel(world, Send(world.delegate, vip, world.arn())).kind == "denied"
    other = channel(world, Send(world.delegate, f"o@{world.domain}", world.arn()))
    assert other.ok


def test_sandboxed_delegate_and_throttled_delegate(world: World, channel: Channel) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action=ACTIONS)
    source = f"app@{world.domain}"
    world.update_account(world.delegate, production=False)
    send = Send(world.delegate, source, world.arn())
    assert channel(world, send).kind == "rejected"
    world.update_account(world.delegate, production=True, max_send_rate=1)
    assert channel(world, send).ok
    throttled = channel(world, send)
    assert throttled.kind == "throttled"
    assert throttled.detail.startswith("Maximum sending rate exceeded")
