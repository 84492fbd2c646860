"""Raw sends (v1 SendRawEmail, v2 Raw content), v2 refusals, service principals and limits."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email import message_from_bytes
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World, document, statement
from tests.wire.service.test_sending_api import MESSAGE_ID, denied, error_of, root

_counter = itertools.count()


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"raw{next(_counter)}.example")


def raw_message(sender: str, *headers: str, to: str = "a@example.net") -> bytes:
    lines = [
        f"From: Sender <{sender}>",
        f"To: {to}",
        "Subject: Raw hello",
        *headers,
        "X-Mailer: kept as is",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Grüße,",
        ".a line starting with a dot",
        "",
    ]
    return "\r\n".join(lines).encode()


def test_v1_raw_with_control_headers_is_authorized_and_stripped(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    data = raw_message(
        f"app@{world.domain}",
        f"X-SES-SOURCE-ARN: {world.arn()}",
        "X-SES-SOURCE-ARN: arn:aws:ses:us-east-1:999999999999:identity/ignored.example",
        "X-SES-MESSAGE-TAGS: campaign=spring",
    )
    sent = world.ses(world.delegate).send_raw_email(RawMessage={"Data": data})["MessageId"]
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["identity_arns"] == [world.arn()]
    assert record["subject"] == "Raw hello"
    stored = world.raw(sent)
    assert b"X-SES-" not in stored
    assert b"X-Mailer: kept as is\r\n" in stored
    # Everything but the control headers and SES's Message-ID/Date is the client's bytes.
    body = data.split(b"\r\n\r\n", 1)[1]
    assert stored.endswith(body)
    parsed = message_from_bytes(stored)
    assert parsed["Message-ID"] == f"<{sent}@email.amazonses.com>"


def test_v1_raw_parameter_beats_header(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    data = raw_message(
        f"app@{world.domain}",
        "X-SES-SOURCE-ARN: arn:aws:ses:us-east-1:999999999999:identity/elsewhere.example",
    )
    reply = world.ses(world.delegate).send_raw_email(
        RawMessage={"Data": data}, SourceArn=world.arn()
    )
    assert world.captured(reply["MessageId"])["identity_arns"] == [world.arn()]


def test_v1_raw_without_policy_is_denied_as_send_raw_email(world: World) -> None:
    data = raw_message(f"app@{world.domain}", f"X-SES-SOURCE-ARN: {world.arn()}")
    with pytest.raises(ClientError) as raised:
        world.ses(world.delegate).send_raw_email(RawMessage={"Data": data})
    assert error_of(raised) == (
        "AccessDenied",
        denied(root(world.delegate), "ses:SendRawEmail", world.arn()),
        403,
    )


def test_v1_raw_from_arn_and_destinations(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    data = raw_message(f"app@{world.domain}", to="header@example.net")
    reply = world.ses(world.delegate).send_raw_email(
        RawMessage={"Data": data},
        Destinations=["envelope@example.net"],
        SourceArn=world.arn(),
        FromArn=world.arn(),
    )
    assert world.captured(reply["MessageId"])["recipients"] == ["envelope@example.net"]


def test_v1_raw_malformed_message_is_rejected(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.ses(world.owner).send_raw_email(RawMessage={"Data": b"no separator at all"})
    assert error_of(raised)[0] == "MessageRejected"
    with pytest.raises(ClientError) as raised:
        world.ses(world.owner).send_raw_email(
            RawMessage={"Data": b"To: a@example.net\r\nSubject: x\r\n\r\nbody"}
        )
    assert error_of(raised)[:2] == ("MessageRejected", "Missing required header 'From'.")


def test_v2_raw_from_arn_overrides_headers(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    data = raw_message(
        f"app@{world.domain}",
        "X-SES-SOURCE-ARN: arn:aws:ses:us-east-1:999999999999:identity/elsewhere.example",
    )
    reply = world.sesv2(world.delegate).send_email(
        FromEmailAddressIdentityArn=world.arn(), Content={"Raw": {"Data": data}}
    )
    record = world.captured(reply["MessageId"])
    assert record["identity_arns"] == [world.arn()]
    assert record["recipients"] == ["a@example.net"]


def test_v2_simple_delegate_and_refusal(world: World) -> None:
    sesv2 = world.sesv2(world.delegate)

    def send(**extra: Any) -> str:
        reply = sesv2.send_email(
            FromEmailAddress=f"Team <app@{world.domain}>",
            FromEmailAddressIdentityArn=world.arn(),
            Destination={"ToAddresses": ["a@example.net"], "BccAddresses": ["b@example.net"]},
            Content={
                "Simple": {
                    "Subject": {"Data": "Grüße", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": "text"}, "Html": {"Data": "<p>html</p>"}},
                    "Headers": [{"Name": "X-Campaign", "Value": "spring"}],
                }
            },
            **extra,
        )
        message_id: str = reply["MessageId"]
        return message_id

    with pytest.raises(ClientError) as raised:
        send()
    assert error_of(raised) == (
        "AccessDeniedException",
        denied(root(world.delegate), "ses:SendEmail", world.arn()),
        403,
    )
    world.allow(
        {"AWS": world.delegate.account_id}, Condition={"StringEquals": {"ses:ApiVersion": "2"}}
    )
    sent = send()
    assert MESSAGE_ID.match(sent)
    record = world.captured(sent)
    assert record["recipients"] == ["a@example.net", "b@example.net"]
    assert record["subject"] == "Grüße"
    parsed = message_from_bytes(world.raw(sent))
    assert parsed["X-Campaign"] == "spring"
    assert parsed["Bcc"] is None
    assert parsed.get_content_type() == "multipart/alternative"


def test_v2_unverified_and_misaligned(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    simple = {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}}
    with pytest.raises(ClientError) as raised:
        sesv2.send_email(
            FromEmailAddress="x@unverified.example",
            Destination={"ToAddresses": ["a@example.net"]},
            Content=simple,
        )
    assert error_of(raised)[0] == "MessageRejected"
    with pytest.raises(ClientError) as raised:
        sesv2.send_email(
            FromEmailAddress="x@unverified.example",
            FromEmailAddressIdentityArn=world.arn(),
            Destination={"ToAddresses": ["a@example.net"]},
            Content=simple,
        )
    assert error_of(raised)[0] == "BadRequestException"


def test_service_principal_needs_a_policy_naming_it(world: World) -> None:
    pool = f"arn:aws:cognito-idp:us-east-1:{world.owner.account_id}:userpool/us-east-1_pool"
    accounts = world.openses.application.services.accounts
    key = world.openses.run(
        accounts.create_service_key(
            datetime.now(UTC),
            account_id=world.owner.account_id,
            service="cognito-idp.amazonaws.com",
            source_arn=pool,
        )
    )
    ses = world.ses(key)

    def send() -> str:
        reply = ses.send_email(
            Source=f"no-reply@{world.domain}",
            Destination={"ToAddresses": ["a@example.net"]},
            Message={"Subject": {"Data": "code"}, "Body": {"Text": {"Data": "123456"}}},
            SourceArn=world.arn(),
        )
        message_id: str = reply["MessageId"]
        return message_id

    with pytest.raises(ClientError) as raised:
        send()
    assert error_of(raised)[0] == "AccessDenied"
    world.put_policy(
        document(
            statement(
                {"Service": "cognito-idp.amazonaws.com"},
                world.arn(),
                Condition={
                    "StringEquals": {"aws:SourceAccount": world.owner.account_id},
                    "ArnLike": {"aws:SourceArn": pool},
                },
            )
        )
    )
    record = world.captured(send())
    assert record["caller_arn"] == "cognito-idp.amazonaws.com"
    # Another pool of the same account is not named: refused.
    world.put_policy(
        document(
            statement(
                {"Service": "cognito-idp.amazonaws.com"},
                world.arn(),
                Condition={"ArnLike": {"aws:SourceArn": pool + "-other"}},
            )
        )
    )
    with pytest.raises(ClientError) as raised:
        send()
    assert error_of(raised)[0] == "AccessDenied"


def test_recipient_and_size_limits(world: World) -> None:
    ses = world.ses(world.owner)
    many = [f"r{index}@example.net" for index in range(51)]
    with pytest.raises(ClientError) as raised:
        world.send_email(world.owner, source=f"a@{world.domain}", to=many)
    assert error_of(raised)[:2] == ("InvalidParameterValue", "Recipient count exceeds 50.")
    big = raw_message(f"a@{world.domain}") + b"x" * (10 * 1024 * 1024)
    with pytest.raises(ClientError) as raised:
        ses.send_raw_email(RawMessage={"Data": big})
    assert error_of(raised)[0] == "MessageRejected"
    with pytest.raises(ClientError) as raised:
        world.send_email(world.owner, source="not an address", to=["a@example.net"])
    assert error_of(raised)[0] == "InvalidParameterValue"


def test_unknown_configuration_set_is_refused(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.owner,
            source=f"a@{world.domain}",
            to=["a@example.net"],
            ConfigurationSetName="nope",
        )
    assert error_of(raised)[0] == "ConfigurationSetDoesNotExist"


def test_v2_members_not_implemented_are_refused_by_name(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.owner).send_email(
            FromEmailAddress=f"a@{world.domain}",
            Destination={"ToAddresses": ["a@example.net"]},
            Content={
                "Simple": {
                    "Subject": {"Data": "s"},
                    "Body": {"Text": {"Data": "b"}},
                    "Attachments": [{"RawContent": b"x", "FileName": "x.txt"}],
                }
            },
        )
    assert error_of(raised)[:2] == (
        "BadRequestException",
        "Simple.Attachments is not supported by OpenSES yet.",
    )


def test_a_nul_in_the_subject_is_stored_and_shown_as_a_replacement(world: World) -> None:
    data = (
        f"From: a@{world.domain}\r\nTo: a@example.net\r\nSubject: =?utf-8?q?a=00b?=\r\n\r\nx\r\n"
    ).encode()
    sent = world.ses(world.owner).send_raw_email(RawMessage={"Data": data})["MessageId"]
    assert world.captured(sent)["subject"] == "a\ufffdb"
    assert world.raw(sent).endswith(b"=?utf-8?q?a=00b?=\r\n\r\nx\r\n")


def test_configuration_set_named_by_header_is_refused_on_every_raw_route(world: World) -> None:
    data = raw_message(f"a@{world.domain}", "X-SES-CONFIGURATION-SET: nope")
    with pytest.raises(ClientError) as raised:
        world.ses(world.owner).send_raw_email(RawMessage={"Data": data})
    assert error_of(raised)[:2] == (
        "ConfigurationSetDoesNotExist",
        "Configuration set <nope> does not exist.",
    )
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.owner).send_email(Content={"Raw": {"Data": data}})
    assert error_of(raised)[0] == "NotFoundException"
