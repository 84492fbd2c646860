"""Custom verification email templates over SES v1 and v2, with boto3: management, SES's rules
and the errors each API words them with (sending: ``test_custom_verification_sends_api.py``)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_api import error_of

_counter = itertools.count()
CONTENT = (
    "<html><head></head><body style='font-family:sans-serif'><h1>Welcome to Brand</h1>"
    "<p>One last step: confirm your address.</p></body></html>"
)
SUCCESS = "https://brand.example/verified"
FAILURE = "https://brand.example/failed"


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"cv{next(_counter)}.example")


def template(world: World, name: str = "welcome", **changes: str) -> dict[str, str]:
    return {
        "TemplateName": name,
        "FromEmailAddress": f"verify@{world.domain}",
        "TemplateSubject": "Please confirm your address",
        "TemplateContent": CONTENT,
        "SuccessRedirectionURL": SUCCESS,
        "FailureRedirectionURL": FAILURE,
        **changes,
    }


def refused(call: Any, **params: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    return error_of(raised)


# ---------------------------------------------------------------------- v1 management


def test_v1_template_management(world: World) -> None:
    ses = world.ses(world.owner)
    welcome = template(world)
    assert ses.create_custom_verification_email_template(**welcome)
    error = refused(ses.create_custom_verification_email_template, **welcome)
    assert error == (
        "CustomVerificationEmailTemplateAlreadyExists",
        "Custom verification email template welcome already exists.",
        400,
    )
    got = ses.get_custom_verification_email_template(TemplateName="welcome")
    got.pop("ResponseMetadata")
    assert got == welcome
    for index in range(3):
        ses.create_custom_verification_email_template(**template(world, f"t{index}"))
    first = ses.list_custom_verification_email_templates(MaxResults=2)
    assert [t["TemplateName"] for t in first["CustomVerificationEmailTemplates"]] == ["t0", "t1"]
    assert first["CustomVerificationEmailTemplates"][0] == {
        key: value for key, value in template(world, "t0").items() if key != "TemplateContent"
    }
    rest = ses.list_custom_verification_email_templates(MaxResults=2, NextToken=first["NextToken"])
    assert [t["TemplateName"] for t in rest["CustomVerificationEmailTemplates"]] == [
        "t2",
        "welcome",
    ]
    assert "NextToken" not in rest
    assert len(ses.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"])
    # v1 updates only what it is given.
    ses.update_custom_verification_email_template(
        TemplateName="welcome",
        TemplateSubject="Confirm, please",
        FromEmailAddress=f"hi@{world.domain}",
    )
    got = ses.get_custom_verification_email_template(TemplateName="welcome")
    assert (got["TemplateSubject"], got["FromEmailAddress"], got["TemplateContent"]) == (
        "Confirm, please",
        f"hi@{world.domain}",
        CONTENT,
    )
    ses.delete_custom_verification_email_template(TemplateName="t0")
    ses.delete_custom_verification_email_template(TemplateName="t0")  # v1 deletes quietly
    missing = ("CustomVerificationEmailTemplateDoesNotExist", 400)
    code, message, http = refused(ses.get_custom_verification_email_template, TemplateName="t0")
    assert (code, http) == missing
    assert message == "Custom verification email template t0 does not exist."
    code, _, http = refused(
        ses.update_custom_verification_email_template, TemplateName="t0", TemplateSubject="x"
    )
    assert (code, http) == missing
    # Templates are the account's own, per region.
    assert (
        world.ses(world.delegate).list_custom_verification_email_templates()[
            "CustomVerificationEmailTemplates"
        ]
        == []
    )
    west = world.ses(world.owner, region="us-west-2")
    assert west.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"] == []


CONTENT_ERROR = "CustomVerificationEmailInvalidContent"


@pytest.mark.parametrize(
    ("changes", "code", "fragment"),
    [
        ({"FromEmailAddress": "v@elsewhere.example"}, "FromEmailAddressNotVerified", "verified"),
        ({"FromEmailAddress": "Brand <verify@DOMAIN>"}, "InvalidParameterValue", "display name"),
        ({"TemplateContent": "<a href='x'>click</a>"}, CONTENT_ERROR, "<a>"),
        ({"TemplateContent": "<p>x</p><!-- c -->"}, CONTENT_ERROR, "comments"),
        ({"TemplateContent": "<p>" + "x" * 10_485_760}, CONTENT_ERROR, "10 MB"),
        ({"SuccessRedirectionURL": "/relative"}, "InvalidParameterValue", "SuccessRedirectionURL"),
        ({"TemplateName": "bad name"}, "InvalidParameterValue", "letters, digits"),
        ({"TemplateSubject": "a\nb"}, "InvalidParameterValue", "line breaks"),
    ],
    ids=["from-unverified", "display-name", "tag", "comment", "10MB", "url", "name", "subject"],
)  # fmt: skip
def test_v1_refused_templates(
    world: World, changes: dict[str, str], code: str, fragment: str
) -> None:
    given = {k: v.replace("DOMAIN", world.domain) for k, v in changes.items()}
    ses = world.ses(world.owner)
    found, message, http = refused(
        ses.create_custom_verification_email_template, **template(world, **given)
    )
    assert (found, http) == (code, 400)
    assert fragment in message
    if "TemplateName" not in given:
        ses.create_custom_verification_email_template(**template(world))
        found, _, _ = refused(
            ses.update_custom_verification_email_template, TemplateName="welcome", **given
        )
        assert found == code


def test_v1_limits_and_paging_errors(world: World) -> None:
    ses = world.ses(world.owner)
    for index in range(50):
        ses.create_custom_verification_email_template(**template(world, f"t{index:02}"))
    code, message, _ = refused(
        ses.create_custom_verification_email_template, **template(world, "one-too-many")
    )
    assert (code, message) == (
        "LimitExceeded",
        "Maximum number of custom verification email templates (50) exceeded.",
    )
    listed = ses.list_custom_verification_email_templates()
    assert len(listed["CustomVerificationEmailTemplates"]) == 50
    assert "NextToken" not in listed
    code, message, _ = refused(ses.list_custom_verification_email_templates, MaxResults=51)
    assert code == "ValidationError"
    assert "Member must have value less than or equal to 50" in message
    code, _, _ = refused(ses.list_custom_verification_email_templates, NextToken="!!not-ours!!")
    assert code == "InvalidParameterValue"


# ---------------------------------------------------------------------- v2 management


def test_v2_template_management_with_tags(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    tags = [{"Key": "team", "Value": "growth"}, {"Key": "stage", "Value": ""}]
    sesv2.create_custom_verification_email_template(**template(world), Tags=tags)
    error = refused(sesv2.create_custom_verification_email_template, **template(world))
    assert error[0::2] == ("AlreadyExistsException", 400)
    got = sesv2.get_custom_verification_email_template(TemplateName="welcome")
    got.pop("ResponseMetadata")
    assert got == {**template(world), "Tags": tags}
    sesv2.create_custom_verification_email_template(**template(world, "second"))
    assert sesv2.get_custom_verification_email_template(TemplateName="second")["Tags"] == []
    first = sesv2.list_custom_verification_email_templates(PageSize=1)
    assert [t["TemplateName"] for t in first["CustomVerificationEmailTemplates"]] == ["second"]
    rest = sesv2.list_custom_verification_email_templates(PageSize=1, NextToken=first["NextToken"])
    assert [t["TemplateName"] for t in rest["CustomVerificationEmailTemplates"]] == ["welcome"]
    for size in (0, 51):
        error = refused(sesv2.list_custom_verification_email_templates, PageSize=size)
        assert error == (
            "BadRequestException",
            f"PageSize must be between 1 and 50, not {size}.",
            400,
        )
    sesv2.update_custom_verification_email_template(
        **template(world, TemplateContent="<p>Updated</p>", FailureRedirectionURL=SUCCESS)
    )
    got = sesv2.get_custom_verification_email_template(TemplateName="welcome")
    assert (got["TemplateContent"], got["FailureRedirectionURL"], got["Tags"]) == (
        "<p>Updated</p>",
        SUCCESS,
        tags,
    )
    sesv2.delete_custom_verification_email_template(TemplateName="welcome")
    for call, params in [
        (sesv2.delete_custom_verification_email_template, {"TemplateName": "welcome"}),
        (sesv2.get_custom_verification_email_template, {"TemplateName": "welcome"}),
        (sesv2.update_custom_verification_email_template, template(world)),
    ]:
        assert refused(call, **params) == (
            "NotFoundException",
            "Custom verification email template welcome does not exist.",
            404,
        )


@pytest.mark.parametrize(
    ("changes", "tags", "fragment"),
    [
        ({"FromEmailAddress": "verify@unverified.example"}, [], "not verified"),
        ({"TemplateContent": "<script>x</script>"}, [], "<script>"),
        ({"FailureRedirectionURL": "ftp://brand.example/x"}, [], "http"),
        ({}, [{"Key": "aws:reserved", "Value": "x"}], "reserved"),
    ],
    ids=["from-unverified", "content", "url", "tags"],
)
def test_v2_refused_templates(
    world: World, changes: dict[str, str], tags: list[dict[str, str]], fragment: str
) -> None:
    sesv2 = world.sesv2(world.owner)
    code, message, http = refused(
        sesv2.create_custom_verification_email_template, **template(world, **changes), Tags=tags
    )
    assert (code, http) == ("BadRequestException", 400)
    assert fragment in message
    assert (
        sesv2.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"] == []
    )


def test_v2_limit(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    for index in range(50):
        sesv2.create_custom_verification_email_template(**template(world, f"t{index:02}"))
    error = refused(sesv2.create_custom_verification_email_template, **template(world, "more"))
    assert error[0::2] == ("LimitExceededException", 400)
