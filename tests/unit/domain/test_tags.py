"""The pure resource tag rules: tags given to a resource, keys to remove, the ARNs naming
resources, and what TagResource makes of a resource's tags."""

from __future__ import annotations

import pytest

from openses.domain.tags import (
    InvalidResourceArn,
    ResourceArn,
    ResourceType,
    TaggedResource,
    count_problem,
    keys_problem,
    parse_resource_arn,
    resource_arn,
    tagged,
    tags_problem,
)

ARN = "arn:aws:ses:us-east-1:123456789012"


@pytest.mark.parametrize(
    ("tags", "problem"),
    [
        pytest.param([], None, id="none"),
        pytest.param([("team", "mail ops"), ("path", "a/b:c=d+e-f@g.h_i")], None, id="ok"),
        pytest.param([("Équipe", "Ünï 数字 ٣")], None, id="unicode-letters-and-digits"),
        pytest.param([("k", "")], None, id="empty-value"),
        pytest.param([("k" * 128, "v" * 256)], None, id="longest"),
        pytest.param([(f"k{i}", "v") for i in range(50)], None, id="fifty"),
        pytest.param([("Team", "a"), ("team", "b")], None, id="keys-are-case-sensitive"),
        pytest.param([("ses:x", "aws")], None, id="aws-inside-a-value"),
        pytest.param(
            [(f"k{i}", "v") for i in range(51)],
            "Too many tags: 51; a resource can have at most 50.",
            id="fifty-one",
        ),
        pytest.param([("k", "a"), ("k", "b")], "Duplicate tag key <k>.", id="duplicate"),
        pytest.param([("", "v")], "Tag keys must be 1 to 128 characters long.", id="empty-key"),
        pytest.param(
            [("k" * 129, "v")], "Tag keys must be 1 to 128 characters long.", id="long-key"
        ),
        pytest.param(
            [("k", "v" * 257)], "Tag values must be at most 256 characters long.", id="long-value"
        ),
        pytest.param(
            [("k", "a|b")],
            "Invalid tag <k>: tags may contain letters, numbers, spaces and _ . : / = + - @ only.",
            id="bad-value-character",
        ),
        pytest.param(
            [("a*b", "v")],
            "Invalid tag <a*b>: tags may contain letters, numbers, spaces and _ . : / = + - @ "
            "only.",
            id="bad-key-character",
        ),
        pytest.param(
            [("AWS:name", "v")],
            "Invalid tag key <AWS:name>: the aws: prefix is reserved for AWS.",
            id="aws-key-any-case",
        ),
        pytest.param(
            [("owner", "aws:me")],
            "Invalid tag value <aws:me>: the aws: prefix is reserved for AWS.",
            id="aws-value",
        ),
    ],
)
def test_tags_given_to_a_resource(tags: list[tuple[str, str]], problem: str | None) -> None:
    assert tags_problem(tags) == problem


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        pytest.param(["team", "absent", "team"], None, id="repeated-and-absent"),
        pytest.param(["k" * 128], None, id="longest"),
        pytest.param([""], "Tag keys must be 1 to 128 characters long.", id="empty"),
        pytest.param(["k" * 129], "Tag keys must be 1 to 128 characters long.", id="long"),
        pytest.param(
            ["ok", "aws:cloudformation:stack-name"],
            "Invalid tag key <aws:cloudformation:stack-name>: the aws: prefix is reserved for AWS.",
            id="aws-key",
        ),
    ],
)
def test_keys_to_remove(keys: list[str], problem: str | None) -> None:
    assert keys_problem(keys) == problem


@pytest.mark.parametrize(
    ("existing", "added", "result"),
    [
        pytest.param((), [("a", "1")], (("a", "1"),), id="first"),
        pytest.param(
            (("b", "1"), ("a", "2")),
            [("c", "3"), ("b", "new")],
            (("b", "new"), ("a", "2"), ("c", "3")),
            id="replaced-in-place-new-after",
        ),
        pytest.param((("a", "1"),), [("a", "1")], (("a", "1"),), id="same-again"),
    ],
)
def test_tagging_a_resource(
    existing: tuple[tuple[str, str], ...],
    added: list[tuple[str, str]],
    result: tuple[tuple[str, str], ...],
) -> None:
    assert tagged(existing, added) == result


@pytest.mark.parametrize(
    ("count", "problem"),
    [
        pytest.param(50, None, id="fifty"),
        pytest.param(51, "Too many tags: 51; a resource can have at most 50.", id="fifty-one"),
    ],
)
def test_a_resource_holds_at_most_fifty_tags(count: int, problem: str | None) -> None:
    assert count_problem(count) == problem


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        pytest.param(
            f"{ARN}:identity/example.com",
            ResourceArn("aws", "us-east-1", "123456789012", "identity", "example.com"),
            id="domain",
        ),
        pytest.param(
            f"{ARN}:identity/a/b@Example.com",
            ResourceArn("aws", "us-east-1", "123456789012", "identity", "a/b@Example.com"),
            id="address-with-a-slash",
        ),
        pytest.param(
            "arn:aws-cn:ses:cn-north-1:123456789012:configuration-set/m",
            ResourceArn("aws-cn", "cn-north-1", "123456789012", "configuration-set", "m"),
            id="other-partition",
        ),
        pytest.param(
            f"{ARN}:custom-verification-email-template/welcome",
            ResourceArn(
                "aws",
                "us-east-1",
                "123456789012",
                "custom-verification-email-template",
                "welcome",
            ),
            id="custom-verification-template",
        ),
        pytest.param(
            f"{ARN}:contact-list/news",
            ResourceArn("aws", "us-east-1", "123456789012", "contact-list", "news"),
            id="type-openses-lacks",
        ),
    ],
)
def test_resource_arns(text: str, parsed: ResourceArn) -> None:
    assert parse_resource_arn(text) == parsed
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("example.com", "Invalid ARN example.com.", id="a-name"),
        pytest.param("arn:aws:ses:us-east-1", "Invalid ARN arn:aws:ses:us-east-1.", id="short"),
        pytest.param(
            "arn:aws:sns:us-east-1:123456789012:topic",
            "Invalid ARN arn:aws:sns:us-east-1:123456789012:topic: it does not name an SES "
            "resource.",
            id="sns",
        ),
        pytest.param(
            "arn:aws:ses:us-east-1:1234:identity/a.example",
            "Invalid ARN arn:aws:ses:us-east-1:1234:identity/a.example: expected a region and a "
            "12-digit account.",
            id="short-account",
        ),
        pytest.param(
            "arn:aws:ses::123456789012:identity/a.example",
            "Invalid ARN arn:aws:ses::123456789012:identity/a.example: expected a region and a "
            "12-digit account.",
            id="no-region",
        ),
        pytest.param(
            f"{ARN}:identity",
            f"Invalid ARN {ARN}:identity: expected <resource type>/<name>.",
            id="no-name",
        ),
        pytest.param(
            f"{ARN}:identity/",
            f"Invalid ARN {ARN}:identity/: expected <resource type>/<name>.",
            id="empty-name",
        ),
        pytest.param(
            f"{ARN}:receipt-rule-set/x",
            f"Invalid ARN {ARN}:receipt-rule-set/x: SES has no taggable resource type "
            "receipt-rule-set.",
            id="untaggable-type",
        ),
    ],
)
def test_malformed_resource_arns(text: str, message: str) -> None:
    with pytest.raises(InvalidResourceArn) as raised:
        parse_resource_arn(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("resource", "arn"),
    [
        pytest.param(
            TaggedResource(ResourceType.IDENTITY, "a@example.com"),
            "arn:aws:ses:eu-west-1:123456789012:identity/a@example.com",
            id="identity",
        ),
        pytest.param(
            TaggedResource(ResourceType.TEMPLATE, "welcome"),
            "arn:aws:ses:eu-west-1:123456789012:template/welcome",
            id="template",
        ),
    ],
)
def test_the_arn_of_a_resource(resource: TaggedResource, arn: str) -> None:
    assert resource_arn("eu-west-1", "123456789012", resource) == arn
    assert parse_resource_arn(arn).resource_type is resource.type
