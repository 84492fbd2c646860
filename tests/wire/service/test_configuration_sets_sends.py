"""Sends that name a configuration set and carry message tags: v1, v2 and SMTP, with boto3.

A set named on a send is the *sending* account's own (spec §3 feedback channel 1, A20): a
delegate naming the owner's set is told it does not exist. The set and the message tags are
recorded on the captured message; the control headers are gone from the stored bytes.
"""

from __future__ import annotations

import itertools

import pytest
from botocore.exceptions import ClientError

from openses.smtp import SmtpListeners
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_api import error_of
from tests.wire.service.test_sending_smtp import message, smtp, submit

__all__ = ["smtp"]  # the SMTP listeners fixture, shared with test_sending_smtp

_counter = itertools.count()
ONLY = "only alphanumeric ASCII characters, '_', and '-' are allowed."


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"sets{next(_counter)}.example")


def raw_message(source: str, *headers: str) -> bytes:
    lines = [f"From: {source}", "To: a@example.net", "Subject: raw", *headers, "", "body", ""]
    return "\r\n".join(lines).encode()


def tags_of(record: dict[str, object]) -> list[tuple[str, str]]:
    shown = record["tags"]
    assert isinstance(shown, list)
    return [(tag["name"], tag["value"]) for tag in shown]


# ---------------------------------------------------------------------------- recording


def test_v1_send_records_the_set_and_tags(world: World) -> None:
    world.ses(world.owner).create_configuration_set(ConfigurationSet={"Name": "news"})
    sent = world.send_email(
        world.owner,
        source=f"news@{world.domain}",
        to=["a@example.net"],
        ConfigurationSetName="news",
        Tags=[{"Name": "campaign", "Value": "spring-2026"}, {"Name": "kind", "Value": "news"}],
    )
    record = world.captured(sent)
    assert record["configuration_set"] == "news"
    assert tags_of(record) == [("campaign", "spring-2026"), ("kind", "news")]
    plain = world.send_email(world.owner, source=f"news@{world.domain}", to=["a@example.net"])
    assert world.captured(plain)["configuration_set"] is None
    assert world.captured(plain)["tags"] == []


def test_raw_send_reads_and_strips_the_control_headers(world: World) -> None:
    world.ses(world.owner).create_configuration_set(ConfigurationSet={"Name": "raw-set"})
    data = raw_message(
        f"a@{world.domain}",
        "X-SES-CONFIGURATION-SET: raw-set",
        "X-SES-MESSAGE-TAGS: tagName1=tagValue1, tagName2=tagValue2",
    )
    sent = world.ses(world.owner).send_raw_email(RawMessage={"Data": data})["MessageId"]
    record = world.captured(sent)
    assert record["configuration_set"] == "raw-set"
    assert tags_of(record) == [("tagName1", "tagValue1"), ("tagName2", "tagValue2")]
    stored = world.raw(sent)
    assert b"X-SES-CONFIGURATION-SET" not in stored
    assert b"X-SES-MESSAGE-TAGS" not in stored
    # Tags given as parameters win; SES does not join them with the header's.
    sent = world.ses(world.owner).send_raw_email(
        RawMessage={"Data": data}, Tags=[{"Name": "from-param", "Value": "yes"}]
    )["MessageId"]
    assert tags_of(world.captured(sent)) == [("from-param", "yes")]


def test_v2_simple_and_raw_sends_record_the_set_and_tags(world: World) -> None:
    client = world.sesv2(world.owner)
    client.create_configuration_set(ConfigurationSetName="v2-set")
    sent = client.send_email(
        FromEmailAddress=f"a@{world.domain}",
        Destination={"ToAddresses": ["a@example.net"]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        ConfigurationSetName="v2-set",
        EmailTags=[{"Name": "flow", "Value": "welcome"}],
    )["MessageId"]
    record = world.captured(sent)
    assert record["configuration_set"] == "v2-set"
    assert tags_of(record) == [("flow", "welcome")]
    data = raw_message(f"a@{world.domain}", "X-SES-CONFIGURATION-SET: v2-set")
    sent = client.send_email(Content={"Raw": {"Data": data}})["MessageId"]
    assert world.captured(sent)["configuration_set"] == "v2-set"


def test_bulk_sends_merge_default_and_replacement_tags(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_configuration_set(ConfigurationSet={"Name": "bulk"})
    ses.create_template(Template={"TemplateName": "hi", "SubjectPart": "Hi", "TextPart": "x"})
    reply = ses.send_bulk_templated_email(
        Source=f"a@{world.domain}",
        Template="hi",
        DefaultTemplateData="{}",
        ConfigurationSetName="bulk",
        DefaultTags=[{"Name": "a", "Value": "1"}, {"Name": "b", "Value": "2"}],
        Destinations=[
            {"Destination": {"ToAddresses": ["x@example.net"]}},
            {
                "Destination": {"ToAddresses": ["y@example.net"]},
                "ReplacementTags": [{"Name": "b", "Value": "3"}],
            },
        ],
    )
    first, second = (status["MessageId"] for status in reply["Status"])
    assert world.captured(first)["configuration_set"] == "bulk"
    assert tags_of(world.captured(first)) == [("a", "1"), ("b", "2")]
    assert tags_of(world.captured(second)) == [("a", "1"), ("b", "3")]
    with pytest.raises(ClientError) as raised:
        ses.send_bulk_templated_email(
            Source=f"a@{world.domain}",
            Template="hi",
            DefaultTemplateData="{}",
            ConfigurationSetName="missing",
            Destinations=[{"Destination": {"ToAddresses": ["x@example.net"]}}],
        )
    assert error_of(raised)[:2] == (
        "ConfigurationSetDoesNotExist",
        "Configuration set <missing> does not exist.",
    )


# -------------------------------------------------------------------- whose set it is


def test_a_delegate_names_its_own_set_not_the_owners(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    world.ses(world.owner).create_configuration_set(ConfigurationSet={"Name": "feedback"})
    source, to = f"news@{world.domain}", ["a@example.net"]
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.delegate,
            source=source,
            to=to,
            SourceArn=world.arn(),
            ConfigurationSetName="feedback",
        )
    assert error_of(raised) == (
        "ConfigurationSetDoesNotExist",
        "Configuration set <feedback> does not exist.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.delegate).send_email(
            FromEmailAddress=f"news@{world.domain}",
            FromEmailAddressIdentityArn=world.arn(),
            Destination={"ToAddresses": ["a@example.net"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
            ConfigurationSetName="feedback",
        )
    assert error_of(raised) == (
        "NotFoundException",
        "Configuration set <feedback> does not exist.",
        404,
    )
    world.ses(world.delegate).create_configuration_set(ConfigurationSet={"Name": "feedback"})
    sent = world.send_email(
        world.delegate, source=source, to=to, SourceArn=world.arn(), ConfigurationSetName="feedback"
    )
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["configuration_set"] == "feedback"


def test_a_set_of_another_region_is_not_found(world: World) -> None:
    world.ses(world.owner, "eu-west-1").create_configuration_set(ConfigurationSet={"Name": "eu"})
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.owner,
            source=f"a@{world.domain}",
            to=["a@example.net"],
            ConfigurationSetName="eu",
        )
    assert error_of(raised)[0] == "ConfigurationSetDoesNotExist"


# ---------------------------------------------------------------------------- refusals


def test_sending_disabled_on_the_set_refuses_sends(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_configuration_set(ConfigurationSet={"Name": "paused"})
    ses.update_configuration_set_sending_enabled(ConfigurationSetName="paused", Enabled=False)
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.owner,
            source=f"a@{world.domain}",
            to=["a@example.net"],
            ConfigurationSetName="paused",
        )
    assert error_of(raised) == (
        "ConfigurationSetSendingPausedException",
        "Sending is paused for configuration set <paused>.",
        400,
    )
    data = raw_message(f"a@{world.domain}", "X-SES-CONFIGURATION-SET: paused")
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.owner).send_email(Content={"Raw": {"Data": data}})
    assert error_of(raised)[:2] == (
        "SendingPausedException",
        "Sending is paused for configuration set <paused>.",
    )
    ses.update_configuration_set_sending_enabled(ConfigurationSetName="paused", Enabled=True)
    sent = ses.send_raw_email(RawMessage={"Data": data})["MessageId"]
    assert world.captured(sent)["configuration_set"] == "paused"


def test_bad_message_tags_are_refused(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.owner,
            source=f"a@{world.domain}",
            to=["a@example.net"],
            Tags=[{"Name": "event", "Value": "event:id:abc1234"}],
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        f"Invalid tag value <event:id:abc1234>: {ONLY}",
        400,
    )
    data = raw_message(f"a@{world.domain}", "X-SES-MESSAGE-TAGS: bad name=x")
    with pytest.raises(ClientError) as raised:
        world.ses(world.owner).send_raw_email(RawMessage={"Data": data})
    assert error_of(raised)[:2] == ("InvalidParameterValue", f"Invalid tag name <bad name>: {ONLY}")
    with pytest.raises(ClientError) as raised:
        world.sesv2(world.owner).send_email(Content={"Raw": {"Data": data}})
    assert error_of(raised)[:2] == ("BadRequestException", f"Invalid tag name <bad name>: {ONLY}")


def test_a_malformed_set_name_is_invalid(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.send_email(
            world.owner,
            source=f"a@{world.domain}",
            to=["a@example.net"],
            ConfigurationSetName="a.b",
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        f"Invalid configuration set name <a.b>: {ONLY}",
        400,
    )


# --------------------------------------------------------------------------------- SMTP


def test_smtp_delegate_names_its_own_set_by_header(world: World, smtp: SmtpListeners) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action="ses:SendRawEmail")
    world.ses(world.owner).create_configuration_set(ConfigurationSet={"Name": "mine"})
    source = f"app@{world.domain}"
    headers = (f"X-SES-SOURCE-ARN: {world.arn()}", "X-SES-CONFIGURATION-SET: mine")
    data = message(source, *headers, "X-SES-MESSAGE-TAGS: app=billing")
    assert submit(smtp, world.delegate, source, data) == (
        554,
        "Transaction failed: Configuration set <mine> does not exist.",
    )
    world.ses(world.delegate).create_configuration_set(ConfigurationSet={"Name": "mine"})
    code, text = submit(smtp, world.delegate, source, data)
    assert code == 250
    sent = text.removeprefix("Ok ")
    record = world.captured(sent)
    assert record["configuration_set"] == "mine"
    assert tags_of(record) == [("app", "billing")]
    assert b"X-SES-CONFIGURATION-SET" not in world.raw(sent)
    world.ses(world.delegate).update_configuration_set_sending_enabled(
        ConfigurationSetName="mine", Enabled=False
    )
    assert submit(smtp, world.delegate, source, data) == (
        554,
        "Message rejected: Sending is paused for configuration set <mine>.",
    )
    bad = message(source, *headers, "X-SES-MESSAGE-TAGS: app")
    world.ses(world.delegate).update_configuration_set_sending_enabled(
        ConfigurationSetName="mine", Enabled=True
    )
    assert submit(smtp, world.delegate, source, bad) == (
        554,
        "Transaction failed: Invalid message tag <app> in X-SES-MESSAGE-TAGS: expected name=value.",
    )
