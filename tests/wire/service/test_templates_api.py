"""Templates (v1 and v2 management, TestRender) and templated and bulk sends by delegates."""

from __future__ import annotations

import itertools
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_api import MESSAGE_ID, denied, error_of, root

_counter = itertools.count()
WELCOME = {
    "TemplateName": "welcome",
    "SubjectPart": "Hello {{name}}",
    "TextPart": "Dear {{name}},{{#each items}} {{this}}{{/each}}. <b>{{tag}}</b>",
    "HtmlPart": "<p>{{name}} & {{tag}}</p>",
}


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"tpl{next(_counter)}.example")


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text part")


def test_v1_template_management(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_template(Template=WELCOME)
    with pytest.raises(ClientError) as raised:
        ses.create_template(Template=WELCOME)
    assert error_of(raised)[0] == "AlreadyExists"
    assert ses.get_template(TemplateName="welcome")["Template"] == WELCOME
    for index in range(3):
        ses.create_template(Template={**WELCOME, "TemplateName": f"t{index}"})
    first = ses.list_templates(MaxItems=2)
    assert [t["Name"] for t in first["TemplatesMetadata"]] == ["t0", "t1"]
    rest = ses.list_templates(MaxItems=2, NextToken=first["NextToken"])
    assert [t["Name"] for t in rest["TemplatesMetadata"]] == ["t2", "welcome"]
    ses.update_template(Template={**WELCOME, "SubjectPart": "Hi {{name}}"})
    assert ses.get_template(TemplateName="welcome")["Template"]["SubjectPart"] == "Hi {{name}}"
    ses.delete_template(TemplateName="t0")
    ses.delete_template(TemplateName="t0")  # v1 deletes quietly
    with pytest.raises(ClientError) as raised:
        ses.get_template(TemplateName="t0")
    assert error_of(raised)[0] == "TemplateDoesNotExist"
    with pytest.raises(ClientError) as raised:
        ses.update_template(Template={**WELCOME, "TemplateName": "t0"})
    assert error_of(raised)[0] == "TemplateDoesNotExist"
    # The delegate's templates are its own: it does not see the owner's.
    assert world.ses(world.delegate).list_templates()["TemplatesMetadata"] == []


@pytest.mark.parametrize(
    "template",
    [
        {**WELCOME, "TextPart": "{{#if x}}unclosed"},
        {"TemplateName": "no-body", "SubjectPart": "s"},
        {**WELCOME, "TemplateName": "bad name!"},
    ],
)
def test_v1_invalid_templates_are_refused(world: World, template: dict[str, str]) -> None:
    with pytest.raises(ClientError) as raised:
        world.ses(world.owner).create_template(Template=template)
    assert error_of(raised)[0] in {"InvalidTemplate", "ValidationError"}


def test_v1_test_render(world: World) -> None:
    ses = world.ses(world.owner)
    ses.create_template(Template=WELCOME)
    rendered = ses.test_render_template(
        TemplateName="welcome", TemplateData='{"name": "Ana", "items": ["a", "b"], "tag": "<x>"}'
    )["RenderedTemplate"]
    message = message_from_bytes(rendered.encode())
    assert message["Subject"] == "Hello Ana"
    assert text_of(message) == "Dear Ana, a b. <b><x></b>"  # never HTML-escaped
    with pytest.raises(ClientError) as raised:
        ses.test_render_template(TemplateName="welcome", TemplateData='{"items": []}')
    assert error_of(raised) == (
        "MissingRenderingAttribute",
        "Attribute 'name' is not present in the rendering data.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ses.test_render_template(TemplateName="welcome", TemplateData="[1]")
    assert error_of(raised)[0] == "InvalidRenderingParameter"
    with pytest.raises(ClientError) as raised:
        ses.test_render_template(TemplateName="nope", TemplateData="{}")
    assert error_of(raised)[0] == "TemplateDoesNotExist"


def test_v2_template_management(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    content = {"Subject": "Hi {{name}}", "Text": "Hello {{name}}", "Html": "<p>{{name}}</p>"}
    sesv2.create_email_template(TemplateName="v2", TemplateContent=content)
    got = sesv2.get_email_template(TemplateName="v2")
    assert (got["TemplateName"], got["TemplateContent"]) == ("v2", content)
    listed = sesv2.list_email_templates()["TemplatesMetadata"]
    assert [t["TemplateName"] for t in listed] == ["v2"]
    rendered = sesv2.test_render_email_template(TemplateName="v2", TemplateData='{"name": "Bo"}')
    assert "Subject: Hi Bo" in rendered["RenderedTemplate"]
    sesv2.update_email_template(TemplateName="v2", TemplateContent={**content, "Subject": "Yo"})
    assert sesv2.get_email_template(TemplateName="v2")["TemplateContent"]["Subject"] == "Yo"
    sesv2.delete_email_template(TemplateName="v2")
    with pytest.raises(ClientError) as raised:
        sesv2.delete_email_template(TemplateName="v2")
    assert error_of(raised)[:3:2] == ("NotFoundException", 404)


def test_delegate_templated_send_needs_the_templated_action(world: World) -> None:
    world.ses(world.delegate).create_template(Template=WELCOME)
    world.allow({"AWS": world.delegate.account_id}, Action="ses:SendEmail")

    def send(data: str = '{"name": "Ana", "items": [], "tag": "t"}') -> str:
        reply = world.ses(world.delegate).send_templated_email(
            Source=f"app@{world.domain}",
            SourceArn=world.arn(),
            Destination={"ToAddresses": ["a@example.net"]},
            Template="welcome",
            TemplateData=data,
        )
        message_id: str = reply["MessageId"]
        return message_id

    with pytest.raises(ClientError) as raised:
        send()
    assert error_of(raised) == (
        "AccessDenied",
        denied(root(world.delegate), "ses:SendTemplatedEmail", world.arn()),
        403,
    )
    world.allow({"AWS": world.delegate.account_id}, Action="ses:SendTemplatedEmail")
    sent = send()
    record = world.captured(sent)
    assert (record["kind"], record["subject"]) == ("send", "Hello Ana")
    assert record["sending_account"] == world.delegate.account_id
    assert text_of(message_from_bytes(world.raw(sent))).startswith("Dear Ana")
    # Data that does not render: accepted, recorded as a rendering failure, never charged.
    before = world.ses(world.delegate).get_send_quota()["SentLast24Hours"]
    failed = send('{"items": []}')
    assert MESSAGE_ID.match(failed)
    record = world.captured(failed)
    assert record["kind"] == "render_failure"
    assert record["error"] == "Attribute 'name' is not present in the rendering data."
    assert world.ses(world.delegate).get_send_quota()["SentLast24Hours"] == before
    with pytest.raises(ClientError) as raised:
        world.ses(world.delegate).send_templated_email(
            Source=f"app@{world.domain}",
            SourceArn=world.arn(),
            Destination={"ToAddresses": ["a@example.net"]},
            Template="missing",
            TemplateData="{}",
        )
    assert error_of(raised)[0] == "TemplateDoesNotExist"


def test_v1_bulk_templated_send(world: World) -> None:
    world.ses(world.delegate).create_template(Template=WELCOME)
    world.allow({"AWS": world.delegate.account_id}, Action="ses:SendBulkTemplatedEmail")
    reply = world.ses(world.delegate).send_bulk_templated_email(
        Source=f"app@{world.domain}",
        SourceArn=world.arn(),
        Template="welcome",
        DefaultTemplateData='{"name": "friend", "items": [], "tag": "t"}',
        Destinations=[
            {"Destination": {"ToAddresses": ["a@example.net"]}},
            {
                "Destination": {"ToAddresses": ["b@example.net"]},
                "ReplacementTemplateData": '{"name": "Bea"}',
            },
            {"Destination": {"ToAddresses": ["not-an-address"]}},
        ],
    )
    statuses = reply["Status"]
    assert [s["Status"] for s in statuses] == ["Success", "Success", "InvalidParameterValue"]
    subjects = [world.captured(s["MessageId"])["subject"] for s in statuses[:2]]
    assert subjects == ["Hello friend", "Hello Bea"]


def test_v2_template_content_and_bulk(world: World) -> None:
    sesv2 = world.sesv2(world.delegate)
    sesv2.create_email_template(
        TemplateName="v2", TemplateContent={"Subject": "Hi {{name}}", "Text": "T {{name}}"}
    )
    world.allow(
        {"AWS": world.delegate.account_id},
        Action=["ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"],
    )
    common: dict[str, Any] = {
        "FromEmailAddress": f"app@{world.domain}",
        "FromEmailAddressIdentityArn": world.arn(),
    }
    sent = sesv2.send_email(
        **common,
        Destination={"ToAddresses": ["a@example.net"]},
        Content={"Template": {"TemplateName": "v2", "TemplateData": '{"name": "Cy"}'}},
    )["MessageId"]
    assert world.captured(sent)["subject"] == "Hi Cy"
    inline = sesv2.send_email(
        **common,
        Destination={"ToAddresses": ["a@example.net"]},
        Content={
            "Template": {
                "TemplateContent": {"Subject": "Inline {{name}}", "Text": "x"},
                "TemplateData": '{"name": "Di"}',
            }
        },
    )["MessageId"]
    assert world.captured(inline)["subject"] == "Inline Di"

    def bulk() -> Any:
        return sesv2.send_bulk_email(
            **common,
            DefaultContent={"Template": {"TemplateName": "v2", "TemplateData": '{"name": "x"}'}},
            BulkEmailEntries=[
                {
                    "Destination": {"ToAddresses": ["a@example.net"]},
                    "ReplacementEmailContent": {
                        "ReplacementTemplate": {"ReplacementTemplateData": '{"name": "Ed"}'}
                    },
                }
            ],
        )

    # Bulk is authorized as ses:SendBulkEmail too (decision A5).
    with pytest.raises(ClientError) as raised:
        bulk()
    assert error_of(raised) == (
        "AccessDeniedException",
        denied(root(world.delegate), "ses:SendBulkEmail", world.arn()),
        403,
    )
    world.allow(
        {"AWS": world.delegate.account_id},
        Action=["ses:SendBulkEmail", "ses:SendBulkTemplatedEmail"],
    )
    results = bulk()["BulkEmailEntryResults"]
    assert [r["Status"] for r in results] == ["SUCCESS"]
    assert world.captured(results[0]["MessageId"])["subject"] == "Hi Ed"


def test_rendering_failures_can_be_listed_by_kind(world: World) -> None:
    world.ses(world.owner).create_template(Template=WELCOME)
    world.ses(world.owner).send_templated_email(
        Source=f"app@{world.domain}",
        Destination={"ToAddresses": ["a@example.net"]},
        Template="welcome",
        TemplateData="{}",
    )
    listing = httpx.get(
        f"{world.openses.base_url}/_openses/messages",
        params={"kind": "render_failure", "account": world.owner.account_id},
    ).json()["messages"]
    assert [m["kind"] for m in listing] == ["render_failure"]
