"""An identity's default configuration set (SESv2 CreateEmailIdentity ``ConfigurationSetName``,
PutEmailIdentityConfigurationSetAttributes, GetEmailIdentity): the account's own sends from the
identity that name no set use it — the most specific verified identity's that has one — while a
delegate's sends never do (A20: the delegate's own set, named on its request, only). Deleting
the set removes it as a default."""

from __future__ import annotations

import itertools

import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_api import error_of

_counter = itertools.count()


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"defaultset{next(_counter)}.example")


def test_the_default_set_is_kept_shown_changed_and_removed(world: World) -> None:
    v2 = world.sesv2(world.owner)
    v2.create_configuration_set(ConfigurationSetName="welcome")
    v2.create_configuration_set(ConfigurationSetName="news")
    address = f"hello@{world.domain}"
    v2.create_email_identity(EmailIdentity=address, ConfigurationSetName="welcome")
    assert v2.get_email_identity(EmailIdentity=address)["ConfigurationSetName"] == "welcome"
    v2.put_email_identity_configuration_set_attributes(
        EmailIdentity=address, ConfigurationSetName="news"
    )
    assert v2.get_email_identity(EmailIdentity=address)["ConfigurationSetName"] == "news"
    v2.put_email_identity_configuration_set_attributes(EmailIdentity=address)
    assert "ConfigurationSetName" not in v2.get_email_identity(EmailIdentity=address)


MISSING_SET = ("NotFoundException", "Configuration set <missing> does not exist.", 404)


def test_refusals(world: World) -> None:
    v2 = world.sesv2(world.owner)
    address = f"refused@{world.domain}"
    with pytest.raises(ClientError) as raised:
        v2.create_email_identity(EmailIdentity=address, ConfigurationSetName="missing")
    assert error_of(raised) == MISSING_SET
    with pytest.raises(ClientError):  # nothing was made
        v2.get_email_identity(EmailIdentity=address)
    v2.create_email_identity(EmailIdentity=address)
    with pytest.raises(ClientError) as raised:
        v2.put_email_identity_configuration_set_attributes(
            EmailIdentity=address, ConfigurationSetName="missing"
        )
    assert error_of(raised) == MISSING_SET
    with pytest.raises(ClientError) as raised:
        v2.put_email_identity_configuration_set_attributes(
            EmailIdentity="nobody@unknown.example", ConfigurationSetName="missing"
        )
    assert error_of(raised) == (
        "NotFoundException",
        "Email identity nobody@unknown.example does not exist.",
        404,
    )


def test_own_sends_use_the_most_specific_default_and_a_named_set_wins(world: World) -> None:
    v2 = world.sesv2(world.owner)
    for name in ("domain-wide", "for-news", "named"):
        v2.create_configuration_set(ConfigurationSetName=name)
    v2.put_email_identity_configuration_set_attributes(
        EmailIdentity=world.domain, ConfigurationSetName="domain-wide"
    )
    news = f"news@{world.domain}"
    world.verify_address(world.owner, news)
    v2.put_email_identity_configuration_set_attributes(
        EmailIdentity=news, ConfigurationSetName="for-news"
    )
    to = ["a@example.net"]
    by_news = world.send_email(world.owner, source=news, to=to)
    assert world.captured(by_news)["configuration_set"] == "for-news"
    by_other = world.send_email(world.owner, source=f"other@{world.domain}", to=to)
    assert world.captured(by_other)["configuration_set"] == "domain-wide"
    named = world.send_email(world.owner, source=news, to=to, ConfigurationSetName="named")
    assert world.captured(named)["configuration_set"] == "named"
    raw = f"From: {news}\r\nTo: a@example.net\r\nSubject: raw\r\n\r\nbody\r\n".encode()
    sent_raw = v2.send_email(Content={"Raw": {"Data": raw}})["MessageId"]
    assert world.captured(sent_raw)["configuration_set"] == "for-news"


def test_a_paused_default_set_refuses_the_send_and_a_deleted_one_is_forgotten(
    world: World,
) -> None:
    v2 = world.sesv2(world.owner)
    v2.create_configuration_set(ConfigurationSetName="paused")
    v2.put_email_identity_configuration_set_attributes(
        EmailIdentity=world.domain, ConfigurationSetName="paused"
    )
    v2.put_configuration_set_sending_options(ConfigurationSetName="paused", SendingEnabled=False)
    source, to = f"a@{world.domain}", ["a@example.net"]
    with pytest.raises(ClientError) as raised:
        world.send_email(world.owner, source=source, to=to)
    assert error_of(raised)[0] == "ConfigurationSetSendingPausedException"
    v2.delete_configuration_set(ConfigurationSetName="paused")
    assert "ConfigurationSetName" not in v2.get_email_identity(EmailIdentity=world.domain)
    sent = world.send_email(world.owner, source=source, to=to)
    assert world.captured(sent)["configuration_set"] is None


def test_a_delegates_send_never_uses_the_owners_default(world: World) -> None:
    world.allow({"AWS": world.delegate.account_id})
    owner = world.sesv2(world.owner)
    owner.create_configuration_set(ConfigurationSetName="owners")
    owner.put_email_identity_configuration_set_attributes(
        EmailIdentity=world.domain, ConfigurationSetName="owners"
    )
    sent = world.send_email(
        world.delegate, source=f"news@{world.domain}", to=["a@example.net"], SourceArn=world.arn()
    )
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["configuration_set"] is None
