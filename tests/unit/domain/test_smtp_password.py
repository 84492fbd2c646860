"""SES SMTP password derivation (versions 4 and 2) and verification."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.sigv4 import signing_key
from openses.domain.smtp_password import (
    derive_legacy_smtp_password,
    derive_smtp_password,
    verify_smtp_password,
)

DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
LEGACY = "An60U4ZD3sd4fg+FvXUjayOipTt8LO4rUUmhpdX6ctDy"

# Spec §6.5 test vectors (secret from the SES documentation's example).
V4_VECTORS = [
    ("us-east-1", "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9"),
    ("us-west-2", "BF2PynzbSCAjX08zhZZnP/kW+T9P5zs/1Er0pi5vTEmd"),
    ("eu-west-1", "BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk"),
]
REGIONS = [region for region, _ in V4_VECTORS]


@pytest.mark.parametrize(("region", "password"), V4_VECTORS)
def test_v4_vectors_derive(region: str, password: str) -> None:
    assert derive_smtp_password(DOC_SECRET, region) == password


@pytest.mark.parametrize(("region", "password"), V4_VECTORS)
def test_v4_vectors_verify_only_in_their_region(region: str, password: str) -> None:
    assert verify_smtp_password(password, DOC_SECRET, region)
    for other in REGIONS:
        if other != region:
            assert not verify_smtp_password(password, DOC_SECRET, other)


def test_legacy_vector_derives_and_verifies_in_any_region() -> None:
    assert derive_legacy_smtp_password(DOC_SECRET) == LEGACY
    for region in [*REGIONS, "ap-southeast-2"]:
        assert verify_smtp_password(LEGACY, DOC_SECRET, region)


def test_legacy_passwords_can_be_refused() -> None:
    assert not verify_smtp_password(LEGACY, DOC_SECRET, "us-east-1", allow_legacy=False)
    assert verify_smtp_password(V4_VECTORS[0][1], DOC_SECRET, "us-east-1", allow_legacy=False)


def test_shape_of_passwords() -> None:
    for password in [*(p for _, p in V4_VECTORS), LEGACY]:
        assert len(password) == 44
        assert len(base64.b64decode(password)) == 33
    assert all(p.startswith("B") for _, p in V4_VECTORS)
    assert LEGACY.startswith("A")


def test_v4_is_the_sigv4_key_for_the_fixed_date_plus_one_step() -> None:
    key = signing_key(DOC_SECRET, "11111111", "us-east-1", "ses")
    digest = hmac.new(key, b"SendRawEmail", hashlib.sha256).digest()
    assert base64.b64encode(b"\x04" + digest).decode() == V4_VECTORS[0][1]


@pytest.mark.parametrize(("region", "password"), V4_VECTORS)
def test_wrong_secret_is_rejected(region: str, password: str) -> None:
    assert not verify_smtp_password(password, DOC_SECRET[:-1] + "X", region)
    assert not verify_smtp_password(password, "", region)
    assert not verify_smtp_password(LEGACY, DOC_SECRET.lower(), region)


def _with_version(password: str, version: int) -> str:
    raw = bytearray(base64.b64decode(password))
    raw[0] = version
    return base64.b64encode(bytes(raw)).decode()


GOOD = V4_VECTORS[0][1]


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("", id="empty"),
        pytest.param("not base64 at all!", id="garbage"),
        pytest.param(GOOD[:-1], id="truncated"),
        pytest.param(GOOD[:-4], id="short-but-valid-base64"),
        pytest.param(GOOD + "AAAA", id="too-long"),
        pytest.param(" " + GOOD, id="leading-space"),
        pytest.param(GOOD + "\n", id="trailing-newline"),
        pytest.param(GOOD.replace("+", "-").replace("/", "_"), id="urlsafe-alphabet"),
        pytest.param(GOOD[:-1] + "ü", id="non-ascii"),
        pytest.param(_with_version(GOOD, 0x03), id="unknown-version"),
        pytest.param(_with_version(GOOD, 0x02), id="v4-digest-as-v2"),
        pytest.param(_with_version(LEGACY, 0x04), id="v2-digest-as-v4"),
        pytest.param(GOOD.lower(), id="lower-cased"),
        pytest.param(base64.b64encode(b"\x04" + b"\x00" * 32).decode(), id="zero-digest"),
    ],
)
def test_malformed_or_wrong_passwords_are_rejected(password: str) -> None:
    assert not verify_smtp_password(password, DOC_SECRET, "us-east-1")


@settings(max_examples=100, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=60),
    region=st.sampled_from(["us-east-1", "eu-central-1", "ap-south-1"]),
    other=st.text(min_size=1, max_size=60),
)
def test_round_trip(secret: str, region: str, other: str) -> None:
    password = derive_smtp_password(secret, region)
    assert verify_smtp_password(password, secret, region)
    assert verify_smtp_password(derive_legacy_smtp_password(secret), secret, region)
    if other != secret:
        assert not verify_smtp_password(password, other, region)
