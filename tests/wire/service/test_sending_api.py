"""Sending authorization over the SES v1 and v2 APIs, every step, with boto3 on a live server.

Each scenario builds its own world (owner, delegate, verified domain); the server and the DNS
server are shared per module and per backend (SQLite, PostgreSQL).
"""

from __future__ import annotations

import itertools
import re
from email import message_from_bytes
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World, document, statement

_counter = itertools.count()
MESSAGE_ID = re.compile(r"^01[0-9a-f]{14}-[0-9a-f-]{36}-000000$")


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"owner{next(_counter)}.example")


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def denied(caller: str, action: str, resource: str) -> str:
    return f"User `{caller}' is not authorized to perform `{action}' on resource `{resource}'"


def root(key: Any) -> str:
    return f"arn:aws:iam::{key.account_id}:root"


# ------------------------------------------------------------------- the owner itself


def test_owner_sends_from_its_own_domain_without_any_policy(world: World) -> None:
    sent = world.send_email(world.owner, source=f"news@{world.domain}", to=["a@example.net"])
    assert MESSAGE_ID.match(sent)
    record = world.captured(sent)
    assert record["sending_account"] == world.owner.account_id
    assert record["identity_arns"] == []
    assert record["recipients"] == ["a@example.net"]
    assert record["subject"] == "Hello"
    parsed = message_from_bytes(world.raw(sent))
    assert parsed["Message-ID"] == f"<{sent}@email.amazonses.com>"
    assert parsed["From"] == f"news@{world.domain}"
    assert parsed["Date"]


def test_unverified_source_is_rejected_with_ses_wording(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.send_email(world.owner, source="Bob <bob@unverified.example>", to=["a@x.net"])
    assert error_of(raised) == (
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: Bob <bob@unverified.example>, bob@unverified.example",
        400,
    )


# ------------------------------------------------------------------- delegates (v1)


def test_authorized_delegate_account_sends_and_is_charged(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    sent = world.send_email(
        world.delegate,
        source=f"app@{world.domain}",
        to=["a@example.net", "b@example.net"],
        SourceArn=world.arn(),
    )
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["caller_arn"] == root(world.delegate)
    assert record["identity_arns"] == [world.arn()]
    assert record["governing_identity_arns"] == [world.arn()]
    assert [s["sid"] for s in record["statements"]] == ["AllowDelegate"]
    # Quota and statistics move for the delegate, never for the owner.
    assert world.ses(world.delegate).get_send_quota()["SentLast24Hours"] == 2
    assert world.ses(world.owner).get_send_quota()["SentLast24Hours"] == 0
    points = world.ses(world.delegate).get_send_statistics()["SendDataPoints"]
    assert sum(p["DeliveryAttempts"] for p in points) == 2
    assert world.ses(world.owner).get_send_statistics()["SendDataPoints"] == []
    v2 = world.sesv2(world.delegate).get_account()
    assert v2["SendQuota"]["SentLast24Hours"] == 2


def test_delegate_without_a_policy_is_denied_with_ses_message(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate, source=f"app@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
        )
    assert error_of(raised) == (
        "AccessDenied",
        denied(root(world.delegate), "ses:SendEmail", world.arn()),
        403,
    )


def test_delegate_without_arn_cannot_use_the_owners_domain(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=f"app@{world.domain}", to=["a@x.net"])
    code, message, _ = error_of(raised)
    assert code == "MessageRejected"
    assert f"app@{world.domain}" in message


def test_editing_or_deleting_the_policy_deauthorizes_at_once(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    source = f"app@{world.domain}"
    world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    world.allow({"AWS": "210987654321"})  # now someone else
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    assert error_of(raised)[0] == "AccessDenied"
    world.allow({"AWS": world.delegate.account_id})
    world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    world.ses(world.owner).delete_identity_policy(Identity=world.domain, PolicyName="delegate")
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    assert error_of(raised)[0] == "AccessDenied"


def test_explicit_deny_beats_allow(world: World) -> None:
    world.put_policy(
        document(
            statement({"AWS": world.delegate.account_id}, world.arn()),
            statement(
                {"AWS": world.delegate.account_id},
                world.arn(),
                Sid="NoNoreply",
                Effect="Deny",
                Condition={"StringLike": {"ses:FromAddress": "noreply@*"}},
            ),
        )
    )
    world.send_email(
        world.delegate, source=f"app@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
    )
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate, source=f"noreply@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
        )
    assert error_of(raised)[0] == "AccessDenied"


def test_wrong_region_is_not_verified_there(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate,
            source=f"app@{world.domain}",
            to=["a@x.net"],
            SourceArn=world.arn(),
            region="us-west-2",
        )
    code, message, status = error_of(raised)
    assert (code, status) == ("MessageRejected", 400)
    assert "in region US-WEST-2" in message


def test_misaligned_arn_is_invalid_parameter(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate, source="app@elsewhere.example", to=["a@x.net"], SourceArn=world.arn()
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        f"The address 'app@elsewhere.example' does not align with the given ARN '{world.arn()}'",
        400,
    )


def test_malformed_arn_is_invalid_parameter(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate, source=f"app@{world.domain}", to=["a@x.net"], SourceArn="nope"
        )
    assert error_of(raised)[:1] == ("InvalidParameterValue",)


def test_third_account_with_the_domain_pending_gains_nothing(world: World) -> None:
    third = world.openses.new_account(production=True)
    # The third account starts verifying the owner's domain but cannot publish its token.
    world.ses(third).verify_domain_identity(Domain=world.domain)
    with pytest.raises(ClientError) as raised:
        world.send_email(third, source=f"x@{world.domain}", to=["a@x.net"])
    assert error_of(raised)[0] == "MessageRejected"
    with pytest.raises(ClientError) as raised:
        world.send_email(third, source=f"x@{world.domain}", to=["a@x.net"], SourceArn=world.arn())
    assert error_of(raised)[0] == "AccessDenied"


def test_address_identity_policies_take_precedence_over_the_domains(world: World) -> None:
    vip = f"vip@{world.domain}"
    world.verify_address(world.owner, vip)
    world.allow({"AWS": world.delegate.account_id})  # on the domain
    # The address's own policy allows only someone else: the delegate loses the address ...
    world.allow({"AWS": "210987654321"}, identity=vip)
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=vip, to=["a@x.net"], SourceArn=world.arn())
    assert error_of(raised) == (
        "AccessDenied",
        denied(root(world.delegate), "ses:SendEmail", world.arn(vip)),
        403,
    )
    # ... but keeps every other address of the domain.
    world.send_email(
        world.delegate, source=f"other@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
    )


# -------------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("condition", "allowed", "refused"),
    [
        (
            {"StringLike": {"ses:FromAddress": "marketing+*@{d}"}},
            {"source": "marketing+x@{d}"},
            {"source": "sales@{d}"},
        ),
        (
            {"StringEquals": {"ses:FromDisplayName": "Marketing"}},
            {"source": "Marketing <m@{d}>"},
            {"source": "Sales <m@{d}>"},
        ),
        (
            {"StringEquals": {"ses:FromDisplayName": "Grüße"}},
            {"source": "=?utf-8?b?R3LDvMOfZQ==?= <m@{d}>"},
            {"source": "Gruesse <m@{d}>"},
        ),
        (
            {"StringEquals": {"ses:FeedbackAddress": "bounces@{d}"}},
            {"source": "app@{d}", "ReturnPath": "bounces@{d}"},
            {"source": "app@{d}", "ReturnPath": "other@{d}"},
        ),
    ],
)
def test_conditions_on_from_display_name_and_feedback(
    world: World, condition: dict[str, Any], allowed: dict[str, str], refused: dict[str, str]
) -> None:
    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        return value.replace("{d}", world.domain)

    world.allow({"AWS": world.delegate.account_id}, Condition=fill(condition))

    def send(given: dict[str, str]) -> str:
        extra = fill(given)
        source = extra.pop("source")
        if "ReturnPath" in extra:
            extra["ReturnPathArn"] = world.arn()
        return world.send_email(
            world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn(), **extra
        )

    assert MESSAGE_ID.match(send(allowed))
    with pytest.raises(ClientError) as raised:
        send(refused)
    assert error_of(raised)[0] == "AccessDenied"


def test_condition_on_recipients(world: World) -> None:
    world.allow(
        {"AWS": world.delegate.account_id},
        Condition={"ForAllValues:StringLike": {"ses:Recipients": "*@partner.example"}},
    )
    source = f"app@{world.domain}"
    world.send_email(world.delegate, source=source, to=["a@partner.example"], SourceArn=world.arn())
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate,
            source=source,
            to=["a@partner.example", "b@other.example"],
            SourceArn=world.arn(),
        )
    assert error_of(raised)[0] == "AccessDenied"


@pytest.mark.parametrize(
    ("condition", "allowed"),
    [
        ({"DateLessThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}}, True),
        ({"DateGreaterThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}}, False),
        ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, True),
        ({"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, False),
        ({"StringEquals": {"ses:ApiVersion": "1"}}, True),
        ({"StringEquals": {"ses:ApiVersion": "2"}}, False),
    ],
)
def test_conditions_on_time_source_ip_and_api_version(
    world: World, condition: dict[str, Any], allowed: bool
) -> None:
    world.allow({"AWS": world.delegate.account_id}, Condition=condition)

    def send() -> str:
        return world.send_email(
            world.delegate, source=f"app@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
        )

    if allowed:
        assert MESSAGE_ID.match(send())
    else:
        with pytest.raises(ClientError) as raised:
            send()
        assert error_of(raised)[0] == "AccessDenied"


# --------------------------------------------------------------- IAM user delegates


def test_iam_user_delegate_needs_both_the_owners_policy_and_its_own(world: World) -> None:
    iam = world.openses.client("iam", world.delegate)
    iam.create_user(UserName="mailer")
    user_key = iam.create_access_key(UserName="mailer")["AccessKey"]
    user = (user_key["AccessKeyId"], user_key["SecretAccessKey"])
    user_arn = f"arn:aws:iam::{world.delegate.account_id}:user/mailer"
    world.allow({"AWS": user_arn})
    ses = world.openses.client("ses", user)

    def send() -> str:
        reply = ses.send_email(
            Source=f"app@{world.domain}",
            Destination={"ToAddresses": ["a@x.net"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
            SourceArn=world.arn(),
        )
        message_id: str = reply["MessageId"]
        return message_id

    with pytest.raises(ClientError) as raised:
        send()  # the user's own policies do not allow ses:SendEmail yet
    assert error_of(raised) == ("AccessDenied", denied(user_arn, "ses:SendEmail", world.arn()), 403)
    iam.put_user_policy(
        UserName="mailer",
        PolicyName="send",
        PolicyDocument=document({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}),
    )
    record = world.captured(send())
    assert record["caller_arn"] == user_arn
    assert record["sending_account"] == world.delegate.account_id
    # The root of the same account is not named by the policy: refused.
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate, source=f"app@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
        )
    assert error_of(raised)[0] == "AccessDenied"


# ----------------------------------------------------------- paused, quota, sandbox


def test_paused_account_cannot_send(world: World) -> None:
    world.update_account(world.owner, sending_enabled=False)
    with pytest.raises(ClientError) as raised:
        world.send_email(world.owner, source=f"a@{world.domain}", to=["a@x.net"])
    assert error_of(raised)[0] == "AccountSendingPausedException"
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.owner).send_email(
            FromEmailAddress=f"a@{world.domain}",
            Destination={"ToAddresses": ["a@x.net"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        )
    assert error_of(raised)[0] == "SendingPausedException"


def test_region_switch_pauses_only_that_region(world: World) -> None:
    world.ses(world.owner).update_account_sending_enabled(Enabled=False)
    with pytest.raises(ClientError) as raised:
        world.send_email(world.owner, source=f"a@{world.domain}", to=["a@x.net"])
    assert error_of(raised)[0] == "AccountSendingPausedException"
    world.ses(world.owner).update_account_sending_enabled(Enabled=True)
    world.send_email(world.owner, source=f"a@{world.domain}", to=["a@x.net"])


def test_send_rate_is_the_delegates(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    world.update_account(world.delegate, max_send_rate=1)
    source = f"app@{world.domain}"
    # A burst within one second: the first is admitted (and overdraws), the next is not.
    world.send_email(
        world.delegate, source=source, to=["a@x.net", "b@x.net", "c@x.net"], SourceArn=world.arn()
    )
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    assert error_of(raised) == ("Throttling", "Maximum sending rate exceeded.", 400)
    # The owner's own rate is untouched.
    world.send_email(world.owner, source=source, to=["a@x.net"])
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.delegate).send_email(
            FromEmailAddress=source,
            FromEmailAddressIdentityArn=world.arn(),
            Destination={"ToAddresses": ["a@x.net"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        )
    assert error_of(raised)[0] == "TooManyRequestsException"
    assert error_of(raised)[2] == 429


def test_daily_quota_is_the_delegates(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    world.update_account(world.delegate, max_24_hour_send=2)
    source = f"app@{world.domain}"
    # Below the maximum: accepted even though it overshoots (SES does the same).
    world.send_email(
        world.delegate, source=source, to=["a@x.net", "b@x.net", "c@x.net"], SourceArn=world.arn()
    )
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    assert error_of(raised) == ("Throttling", "Daily message quota exceeded.", 400)
    world.send_email(world.owner, source=source, to=["a@x.net"])


def test_sandboxed_delegate_may_send_only_to_its_verified_addresses(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    world.update_account(world.delegate, production=False)
    source = f"app@{world.domain}"
    with pytest.raises(ClientError) as raised:
        world.send_email(world.delegate, source=source, to=["a@x.net"], SourceArn=world.arn())
    code, message, _ = error_of(raised)
    assert code == "MessageRejected"
    assert message.endswith("a@x.net")
    world.verify_address(world.delegate, "me@delegate.example")
    # Its own verified address and the mailbox simulator are fine (one message: the sandbox
    # allows one per second).
    sent = world.send_email(
        world.delegate,
        source=source,
        to=["me@delegate.example", "success@simulator.amazonses.com"],
        SourceArn=world.arn(),
    )
    assert world.captured(sent)["recipients"] == [
        "me@delegate.example",
        "success@simulator.amazonses.com",
    ]
    # Simulator recipients count toward the rate but not the daily quota.
    assert world.ses(world.delegate).get_send_quota()["SentLast24Hours"] == 1


def test_sandboxed_owner_keeps_a_production_delegate_in_the_sandbox(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    world.update_account(world.owner, production=False)
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate, source=f"app@{world.domain}", to=["a@x.net"], SourceArn=world.arn()
        )
    assert error_of(raised)[0] == "MessageRejected"


def test_iam_user_of_the_owner_is_checked_against_the_covering_identity(world: World) -> None:
    iam = world.openses.client("iam", world.owner)
    iam.create_user(UserName="app")
    made = iam.create_access_key(UserName="app")["AccessKey"]
    ses = world.openses.client("ses", (made["AccessKeyId"], made["SecretAccessKey"]))
    user_arn = f"arn:aws:iam::{world.owner.account_id}:user/app"

    def send() -> None:
        ses.send_email(
            Source=f"app@{world.domain}",
            Destination={"ToAddresses": ["a@x.net"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        )

    def allow_on(resource: str) -> None:
        statement = {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": resource}
        iam.put_user_policy(UserName="app", PolicyName="send", PolicyDocument=document(statement))

    allow_on(world.arn("other.example"))
    with pytest.raises(ClientError) as raised:
        send()
    # The resource is the verified identity that covers the address: the domain.
    assert error_of(raised) == ("AccessDenied", denied(user_arn, "ses:SendEmail", world.arn()), 403)
    allow_on(world.arn())
    send()
