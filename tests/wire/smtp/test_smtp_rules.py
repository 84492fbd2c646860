"""The pure rules under the listener: address syntax, password -> region, the reply table."""

from __future__ import annotations

import pytest

from openses.services.errors import AccessDenied, NotFound, ServiceError, Throttled
from openses.smtp import replies
from openses.smtp.addresses import address_text, is_valid_address
from openses.smtp.credentials import password_region
from tests.wire.smtp.support import (
    DEFAULT_REGION,
    REGIONS,
    ROOT_SECRET,
    USER_SECRET,
    derive_legacy_smtp_password,
    derive_smtp_password,
)

DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    "address",
    [
        "a@example.com",
        "first.last+tag@sub.example.co.uk",
        "x@xn--bcher-kva.ch",
        "o'brien@example.ie",
        '"a@b"@example.org',
        "a@localhost",
        f"{'l' * 64}@example.com",
    ],
)
def test_valid_addresses(address: str) -> None:
    assert is_valid_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "<>",
        "plain",
        "@example.com",
        "a@",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-x.example",
        "a@x-.example",
        "a@ex ample.com",
        "a@[192.0.2.1]",
        "ü@example.com",
        "a@bücher.ch",
        '"a b"@example.com',
        '"a\tb"@example.com',
        f"{'l' * 65}@example.com",
        f"a@{'d' * 64}.com",
        f"a@{'.'.join(['d' * 63] * 4)}",
    ],
)
def test_invalid_addresses(address: str) -> None:
    assert not is_valid_address(address)


@pytest.mark.parametrize(
    ("argument", "keyword", "text"),
    [
        ("FROM:<a@b.c> SIZE=10", "FROM:", "<a@b.c>"),
        ("from: <a@b.c>", "FROM:", "<a@b.c>"),
        ("TO:x@y BODY=8BITMIME", "TO:", "x@y"),
        ("TO:<unterminated", "TO:", "<unterminated"),
        (None, "TO:", ""),
    ],
)
def test_address_text(argument: str | None, keyword: str, text: str) -> None:
    assert address_text(argument, keyword) == text


@pytest.mark.parametrize(
    ("region", "expected"),
    [("us-east-1", "us-east-1"), ("us-west-2", "us-west-2"), ("eu-west-1", "eu-west-1")],
)
def test_spec_vectors_select_their_region(region: str, expected: str) -> None:
    vectors = {
        "us-east-1": "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9",
        "us-west-2": "BF2PynzbSCAjX08zhZZnP/kW+T9P5zs/1Er0pi5vTEmd",
        "eu-west-1": "BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk",
    }
    assert password_region(vectors[region], DOC_SECRET, DEFAULT_REGION, REGIONS) == expected


def test_legacy_password_selects_the_default_region() -> None:
    legacy = "An60U4ZD3sd4fg+FvXUjayOipTt8LO4rUUmhpdX6ctDy"  # spec §6.5 vector
    assert password_region(legacy, DOC_SECRET, "eu-west-1", REGIONS) == "eu-west-1"
    assert password_region(derive_legacy_smtp_password(USER_SECRET), USER_SECRET, "x-1", ()) == (
        "x-1"
    )


def test_default_region_need_not_be_in_the_list_and_unknown_regions_fail() -> None:
    password = derive_smtp_password(USER_SECRET, "me-south-1")
    assert password_region(password, USER_SECRET, "me-south-1", REGIONS) == "me-south-1"
    assert password_region(password, USER_SECRET, DEFAULT_REGION, REGIONS) is None
    assert password_region(password, ROOT_SECRET, "me-south-1", REGIONS) is None


def test_reply_table_follows_subclasses_and_leaves_the_rest_alone() -> None:
    class Narrower(AccessDenied):
        pass

    assert replies.for_error(Narrower("no")) == "554 Access denied: no"
    assert replies.for_error(NotFound("x")) is None
    assert replies.for_error(ServiceError("x")) is None
    assert replies.for_error(Throttled("x", daily=True)) == replies.DAILY_QUOTA_EXCEEDED
    assert replies.bracketed(" <a@b> ") == "<a@b>"
    assert replies.bracketed("a@b") == "<a@b>"
