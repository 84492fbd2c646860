"""The SNS signing key and certificate: made once into the data directory, or the operator's."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from openses.outbound.signing_keys import (
    CERT_FILE,
    KEY_FILE,
    SigningKeyError,
    ensure_signing_material,
    signing_material,
)

NOW = datetime.now(UTC)


def test_made_once_and_reused(tmp_path: Path) -> None:
    first = ensure_signing_material(tmp_path / "sns", now=NOW)
    assert stat.S_IMODE((tmp_path / "sns" / KEY_FILE).stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(first.cert_pem)
    assert cert.public_key() == first.key.public_key()
    assert cert.not_valid_after_utc > NOW + timedelta(days=3000)
    again = ensure_signing_material(tmp_path / "sns", now=NOW + timedelta(days=1))
    assert again.cert_pem == first.cert_pem
    assert again.cert_file_name == first.cert_file_name
    assert first.cert_file_name.startswith("openses-sns-")
    assert first.cert_file_name.endswith(".pem")


def test_replaced_when_about_to_expire(tmp_path: Path) -> None:
    first = ensure_signing_material(tmp_path, now=NOW)
    later = ensure_signing_material(tmp_path, now=NOW + timedelta(days=3650))
    assert later.cert_pem != first.cert_pem
    assert later.cert_file_name != first.cert_file_name


def test_the_operators_pair_is_used_as_given(tmp_path: Path) -> None:
    made = ensure_signing_material(tmp_path / "made", now=NOW)
    key, cert = tmp_path / "made" / KEY_FILE, tmp_path / "made" / CERT_FILE
    used = signing_material(key, cert, tmp_path / "unused", now=NOW)
    assert used.cert_pem == made.cert_pem
    assert not (tmp_path / "unused").exists()


def test_a_mismatched_or_unusable_pair_is_refused(tmp_path: Path) -> None:
    ensure_signing_material(tmp_path / "a", now=NOW)
    ensure_signing_material(tmp_path / "b", now=NOW)
    with pytest.raises(SigningKeyError, match="not the signing key's"):
        signing_material(tmp_path / "a" / KEY_FILE, tmp_path / "b" / CERT_FILE, tmp_path, now=NOW)
    with pytest.raises(SigningKeyError, match="cannot read"):
        signing_material(tmp_path / "missing.pem", tmp_path / "a" / CERT_FILE, tmp_path, now=NOW)
    ec_key = tmp_path / "ec.pem"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(SigningKeyError, match="RSA"):
        signing_material(ec_key, tmp_path / "a" / CERT_FILE, tmp_path, now=NOW)
    assert isinstance(ensure_signing_material(tmp_path / "a", now=NOW).key, rsa.RSAPrivateKey)
