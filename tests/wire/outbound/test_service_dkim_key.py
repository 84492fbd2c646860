"""The service signature's key: made once into ``<data-dir>/dkim/`` and reused, or the
operator's own file, refused with the flag named when it cannot sign."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from openses.domain.dkim import private_key_pem, public_key_record
from openses.outbound.service_dkim_key import KEY_FILE, ServiceKeyError, load_service_signature


def test_made_once_and_reused(tmp_path: Path) -> None:
    first = load_service_signature("mail.example.com", "s1", None, tmp_path)
    assert stat.S_IMODE((tmp_path / "dkim" / KEY_FILE).stat().st_mode) == 0o600
    assert isinstance(first.key.private_key, rsa.RSAPrivateKey)
    assert first.key.private_key.key_size == 2048
    again = load_service_signature("mail.example.com", "s1", None, tmp_path)
    assert again.record_value == first.record_value
    assert again.feedback_id("us-east-1", "111122223333") == first.feedback_id(
        "us-east-1", "111122223333"
    )


def test_the_operators_key(tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "operator.pem"
    path.write_text(private_key_pem(key))
    signature = load_service_signature("mail.example.com", "s1", path, tmp_path)
    assert signature.record_value == public_key_record(key)
    assert not (tmp_path / "dkim").exists()  # nothing made


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot be read", id="missing"),
        pytest.param("not a key", "not an unencrypted PEM", id="garbage"),
        pytest.param(
            _pem(ec.generate_private_key(ec.SECP256R1())), "not an unencrypted PEM", id="ec-key"
        ),
        pytest.param(
            _pem(rsa.generate_private_key(65537, 3072)), "an RSA key of 3072 bits", id="rsa-3072"
        ),
    ],
)
def test_a_key_that_cannot_sign_is_refused(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "operator.pem"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ServiceKeyError, match=f"--service-dkim-key {path}: {message}"):
        load_service_signature("mail.example.com", "s1", path, tmp_path)
