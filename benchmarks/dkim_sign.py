"""DKIM signing speed: one 10 KB message signed with an RSA-2048 key, on one core.

Three figures, each the median of several rounds, measured in the same run:

- ``sign``: :func:`openses.domain.dkim.sign` (canonicalisation, hashes, the signature field);
- ``rsa``: the bare RSA-2048 PKCS#1 v1.5 SHA-256 operation through ``cryptography`` on data of
  the size our signer signs — the floor no signer can go under;
- ``dkimpy``: dkimpy signing the same message with the same key (pure-Python RSA), the
  baseline the stack study measured.

The target is that signing costs little more than the RSA operation itself: ``sign - rsa``
at most 0.1 ms per message (about 0.3 ms in all on the study's machine).

Usage: ``.venv/bin/python benchmarks/dkim_sign.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from openses.domain.dkim import SigningKey, sign

OVERHEAD_TARGET_MS = 0.1
HEADER = (
    b"From: Sender <sender@example.com>\r\n"
    b"To: reader@example.net\r\n"
    b"Subject: A newsletter of about ten kilobytes\r\n"
    b"Date: Tue, 24 Nov 2026 12:00:00 +0000\r\n"
    b"Message-ID: <0100016d07eb7477@email.amazonses.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=UTF-8\r\n"
    b"\r\n"
)
LINE = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n"
MESSAGE = HEADER + LINE * ((10_240 - len(HEADER)) // len(LINE))


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def per_call_ms(work: Callable[[], object], seconds: float) -> float:
    """Milliseconds per call of ``work``, run for about ``seconds``."""
    calls = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(20):
            work()
        calls += 20
    return elapsed / calls * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="one short round (a smoke test)")
    args = parser.parse_args()
    rounds, seconds = (1, 0.2) if args.quick else (5, 1.0)
    pin_to_one_core()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = SigningKey("example.com", "bench", key)
    now = datetime.now(UTC)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    signed_data = b"x" * 600  # about what a signature covers: a few fields and its own field

    def ours() -> None:
        sign(MESSAGE, [signer], now)

    def bare() -> None:
        key.sign(signed_data, padding.PKCS1v15(), hashes.SHA256())

    def dkimpy() -> None:
        dkim.sign(MESSAGE, b"bench", b"example.com", pem, include_headers=[b"From", b"To"])

    figures: dict[str, list[float]] = {"sign": [], "rsa": [], "dkimpy": []}
    for work in (ours, bare, dkimpy):
        work()  # warm-up
    for _ in range(rounds):
        figures["sign"].append(per_call_ms(ours, seconds))
        figures["rsa"].append(per_call_ms(bare, seconds))
        figures["dkimpy"].append(per_call_ms(dkimpy, seconds / 4))
    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"message {len(MESSAGE)} bytes, RSA-2048, {rounds} round(s)")
    for name, value in median.items():
        print(f"{name:<7} {value:.3f} ms per message")
    overhead = median["sign"] - median["rsa"]
    verdict = "met" if overhead <= OVERHEAD_TARGET_MS else "NOT met"
    print(f"overhead sign - rsa {overhead:.3f} ms (target <= {OVERHEAD_TARGET_MS} ms: {verdict})")
    print(f"ratio dkimpy / sign {median['dkimpy'] / median['sign']:.1f}x")


if __name__ == "__main__":
    main()
