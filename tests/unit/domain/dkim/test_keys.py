"""DKIM keys: public key records, reading BYODKIM keys, matching published records."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from openses.domain.dkim import (
    InvalidDkimKey,
    KeyAlgorithm,
    PrivateKey,
    SigningKey,
    load_private_key,
    parse_external_key,
    private_key_pem,
    public_key_record,
    record_publishes,
)
from openses.domain.dkim.keys import public_key_data, record_tags


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def der(key: rsa.RSAPrivateKey, form: serialization.PrivateFormat) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, form, serialization.NoEncryption())


def test_rsa_record(keys: dict[str, PrivateKey]) -> None:
    key = keys["rsa2048"]
    record = public_key_record(key)
    assert record.startswith("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert record_tags(record) == {"v": "DKIM1", "k": "rsa", "p": b64(spki)}


def test_ed25519_record(keys: dict[str, PrivateKey]) -> None:
    record = public_key_record(keys["ed25519"])
    tags = record_tags(record)
    assert tags["k"] == "ed25519"
    assert len(base64.b64decode(tags["p"])) == 32
    assert SigningKey("d", "s", keys["ed25519"]).algorithm is KeyAlgorithm.ED25519_SHA256
    assert SigningKey("d", "s", keys["rsa1024"]).algorithm is KeyAlgorithm.RSA_SHA256


@pytest.mark.parametrize("kind", ["rsa1024", "rsa2048", "ed25519"])
def test_pem_round_trip(keys: dict[str, PrivateKey], kind: str) -> None:
    pem = private_key_pem(keys[kind])
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    for trusted in (True, False):
        loaded = load_private_key(pem, trusted=trusted)
        assert public_key_record(loaded) == public_key_record(keys[kind])


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(
            lambda k: b64(der(k, serialization.PrivateFormat.TraditionalOpenSSL)), id="pkcs1-der"
        ),
        pytest.param(lambda k: b64(der(k, serialization.PrivateFormat.PKCS8)), id="pkcs8-der"),
        pytest.param(lambda k: b64(private_key_pem(k).encode()), id="whole-pem-file"),
        pytest.param(
            lambda k: "".join(private_key_pem(k).splitlines()[1:-1]), id="pem-body-lines-joined"
        ),
    ],
)
def test_external_key_forms(keys: dict[str, PrivateKey], encode: object) -> None:
    key = keys["rsa2048"]
    assert isinstance(key, rsa.RSAPrivateKey)
    assert callable(encode)
    parsed = parse_external_key(encode(key))
    assert parsed.private_numbers() == key.private_numbers()


@pytest.fixture(scope="module")
def big_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("not base64!", "not valid base64", id="not-base64"),
        pytest.param(b64(b"just some bytes"), "could not be read", id="not-a-key"),
        pytest.param(
            b64(
                ec.generate_private_key(ec.SECP256R1()).private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            "must be an RSA key",
            id="ec-key",
        ),
    ],
)
def test_external_key_problems(text: str, problem: str) -> None:
    with pytest.raises(InvalidDkimKey, match=problem):
        parse_external_key(text)


def test_external_key_longer_than_2048_bits(big_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidDkimKey, match="3072 bits long; it must be at least 1024 and at"):
        parse_external_key(b64(der(big_key, serialization.PrivateFormat.PKCS8)))


def test_records_publishing_a_key(keys: dict[str, PrivateKey]) -> None:
    key = keys["rsa2048"]
    data = public_key_data(key)
    pkcs1 = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    matching = [
        public_key_record(key),
        f"k=rsa; p={data}",
        f"v=DKIM1;p={data[:100]} {data[100:]}",
        f"v=DKIM1; h=sha256; k=rsa; s=email; p={b64(pkcs1)}",
    ]
    assert all(record_publishes(record, key) for record in matching)
    other = [
        public_key_record(keys["rsa1024"]),
        "v=DKIM1; k=rsa; p=",
        "v=spf1 include:amazonses.com ~all",
        f"v=DKIM2; k=rsa; p={data}",
        f"v=DKIM1; k=rsa; p={data[:-8]}",
    ]
    assert not any(record_publishes(record, key) for record in other)
    assert record_publishes(public_key_record(keys["ed25519"]), keys["ed25519"])
    assert not record_publishes(public_key_record(keys["rsa1024"]), keys["ed25519"])
