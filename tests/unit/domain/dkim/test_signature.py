"""DKIM signing, every signature checked by an independent verifier (dkimpy)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime

import pytest

from openses.domain.dkim import SigningKey, sign
from openses.domain.dkim.keys import PrivateKey
from tests.unit.domain.dkim.conftest import Verify

NOW = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)  # in the past: dkimpy refuses future t=
KEY_KINDS = ("rsa1024", "rsa2048", "ed25519", "byodkim")

PLAIN = (
    b"From: Sender <sender@example.com>\r\n"
    b"To: reader@example.net\r\n"
    b"Subject: Hello there\r\n"
    b"Date: Tue, 24 Nov 2026 12:00:00 +0000\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=UTF-8\r\n"
    b"\r\n"
    b"Hello,  reader.\t\r\n\r\nBye.\r\n"
)
MESSAGES = {
    "plain": PLAIN,
    "bare-lf": PLAIN.replace(b"\r\n", b"\n"),
    "empty-body": PLAIN.split(b"\r\n\r\n")[0] + b"\r\n\r\n",
    "no-body-at-all": PLAIN.split(b"\r\n\r\n")[0] + b"\r\n",
    "folded-and-repeated": (
        b"From: a@example.com\r\n"
        b"To: one@example.net,\r\n\ttwo@example.net,\r\n   three@example.net\r\n"
        b"Subject:   spaced\t out   \r\n"
        b"References: <a@x>\r\nReferences: <b@x>\r\n"
        b"List-Unsubscribe: <mailto:u@example.com>\r\n"
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        b"Feedback-ID: 1:2:3:ses\r\n"
        b"X-Mailer: not signed\r\n"
        b"\r\n"
        b"body line   with runs   \r\n\r\n\r\n"
    ),
    "large": PLAIN + b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n" * 400,
    "eight-bit": PLAIN.replace(b"Hello there", "Grüße".encode()) + "naïve\r\n".encode(),
}


def key_of(keys: dict[str, PrivateKey], kind: str, selector: str = "sel") -> SigningKey:
    return SigningKey("example.com", f"{selector}-{kind}", keys[kind])


def fields_of(signed: bytes) -> list[str]:
    """The DKIM-Signature fields prepended to a message, unfolded."""
    text = signed.decode("utf-8", errors="replace").replace("\r\n", "\n")
    found = re.findall(r"^DKIM-Signature:.*?(?=\n(?![ \t]))", text, flags=re.S | re.M)
    return [re.sub(r"\n[ \t]", " ", field) for field in found]


def tags_of(field: str) -> dict[str, str]:
    value = field.split(":", 1)[1]
    pairs = (part.split("=", 1) for part in value.split(";") if "=" in part)
    return {name.strip(): "".join(data.split()) for name, data in pairs}


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("message", sorted(MESSAGES))
def test_signatures_verify(
    keys: dict[str, PrivateKey], verify: Verify, kind: str, message: str
) -> None:
    key = key_of(keys, kind)
    signed = sign(MESSAGES[message], [key], NOW)
    assert signed.endswith(MESSAGES[message])
    assert verify(signed, [key]) == [True]


def test_every_key_adds_its_own_signature_in_order(
    keys: dict[str, PrivateKey], verify: Verify
) -> None:
    signers = [key_of(keys, "rsa2048"), key_of(keys, "ed25519"), key_of(keys, "byodkim")]
    signed = sign(PLAIN, signers, NOW)
    assert [tags_of(f)["s"] for f in fields_of(signed)] == [k.selector for k in signers]
    assert [tags_of(f)["a"] for f in fields_of(signed)] == [
        "rsa-sha256",
        "ed25519-sha256",
        "rsa-sha256",
    ]
    assert verify(signed, signers) == [True, True, True]


def test_no_keys_no_change() -> None:
    assert sign(PLAIN, [], NOW) is PLAIN


def test_signature_tags(keys: dict[str, PrivateKey]) -> None:
    signed = sign(MESSAGES["folded-and-repeated"], [key_of(keys, "rsa2048")], NOW)
    tags = tags_of(fields_of(signed)[0])
    assert list(tags) == ["v", "a", "c", "d", "s", "t", "h", "bh", "b"]
    assert tags["v"] == "1"
    assert tags["c"] == "relaxed/relaxed"
    assert tags["d"] == "example.com"
    assert tags["t"] == str(int(NOW.timestamp()))
    assert tags["h"] == (
        "From:From:To:Subject:References:References:List-Unsubscribe:"
        "List-Unsubscribe-Post:Feedback-ID"
    )
    body = b"body line with runs\r\n"
    assert tags["bh"] == base64.b64encode(hashlib.sha256(body).digest()).decode()


def test_empty_body_hash(keys: dict[str, PrivateKey]) -> None:
    signed = sign(MESSAGES["empty-body"], [key_of(keys, "rsa1024")], NOW)
    assert tags_of(fields_of(signed)[0])["bh"] == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_field_is_folded_in_short_lines(keys: dict[str, PrivateKey], kind: str) -> None:
    signed = sign(MESSAGES["folded-and-repeated"], [key_of(keys, kind)], NOW)
    header = signed[: signed.index(b"From: ")]
    lines = header.split(b"\r\n")[:-1]
    assert lines[0].startswith(b"DKIM-Signature: v=1; a=")
    assert all(line.startswith((b" ", b"\t")) for line in lines[1:])
    assert max(len(line) for line in lines) <= 78


@pytest.mark.parametrize(
    ("raw", "ending"),
    [pytest.param(PLAIN, b"\r\n", id="crlf"), pytest.param(MESSAGES["bare-lf"], b"\n", id="lf")],
)
def test_added_fields_use_the_message_line_ending(
    keys: dict[str, PrivateKey], raw: bytes, ending: bytes
) -> None:
    added = sign(raw, [key_of(keys, "rsa2048"), key_of(keys, "ed25519")], NOW)[: -len(raw)]
    assert added.endswith(ending)
    assert added.count(b"\n") == added.count(ending)


@pytest.mark.parametrize(
    ("change", "still_valid"),
    [
        pytest.param(lambda m: m.replace(b"Bye.", b"Bye!"), False, id="body-changed"),
        pytest.param(lambda m: m.replace(b"Hello there", b"Hello there!"), False, id="subject"),
        pytest.param(lambda m: b"From: evil@example.org\r\n" + m, False, id="from-added-on-top"),
        pytest.param(
            lambda m: m.replace(b"\r\n\r\nHello", b"\r\nFrom: x@example.org\r\n\r\nHello"),
            False,
            id="from-added-below",
        ),
        pytest.param(lambda m: b"X-Added: by a relay\r\n" + m, True, id="unsigned-field-added"),
        pytest.param(
            lambda m: m.replace(b"Subject: Hello there", b"Subject:  Hello \t there"),
            True,
            id="white-space-changed-in-transit",
        ),
        pytest.param(lambda m: m + b"\r\n\r\n", True, id="empty-lines-appended"),
    ],
)
def test_what_the_signature_protects(
    keys: dict[str, PrivateKey], verify: Verify, change: object, still_valid: bool
) -> None:
    key = key_of(keys, "rsa2048")
    signed = sign(PLAIN, [key], NOW)
    assert callable(change)
    assert verify(change(signed), [key]) == [still_valid]
