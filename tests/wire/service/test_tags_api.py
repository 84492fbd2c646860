"""SESv2 resource tags with boto3: ``Tags`` on the Create operations, TagResource, UntagResource,
ListTagsForResource, SES's limits and errors, deletes, accounts, regions and IAM permissions.

Every taggable resource OpenSES has is exercised: email identities (a domain and an address),
configuration sets, email templates and custom verification email templates.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_api import error_of

_counter = itertools.count()
TAGS = [{"Key": "team", "Value": "mail ops"}, {"Key": "env", "Value": ""}]


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"tags{next(_counter)}.example")


def refused(call: Callable[..., Any], *args: Any, **params: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(*args, **params)
    return error_of(raised)


def arn(account_id: str, resource: str, region: str = "us-east-1") -> str:
    return f"arn:aws:ses:{region}:{account_id}:{resource}"


@dataclass(frozen=True)
class Kind:
    """One taggable resource: its ARN's ``<type>/<name>`` and how to create, read and delete it."""

    resource: str
    create: Callable[[World, Any, list[dict[str, str]]], Any]
    get_tags: Callable[[World, Any], list[dict[str, str]]]
    delete_v2: Callable[[World, Any], Any]
    delete_v1: Callable[[World, Any], Any]


def _custom_template(world: World, tags: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "TemplateName": "welcome",
        "FromEmailAddress": f"verify@{world.domain}",
        "TemplateSubject": "Confirm",
        "TemplateContent": "<p>Confirm your address.</p>",
        "SuccessRedirectionURL": "https://brand.example/ok",
        "FailureRedirectionURL": "https://brand.example/no",
        "Tags": tags,
    }


KINDS = {
    "domain": Kind(
        "identity/new.example",
        lambda w, c, tags: c.create_email_identity(EmailIdentity="New.Example", Tags=tags),
        lambda w, c: c.get_email_identity(EmailIdentity="new.example")["Tags"],
        lambda w, c: c.delete_email_identity(EmailIdentity="new.example"),
        lambda w, c: c.delete_identity(Identity="new.example"),
    ),
    "address": Kind(
        "identity/Ann@Shop.Example",
        lambda w, c, tags: c.create_email_identity(EmailIdentity="Ann@shop.example", Tags=tags),
        lambda w, c: c.get_email_identity(EmailIdentity="Ann@shop.example")["Tags"],
        lambda w, c: c.delete_email_identity(EmailIdentity="Ann@shop.example"),
        lambda w, c: c.delete_identity(Identity="Ann@shop.example"),
    ),
    "configuration-set": Kind(
        "configuration-set/marketing",
        lambda w, c, tags: c.create_configuration_set(ConfigurationSetName="marketing", Tags=tags),
        lambda w, c: c.get_configuration_set(ConfigurationSetName="marketing")["Tags"],
        lambda w, c: c.delete_configuration_set(ConfigurationSetName="marketing"),
        lambda w, c: c.delete_configuration_set(ConfigurationSetName="marketing"),
    ),
    "template": Kind(
        "template/receipt",
        lambda w, c, tags: c.create_email_template(
            TemplateName="receipt", TemplateContent={"Subject": "s", "Text": "t"}, Tags=tags
        ),
        lambda w, c: c.get_email_template(TemplateName="receipt")["Tags"],
        lambda w, c: c.delete_email_template(TemplateName="receipt"),
        lambda w, c: c.delete_template(TemplateName="receipt"),
    ),
    "custom-verification-template": Kind(
        "custom-verification-email-template/welcome",
        lambda w, c, tags: c.create_custom_verification_email_template(**_custom_template(w, tags)),
        lambda w, c: c.get_custom_verification_email_template(TemplateName="welcome")["Tags"],
        lambda w, c: c.delete_custom_verification_email_template(TemplateName="welcome"),
        lambda w, c: c.delete_custom_verification_email_template(TemplateName="welcome"),
    ),
}


def listed(client: Any, resource_arn: str) -> list[dict[str, str]]:
    tags: list[dict[str, str]] = client.list_tags_for_resource(ResourceArn=resource_arn)["Tags"]
    return tags


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_a_resources_tags_from_create_to_delete(world: World, kind: Kind) -> None:
    sesv2 = world.sesv2(world.owner)
    resource_arn = arn(world.owner.account_id, kind.resource)
    kind.create(world, sesv2, TAGS)
    assert listed(sesv2, resource_arn) == TAGS
    assert kind.get_tags(world, sesv2) == TAGS
    sesv2.tag_resource(
        ResourceArn=resource_arn,
        Tags=[{"Key": "cost", "Value": "42"}, {"Key": "team", "Value": "growth"}],
    )
    replaced = [
        {"Key": "team", "Value": "growth"},
        {"Key": "env", "Value": ""},
        {"Key": "cost", "Value": "42"},
    ]
    assert listed(sesv2, resource_arn) == replaced
    sesv2.untag_resource(ResourceArn=resource_arn, TagKeys=["env", "absent", "Team"])
    assert listed(sesv2, resource_arn) == [replaced[0], replaced[2]]
    assert kind.get_tags(world, sesv2) == [replaced[0], replaced[2]]
    kind.delete_v2(world, sesv2)
    assert refused(sesv2.list_tags_for_resource, ResourceArn=resource_arn)[0::2] == (
        "NotFoundException",
        404,
    )
    kind.create(world, sesv2, [])
    assert listed(sesv2, resource_arn) == []
    assert kind.get_tags(world, sesv2) == []


def test_v1_deletes_forget_the_tags_too(world: World) -> None:
    sesv2, ses = world.sesv2(world.owner), world.ses(world.owner)
    for kind in KINDS.values():
        kind.create(world, sesv2, TAGS)
        kind.delete_v1(world, ses)
        kind.create(world, sesv2, [])
        assert listed(sesv2, arn(world.owner.account_id, kind.resource)) == [], kind.resource


def test_at_most_fifty_tags(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    resource_arn = arn(world.owner.account_id, "configuration-set/full")
    fifty = [{"Key": f"k{index:02}", "Value": "v"} for index in range(50)]
    too_many = ("BadRequestException", "Too many tags: 51; a resource can have at most 50.", 400)
    create = sesv2.create_configuration_set
    extra = {"Key": "x", "Value": ""}
    assert refused(create, ConfigurationSetName="full", Tags=[*fifty, extra]) == too_many
    assert sesv2.list_configuration_sets()["ConfigurationSets"] == []
    create(ConfigurationSetName="full", Tags=fifty[:49])
    assert refused(sesv2.tag_resource, ResourceArn=resource_arn, Tags=[*fifty[48:], extra]) == (
        too_many
    )
    assert len(listed(sesv2, resource_arn)) == 49
    sesv2.tag_resource(ResourceArn=resource_arn, Tags=[{"Key": "k00", "Value": "new"}, fifty[49]])
    assert listed(sesv2, resource_arn)[0] == {"Key": "k00", "Value": "new"}
    assert len(listed(sesv2, resource_arn)) == 50


RESERVED = "the aws: prefix is reserved for AWS."
CHARACTERS = "tags may contain letters, numbers, spaces and _ . : / = + - @ only."


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        pytest.param(
            [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}],
            "Duplicate tag key <k>.",
            id="duplicate-key",
        ),
        pytest.param(
            [{"Key": "", "Value": "v"}], "Tag keys must be 1 to 128 characters long.", id="no-key"
        ),
        pytest.param(
            [{"Key": "k" * 129, "Value": "v"}],
            "Tag keys must be 1 to 128 characters long.",
            id="long-key",
        ),
        pytest.param(
            [{"Key": "k", "Value": "v" * 257}],
            "Tag values must be at most 256 characters long.",
            id="long-value",
        ),
        pytest.param(
            [{"Key": "aws:owner", "Value": "v"}],
            f"Invalid tag key <aws:owner>: {RESERVED}",
            id="aws-key",
        ),
        pytest.param(
            [{"Key": "owner", "Value": "AWS:me"}],
            f"Invalid tag value <AWS:me>: {RESERVED}",
            id="aws-value",
        ),
        pytest.param(
            [{"Key": "a<b", "Value": "v"}], f"Invalid tag <a<b>: {CHARACTERS}", id="character"
        ),
    ],
)
def test_tags_breaking_a_rule_are_refused_everywhere(
    world: World, tags: list[dict[str, str]], message: str
) -> None:
    sesv2 = world.sesv2(world.owner)
    refusal = ("BadRequestException", message, 400)
    for kind in KINDS.values():
        assert refused(kind.create, world, sesv2, tags) == refusal, kind.resource
        resource_arn = arn(world.owner.account_id, kind.resource)
        assert refused(sesv2.list_tags_for_resource, ResourceArn=resource_arn)[0] == (
            "NotFoundException"
        )
    sesv2.create_configuration_set(ConfigurationSetName="kept", Tags=TAGS)
    resource_arn = arn(world.owner.account_id, "configuration-set/kept")
    assert refused(sesv2.tag_resource, ResourceArn=resource_arn, Tags=tags) == refusal
    assert listed(sesv2, resource_arn) == TAGS


def test_untagging_aws_keys_or_empty_keys_is_refused(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    sesv2.create_configuration_set(ConfigurationSetName="kept", Tags=TAGS)
    resource_arn = arn(world.owner.account_id, "configuration-set/kept")
    assert refused(sesv2.untag_resource, ResourceArn=resource_arn, TagKeys=["aws:stack"]) == (
        "BadRequestException",
        f"Invalid tag key <aws:stack>: {RESERVED}",
        400,
    )
    assert refused(sesv2.untag_resource, ResourceArn=resource_arn, TagKeys=[""]) == (
        "BadRequestException",
        "Tag keys must be 1 to 128 characters long.",
        400,
    )
    assert listed(sesv2, resource_arn) == TAGS


def _arn_cases(account_id: str, other_account: str) -> list[tuple[str, tuple[str, str, int]]]:
    own = arn(account_id, "configuration-set/kept")
    other_region = arn(account_id, "configuration-set/kept", "eu-west-1")
    other = arn(other_account, "configuration-set/kept")
    missing = "does not exist."
    return [
        ("not-an-arn", ("BadRequestException", "Invalid ARN not-an-arn.", 400)),
        (
            own.replace("arn:aws:", "arn:aws-cn:"),
            (
                "BadRequestException",
                f"Invalid ARN {own.replace('arn:aws:', 'arn:aws-cn:')}: OpenSES's resources are "
                "in partition aws.",
                400,
            ),
        ),
        (
            own.replace(":ses:", ":sns:"),
            (
                "BadRequestException",
                f"Invalid ARN {own.replace(':ses:', ':sns:')}: it does not name an SES resource.",
                400,
            ),
        ),
        (
            arn(account_id, "receipt-rule-set/kept"),
            (
                "BadRequestException",
                f"Invalid ARN {arn(account_id, 'receipt-rule-set/kept')}: "
                "SES has no taggable resource type receipt-rule-set.",
                400,
            ),
        ),
        (
            other,
            (
                "BadRequestException",
                f"Invalid ARN {other}: it names a resource of account "
                f"{other_account}; tags are managed by the account that owns the resource.",
                400,
            ),
        ),
        (
            other_region,
            (
                "BadRequestException",
                f"Invalid ARN {other_region}: it names a resource in region eu-west-1; this "
                "endpoint manages region us-east-1.",
                400,
            ),
        ),
        (
            arn(account_id, "contact-list/news"),
            (
                "NotFoundException",
                f"Resource {arn(account_id, 'contact-list/news')} does not "
                "exist: OpenSES has no contact-list resources.",
                404,
            ),
        ),
        (
            arn(account_id, "identity/absent.example"),
            ("NotFoundException", f"Email identity absent.example {missing}", 404),
        ),
        (
            arn(account_id, "configuration-set/absent"),
            ("NotFoundException", f"Configuration set <absent> {missing}", 404),
        ),
        (
            arn(account_id, "template/absent"),
            ("NotFoundException", f"Template absent {missing}", 404),
        ),
        (
            arn(account_id, "custom-verification-email-template/absent"),
            ("NotFoundException", f"Custom verification email template absent {missing}", 404),
        ),
    ]


def test_every_operation_answers_a_bad_or_unknown_arn_as_ses_does(world: World) -> None:
    sesv2 = world.sesv2(world.owner)
    sesv2.create_configuration_set(ConfigurationSetName="kept", Tags=TAGS)
    world.sesv2(world.delegate).create_configuration_set(ConfigurationSetName="kept")
    world.sesv2(world.owner, "eu-west-1").create_configuration_set(ConfigurationSetName="kept")
    operations: list[tuple[Callable[..., Any], dict[str, Any]]] = [
        (sesv2.list_tags_for_resource, {}),
        (sesv2.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]}),
        (sesv2.untag_resource, {"TagKeys": ["team"]}),
    ]
    for resource_arn, error in _arn_cases(world.owner.account_id, world.delegate.account_id):
        for call, params in operations:
            assert refused(call, ResourceArn=resource_arn, **params) == error, resource_arn
    assert listed(sesv2, arn(world.owner.account_id, "configuration-set/kept")) == TAGS


def test_tags_are_kept_per_account_and_region(world: World) -> None:
    owner, delegate = world.owner, world.delegate
    clients = {
        (owner.account_id, "us-east-1"): world.sesv2(owner),
        (owner.account_id, "eu-west-1"): world.sesv2(owner, "eu-west-1"),
        (delegate.account_id, "us-east-1"): world.sesv2(delegate),
    }
    for (account_id, region), client in clients.items():
        tags = [{"Key": "where", "Value": f"{account_id} {region}"}]
        client.create_configuration_set(ConfigurationSetName="shared", Tags=tags)
        client.create_email_identity(EmailIdentity="shared.example", Tags=tags)
    for (account_id, region), client in clients.items():
        expected = [{"Key": "where", "Value": f"{account_id} {region}"}]
        for resource in ("configuration-set/shared", "identity/shared.example"):
            assert listed(client, arn(account_id, resource, region)) == expected
    world.sesv2(delegate).delete_configuration_set(ConfigurationSetName="shared")
    assert listed(world.sesv2(owner), arn(owner.account_id, "configuration-set/shared")) == [
        {"Key": "where", "Value": f"{owner.account_id} us-east-1"}
    ]


def test_an_iam_user_needs_permission_to_tag(world: World) -> None:
    account_id = world.owner.account_id
    iam = world.openses.client("iam", world.owner)
    iam.create_user(UserName="deployer")
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    sesv2 = world.openses.client("sesv2", (key["AccessKeyId"], key["SecretAccessKey"]))
    sets = arn(account_id, "configuration-set/*")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ses:CreateConfigurationSet", "ses:ListTagsForResource"],
                "Resource": sets,
            },
            {
                "Effect": "Allow",
                "Action": ["ses:TagResource", "ses:UntagResource"],
                "Resource": arn(account_id, "configuration-set/tagged"),
            },
        ],
    }
    iam.put_user_policy(UserName="deployer", PolicyName="p", PolicyDocument=json.dumps(document))
    user = f"arn:aws:iam::{account_id}:user/deployer"

    def denied(action: str, name: str) -> tuple[str, str, int]:
        resource = arn(account_id, f"configuration-set/{name}")
        return (
            "AccessDeniedException",
            f"User: {user} is not authorized to perform: {action} on resource: {resource}",
            403,
        )

    assert refused(sesv2.create_configuration_set, ConfigurationSetName="plain", Tags=TAGS) == (
        denied("ses:TagResource", "plain")
    )
    sesv2.create_configuration_set(ConfigurationSetName="plain")
    sesv2.create_configuration_set(ConfigurationSetName="tagged", Tags=TAGS)
    plain = arn(account_id, "configuration-set/plain")
    tagged = arn(account_id, "configuration-set/tagged")
    assert listed(sesv2, plain) == []
    assert listed(sesv2, tagged) == TAGS
    tag = [{"Key": "k", "Value": "v"}]
    assert refused(sesv2.tag_resource, ResourceArn=plain, Tags=tag) == denied(
        "ses:TagResource", "plain"
    )
    assert refused(sesv2.untag_resource, ResourceArn=plain, TagKeys=["k"]) == denied(
        "ses:UntagResource", "plain"
    )
    sesv2.untag_resource(ResourceArn=tagged, TagKeys=["env"])
    assert listed(sesv2, tagged) == TAGS[:1]
    identity = arn(account_id, f"identity/{world.domain}")
    assert refused(sesv2.list_tags_for_resource, ResourceArn=identity) == (
        "AccessDeniedException",
        f"User: {user} is not authorized to perform: ses:ListTagsForResource on resource: "
        f"{identity}",
        403,
    )
