"""What the SNS wire tests share: an HTTP endpoint that records what it is sent, an independent
verifier of SNS signatures, running the delivery worker, and an OpenSES served over HTTPS.

The verifier follows AWS's documented algorithm and shares no code with OpenSES: it fetches
the certificate from ``SigningCertURL``, rebuilds the string to sign from the message's own
fields and checks the RSA signature (SHA1 for version 1, SHA256 for version 2).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.server
import json
import queue
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from openses.config import HostPort, RootCredentials, ServeSettings, StoreSettings
from openses.runtime import build
from openses.smtp.tls import ensure_self_signed
from tests.support.openses_server import Running, free_port

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: str

    def json(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class Endpoint:
    """A subscriber's HTTP endpoint on loopback: records every POST and answers with the next
    status of ``statuses`` (200 once they run out)."""

    def __init__(self) -> None:
        self.received: queue.Queue[Received] = queue.Queue()
        self.statuses: list[int] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                headers = {name.lower(): value for name, value in self.headers.items()}
                endpoint.received.put(Received(self.path, headers, body))
                status = endpoint.statuses.pop(0) if endpoint.statuses else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/sns-hook"

    def next(self) -> Received:
        return self.received.get(timeout=10)

    def nothing_more(self) -> bool:
        return self.received.empty()

    def __enter__(self) -> Endpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def deliver(openses: Running, at: datetime | None = None) -> int:
    """One round of the SNS delivery worker on the server's loop; how many it attempted."""
    topics = openses.application.services.topics
    return openses.run(topics.deliver_due(at or datetime.now(UTC), limit=100))


def verify_signature(message: dict[str, Any], *, verify: ssl.SSLContext | bool = True) -> None:
    """Raise unless ``message`` is signed by the key of its ``SigningCertURL``."""
    cert = x509.load_pem_x509_certificate(
        httpx.get(message["SigningCertURL"], verify=verify).content
    )
    keys = NOTIFICATION_FIELDS if message["Type"] == "Notification" else CONFIRMATION_FIELDS
    text = "".join(f"{key}\n{message[key]}\n" for key in keys if key in message)
    algorithm: hashes.HashAlgorithm = (
        hashes.SHA1() if message["SignatureVersion"] == "1" else hashes.SHA256()
    )
    public_key = cert.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(
        base64.b64decode(message["Signature"]), text.encode("utf-8"), padding.PKCS1v15(), algorithm
    )


@contextlib.contextmanager
def serve_openses_https(directory: Path) -> Iterator[tuple[Running, Path]]:
    """An OpenSES (SQLite) serving HTTPS on loopback, its public URL ``https://127.0.0.1:…``;
    yields it and the certificate clients must trust."""
    cert, key = ensure_self_signed(directory / "tls", "127.0.0.1")
    port = free_port()
    settings = ServeSettings(
        store=StoreSettings(directory / "data", None),
        http=HostPort("127.0.0.1", port),
        public_url=f"https://127.0.0.1:{port}",
        dns_resolver=None,
        admin_token=None,
        verification_sender="no-reply@openses.test",
        domain_check_interval=3600,
        root=RootCredentials(None, None, None),
    )
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        application = await build(settings)
        holder["application"] = application
        server = uvicorn.Server(
            uvicorn.Config(
                application.app,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
                ssl_certfile=str(cert),
                ssl_keyfile=str(key),
                timeout_graceful_shutdown=5,
            )
        )
        holder["server"] = server
        serving = asyncio.ensure_future(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        ready.set()
        try:
            await serving
        finally:
            await application.store.close()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(timeout=60), "the HTTPS OpenSES did not start"
    try:
        yield Running(f"https://127.0.0.1:{port}", holder["application"], loop), cert
    finally:
        holder["server"].should_exit = True
        thread.join(timeout=30)
        loop.close()
