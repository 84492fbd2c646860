"""The service signature's ``Feedback-ID``: SES's shape (``1.<region>.<tag>:<sender>``), one
stable tag per sending account and key, and a tag that does not name the account."""

from __future__ import annotations

import base64

import pytest

from openses.domain.dkim import PrivateKey, public_key_record
from openses.domain.dkim.service import FEEDBACK_ID_SENDER, service_signature

ACCOUNT = "111122223333"


@pytest.mark.parametrize(
    ("region", "account"),
    [
        pytest.param("us-east-1", ACCOUNT, id="us-east-1"),
        pytest.param("eu-west-1", "444455556666", id="eu-west-1"),
        pytest.param("ap-southeast-2", "000000000001", id="leading-zeros"),
    ],
)
def test_the_header_has_ses_shape(keys: dict[str, PrivateKey], region: str, account: str) -> None:
    value = service_signature("mail.example.com", "s1", keys["rsa2048"]).feedback_id(
        region, account
    )
    first, sender = value.split(":")
    version, named_region, tag = first.split(".", 2)
    assert (version, named_region, sender) == ("1", region, FEEDBACK_ID_SENDER)
    assert len(base64.b64decode(tag, validate=True)) == 32
    assert account not in value


def test_one_account_one_tag_per_key(keys: dict[str, PrivateKey]) -> None:
    signature = service_signature("mail.example.com", "s1", keys["rsa2048"])
    again = service_signature("other.example.com", "s2", keys["rsa2048"])
    other_key = service_signature("mail.example.com", "s1", keys["rsa1024"])
    tag = signature.feedback_id("us-east-1", ACCOUNT)
    assert again.feedback_id("us-east-1", ACCOUNT) == tag  # the key decides, not the names
    assert signature.feedback_id("us-east-1", "444455556666") != tag
    assert other_key.feedback_id("us-east-1", ACCOUNT) != tag


def test_the_record_to_publish(keys: dict[str, PrivateKey]) -> None:
    signature = service_signature("mail.example.com", "s1", keys["ed25519"])
    assert signature.record_name == "s1._domainkey.mail.example.com"
    assert signature.record_value == public_key_record(keys["ed25519"])
    assert signature.key.domain == "mail.example.com"
    assert signature.key.selector == "s1"
