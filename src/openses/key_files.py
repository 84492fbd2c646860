"""Writing the key and certificate files OpenSES makes for itself (SMTP TLS, SNS signing).

A file appears whole or not at all: it is written under a temporary name with its final mode
(``0o600`` for private keys) and renamed into place, so another process starting at the same
moment never reads half a key.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
