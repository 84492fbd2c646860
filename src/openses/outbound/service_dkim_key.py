"""The private key of the service's own DKIM signature: the operator's, or made on first start.

With ``--service-dkim-key FILE`` that PEM key is used (RSA of 1024 to 2048 bits, or Ed25519).
Without it, an RSA 2048 key is generated once into ``<data-dir>/dkim/service-dkim.pem`` (mode
0600, written through a temporary file and an atomic rename) and read again on every later
start. Several OpenSES processes that deliver mail must sign with one key — its public half is
one DNS record: give them all the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric import rsa

from openses.domain.dkim import InvalidDkimKey, PrivateKey, load_private_key, private_key_pem
from openses.domain.dkim.keys import MAX_RSA_BITS, MIN_RSA_BITS
from openses.domain.dkim.service import ServiceSignature, service_signature
from openses.key_files import write_atomically

KEY_FILE: Final = "service-dkim.pem"
GENERATED_BITS: Final = 2048


class ServiceKeyError(ValueError):
    """The operator's key cannot be used; the message names the file and says why."""


def load_service_signature(
    domain: str, selector: str, key_file: Path | None, data_dir: Path
) -> ServiceSignature:
    """The service signature of ``domain``/``selector`` with the operator's key, or the one made
    in ``data_dir``."""
    key = _operator_key(key_file) if key_file is not None else _own_key(data_dir / "dkim")
    return service_signature(domain, selector, key)


def _operator_key(path: Path) -> PrivateKey:
    try:
        text = path.read_text("ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise ServiceKeyError(f"--service-dkim-key {path}: cannot be read ({error})") from None
    try:
        key = load_private_key(text, trusted=False)
    except (ValueError, TypeError, InvalidDkimKey) as error:
        raise ServiceKeyError(
            f"--service-dkim-key {path}: not an unencrypted PEM RSA or Ed25519 private key "
            f"({error})"
        ) from None
    if isinstance(key, rsa.RSAPrivateKey) and not MIN_RSA_BITS <= key.key_size <= MAX_RSA_BITS:
        raise ServiceKeyError(
            f"--service-dkim-key {path}: an RSA key of {key.key_size} bits; DKIM keys here are "
            f"{MIN_RSA_BITS} to {MAX_RSA_BITS} bits"
        )
    return key


def _own_key(directory: Path) -> PrivateKey:
    path = directory / KEY_FILE
    if path.exists():
        return load_private_key(path.read_text("ascii"), trusted=True)
    directory.mkdir(parents=True, exist_ok=True)
    key: PrivateKey = rsa.generate_private_key(public_exponent=65537, key_size=GENERATED_BITS)
    write_atomically(path, private_key_pem(key).encode("ascii"), mode=0o600)
    # Another process may have written its own key at the same moment: everyone uses the file.
    return load_private_key(path.read_text("ascii"), trusted=True)
