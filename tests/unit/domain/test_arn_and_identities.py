"""Identity ARNs and which identities cover an address."""

from __future__ import annotations

import pytest

from openses.domain.arn import IdentityArn, InvalidArn
from openses.domain.identities import covering_identities, covers, normalize_identity


@pytest.mark.parametrize(
    ("text", "region", "account", "identity"),
    [
        (
            "arn:aws:ses:us-east-1:888888888888:identity/example.com",
            "us-east-1",
            "888888888888",
            "example.com",
        ),
        (
            "arn:aws:ses:eu-west-1:123456789012:identity/a+b@example.com",
            "eu-west-1",
            "123456789012",
            "a+b@example.com",
        ),
        (
            "arn:aws-us-gov:ses:us-gov-west-1:123456789012:identity/x.gov",
            "us-gov-west-1",
            "123456789012",
            "x.gov",
        ),
    ],
)
def test_parse_identity_arn(text: str, region: str, account: str, identity: str) -> None:
    arn = IdentityArn.parse(text)
    assert (arn.region, arn.account, arn.identity) == (region, account, identity)
    assert str(arn) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com",
        "arn:aws:ses:us-east-1:888888888888:example.com",
        "arn:aws:ses:us-east-1:888888888888:identity/",
        "arn:aws:sns:us-east-1:888888888888:identity/example.com",
        "arn:aws:ses:us-east-1:8888:identity/example.com",
        "arn:aws:ses::888888888888:identity/example.com",
        "arn:aws:ses:US-EAST-1:888888888888:identity/example.com",
    ],
)
def test_invalid_identity_arn_has_the_ses_message(text: str) -> None:
    with pytest.raises(InvalidArn) as raised:
        IdentityArn.parse(text)
    assert str(raised.value) == f"Invalid ARN {text}."


def test_covering_identities_most_specific_first() -> None:
    assert covering_identities("news+eu@Mail.Example.com") == [
        "news+eu@mail.example.com",
        "news@mail.example.com",
        "mail.example.com",
        "example.com",
        "com",
    ]


@pytest.mark.parametrize(
    ("identity", "address", "expected"),
    [
        ("example.com", "a@example.com", True),
        ("example.com", "a@sub.example.com", True),
        ("example.com", "a@EXAMPLE.COM", True),
        ("Example.com", "a@example.com", True),
        ("example.com", "a@badexample.com", False),
        ("example.com", "a@example.com.evil.net", False),
        ("sender@example.com", "sender@example.com", True),
        ("sender@example.com", "sender+promo@example.com", True),
        ("sender@example.com", "sender@EXAMPLE.com", True),
        ("sender@example.com", "Sender@example.com", False),  # local parts are case-sensitive
        ("sender@example.com", "news@example.com", False),
        ("sender@example.com", "sender@sub.example.com", False),
        ("sender+promo@example.com", "sender@example.com", False),
        ("example.com", "not-an-address", False),
    ],
)
def test_covers(identity: str, address: str, expected: bool) -> None:
    assert covers(identity, address) is expected


def test_normalize_identity() -> None:
    assert normalize_identity("Example.COM") == "example.com"
    assert normalize_identity("Sender@Example.COM") == "Sender@example.com"
