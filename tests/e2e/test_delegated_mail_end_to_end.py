"""The whole service as an operator runs it: ``openses serve`` as a process, the owner proving
its domain through DNS and authorizing a delegate, the delegate submitting over TLS SMTP with
``X-SES-SOURCE-ARN``, the message reaching the recipient domain's MX, a DSN coming back to the
feedback listener, and the owner's topic notifying an HTTP subscriber — with the bounce counted
for the delegate, never the owner.

Everything runs on loopback: a DNS server (the domain's TXT record, the recipient domain's MX),
an SMTP sink as that MX, an HTTP endpoint as the SNS subscriber.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from openses.domain.smtp_password import derive_smtp_password
from tests.support.dns_server import DnsTestServer
from tests.support.mail_sink import MailSink
from tests.support.openses_server import free_port
from tests.support.serve_process import ServedProcess
from tests.wire.delivery.test_feedback import dsn
from tests.wire.service.sns_world import Endpoint, verify_signature

OWNER = "111122223333"
OWNER_KEY, OWNER_SECRET = "AKIAE2EOWNER00000001", "e2e/owner/secret/0000000000000000000000"
DOMAIN = "owner-e2e.example"
DEST = "dest.example"  # the recipient domain (the DSN helper's)
MX_ADDRESS = "127.0.0.7"
BOUNCES = "bounces.openses.test"  # the DSN helper's return-path domain
REGION = "us-east-1"
IDENTITY_ARN = f"arn:aws:ses:{REGION}:{OWNER}:identity/{DOMAIN}"


class Service(ServedProcess):
    def __init__(self, data_dir: Path, dns: DnsTestServer, sink: MailSink) -> None:
        self.data_dir = data_dir
        self.http, self.smtp, self.feedback = free_port(), free_port(), free_port()
        host, port = dns.address
        super().__init__(
            [
                "--data-dir",
                str(data_dir),
                "--http",
                f"127.0.0.1:{self.http}",
                "--smtp",
                f"127.0.0.1:{self.smtp}",
                "--smtps",
                "off",
                "--feedback-smtp",
                f"127.0.0.1:{self.feedback}",
                "--delivery",
                "direct",
                "--mx-port",
                str(sink.port),
                "--dns-resolver",
                f"{host}:{port}",
                "--bounce-domain",
                BOUNCES,
                "--delivery-poll",
                "0.05",
            ],
            env={
                "OPENSES_ROOT_ACCOUNT_ID": OWNER,
                "OPENSES_ROOT_ACCESS_KEY_ID": OWNER_KEY,
                "OPENSES_ROOT_SECRET_ACCESS_KEY": OWNER_SECRET,
            },
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    def client(self, service: str, key: str, secret: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}),
        )

    def admin(self, *arguments: str) -> dict[str, Any]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "openses",
                "admin",
                *arguments,
                "--data-dir",
                str(self.data_dir),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        found: dict[str, Any] = json.loads(done.stdout)
        return found


@pytest.fixture
def dns() -> Iterator[DnsTestServer]:
    with DnsTestServer() as server:
        server.set_mx(DEST, [(10, f"mx.{DEST}")])
        server.set_a(f"mx.{DEST}", MX_ADDRESS)
        yield server


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with MailSink(host=MX_ADDRESS) as running:
        yield running


@pytest.fixture
def service(tmp_path: Path, dns: DnsTestServer, sink: MailSink) -> Iterator[Service]:
    running = Service(tmp_path / "data", dns, sink)
    yield running
    running.stop()


@pytest.fixture
def subscriber() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


def eventually(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_a_delegates_smtp_message_is_delivered_bounced_and_notified(
    service: Service, dns: DnsTestServer, sink: MailSink, subscriber: Endpoint
) -> None:
    owner = service.client("ses", OWNER_KEY, OWNER_SECRET)

    # The owner proves its domain through DNS.
    token = owner.verify_domain_identity(Domain=DOMAIN)["VerificationToken"]
    dns.set_txt(f"_amazonses.{DOMAIN}", token)
    status = owner.get_identity_verification_attributes(Identities=[DOMAIN])
    assert status["VerificationAttributes"][DOMAIN]["VerificationStatus"] == "Success"

    # A delegate account, out of the sandbox, and the owner's policy for it.
    delegate = service.admin("account", "create", "--production")
    owner.put_identity_policy(
        Identity=DOMAIN,
        PolicyName="delegate-news",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DelegateSendsNews",
                        "Effect": "Allow",
                        "Principal": {"AWS": delegate["account_id"]},
                        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                        "Resource": IDENTITY_ARN,
                        "Condition": {"StringLike": {"ses:FromAddress": f"news@{DOMAIN}"}},
                    }
                ],
            }
        ),
    )

    # The owner's Bounce notifications go to its topic, which an HTTP endpoint subscribes to.
    sns = service.client("sns", OWNER_KEY, OWNER_SECRET)
    topic = sns.create_topic(Name="owner-bounces")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url)
    confirmation = subscriber.next().json()
    assert confirmation["Type"] == "SubscriptionConfirmation"
    assert httpx.get(confirmation["SubscribeURL"]).status_code == 200
    owner.set_identity_notification_topic(
        Identity=DOMAIN, NotificationType="Bounce", SnsTopic=topic
    )

    # The delegate submits over SMTP (STARTTLS, AUTH with its SES SMTP password).
    recipient = f"reader@{DEST}"
    message = (
        f"From: News <news@{DOMAIN}>\r\nTo: {recipient}\r\nSubject: Weekly news\r\n"
        f"X-SES-SOURCE-ARN: {IDENTITY_ARN}\r\n\r\nHello.\r\n"
    )
    cafile = service.data_dir / "tls" / "smtp-cert.pem"
    with smtplib.SMTP("127.0.0.1", service.smtp, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(cafile)))
        client.login(
            delegate["access_key_id"],
            derive_smtp_password(delegate["secret_access_key"], REGION),
        )
        client.mail(f"news@{DOMAIN}")
        client.rcpt(recipient)
        code, reply = client.data(message.encode())
    assert code == 250
    message_id = reply.decode().removeprefix("Ok ").strip()

    # It leaves for the recipient domain's MX with SES's envelope sender, control header gone.
    return_path = f"{message_id}@{BOUNCES}"
    arrived = eventually(lambda: [m for m in sink.received if m.mail_from == return_path])
    assert arrived, "the message never reached the MX"
    assert arrived[0].recipients == [recipient]
    assert b"X-SES-SOURCE-ARN" not in arrived[0].data

    # The MX later reports the address gone: a DSN to the return path.
    with smtplib.SMTP("127.0.0.1", service.feedback, timeout=10) as client:
        client.sendmail("", [return_path], dsn(message_id, recipient, report_id="e2e-dsn-1"))

    # The owner's subscriber hears of it, signed, naming the delegate as the sender.
    note = subscriber.next().json()
    assert note["Type"] == "Notification"
    verify_signature(note)
    bounce = json.loads(note["Message"])
    assert bounce["notificationType"] == "Bounce"
    assert bounce["mail"]["messageId"] == message_id
    assert bounce["mail"]["sourceArn"] == IDENTITY_ARN
    assert bounce["mail"]["sendingAccountId"] == delegate["account_id"]
    assert bounce["bounce"]["bouncedRecipients"][0]["emailAddress"] == recipient

    # The bounce counts for the delegate, not for the owner.
    delegate_ses = service.client("ses", delegate["access_key_id"], delegate["secret_access_key"])
    points = delegate_ses.get_send_statistics()["SendDataPoints"]
    assert sum(p["Bounces"] for p in points) == 1
    assert sum(p["DeliveryAttempts"] for p in points) == 1
    assert owner.get_send_statistics()["SendDataPoints"] == []
    history = httpx.get(f"{service.url}/_openses/messages/{message_id}").json()
    events = [(event["event_type"], event["account"]) for event in history["events"]]
    assert events == [(kind, delegate["account_id"]) for kind in ("Send", "Delivery", "Bounce")]
