"""Sending authorization over SMTP end to end: smtplib -> TLS -> AUTH -> the one decision.

The runtime's SMTP listeners run on the live server's loop (SQLite and PostgreSQL), with the
services behind them; a delegate authenticates with its SES SMTP credentials and sends as the
owner's identity through ``X-SES-SOURCE-ARN``.
"""

from __future__ import annotations

import itertools
import smtplib
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from openses.config import HostPort
from openses.domain.accounts import AccessKey
from openses.domain.smtp_password import derive_smtp_password
from openses.runtime import SmtpGateway
from openses.smtp import SmtpListeners, SmtpSettings, start_smtp
from tests.support.dns_server import DnsTestServer
from tests.support.openses_server import Running
from tests.wire.service.sending_world import World
from tests.wire.service.test_sending_api import denied, root

_counter = itertools.count()


@pytest.fixture(scope="module")
def smtp(openses: Running, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpListeners]:
    settings = SmtpSettings(
        starttls=HostPort("127.0.0.1", 0),
        implicit_tls=HostPort("127.0.0.1", 0),
        self_signed_dir=tmp_path_factory.mktemp("tls"),
        regions=("us-west-2", "eu-west-1"),
    )

    async def start() -> SmtpListeners:
        return await start_smtp(settings, SmtpGateway(openses.application.services))

    listeners = openses.run(start())
    try:
        yield listeners
    finally:
        openses.run(listeners.close())


@pytest.fixture
def world(openses: Running, dns: DnsTestServer) -> World:
    return World(openses, dns, f"smtp{next(_counter)}.example")


def message(sender: str, *headers: str, to: str = "a@example.net") -> bytes:
    lines = [f"From: {sender}", f"To: {to}", "Subject: over SMTP", *headers, "", "body", ""]
    return "\r\n".join(lines).encode()


def submit(
    listeners: SmtpListeners,
    key: AccessKey,
    mail_from: str,
    data: bytes,
    recipients: tuple[str, ...] = ("a@example.net",),
    *,
    region: str = "us-east-1",
    implicit: bool = False,
) -> tuple[int, str]:
    """Run one authenticated transaction; the reply to the end of DATA (code, text)."""
    context = ssl.create_default_context(cafile=str(listeners.cert_path))
    client: smtplib.SMTP
    if implicit:
        assert listeners.implicit_tls_port is not None
        client = smtplib.SMTP_SSL(
            "127.0.0.1", listeners.implicit_tls_port, timeout=10, context=context
        )
    else:
        assert listeners.starttls_port is not None
        client = smtplib.SMTP("127.0.0.1", listeners.starttls_port, timeout=10)
        client.starttls(context=context)
    with client:
        client.login(key.access_key_id, derive_smtp_password(key.secret_access_key, region))
        client.mail(mail_from)
        for recipient in recipients:
            client.rcpt(recipient)
        code, text = client.data(data)
        return code, text.decode()


def test_authorized_delegate_sends_with_the_source_arn_header(
    world: World, smtp: SmtpListeners
) -> None:
    world.allow(
        {"AWS": world.delegate.account_id},
        Action="ses:SendRawEmail",
        Condition={"StringEquals": {"ses:ApiVersion": "2"}},
    )
    source = f"app@{world.domain}"
    data = message(source, f"X-SES-SOURCE-ARN: {world.arn()}")
    code, text = submit(smtp, world.delegate, source, data)
    assert code == 250
    assert text.startswith("Ok ")
    sent = text.removeprefix("Ok ")
    record = world.captured(sent)
    assert record["sending_account"] == world.delegate.account_id
    assert record["caller_arn"] == root(world.delegate)
    assert record["identity_arns"] == [world.arn()]
    assert b"X-SES-SOURCE-ARN" not in world.raw(sent)
    assert world.ses(world.delegate).get_send_quota()["SentLast24Hours"] == 1
    assert world.ses(world.owner).get_send_quota()["SentLast24Hours"] == 0
    code, _ = submit(smtp, world.delegate, source, data, implicit=True)
    assert code == 250


def test_unauthorized_delegate_gets_554_access_denied(world: World, smtp: SmtpListeners) -> None:
    source = f"app@{world.domain}"
    data = message(source, f"X-SES-SOURCE-ARN: {world.arn()}")
    assert submit(smtp, world.delegate, source, data) == (
        554,
        "Access denied: " + denied(root(world.delegate), "ses:SendRawEmail", world.arn()),
    )


def test_unverified_sender_gets_554_message_rejected(world: World, smtp: SmtpListeners) -> None:
    code, text = submit(smtp, world.delegate, "x@nowhere.example", message("x@nowhere.example"))
    assert code == 554
    assert text.startswith("Message rejected: Email address is not verified.")


def test_password_of_another_region_sends_in_that_region(world: World, smtp: SmtpListeners) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action="ses:SendRawEmail")
    source = f"app@{world.domain}"
    data = message(source, f"X-SES-SOURCE-ARN: {world.arn()}")
    code, text = submit(smtp, world.delegate, source, data, region="us-west-2")
    assert code == 554
    assert "in region US-WEST-2" in text


def test_rate_is_charged_to_the_delegate(world: World, smtp: SmtpListeners) -> None:
    world.allow({"AWS": world.delegate.account_id}, Action="ses:SendRawEmail")
    world.update_account(world.delegate, max_send_rate=1)
    source = f"app@{world.domain}"
    data = message(source, f"X-SES-SOURCE-ARN: {world.arn()}")
    assert submit(smtp, world.delegate, source, data, ("a@x.net", "b@x.net"))[0] == 250
    assert submit(smtp, world.delegate, source, data) == (
        454,
        "Throttling failure: Maximum sending rate exceeded",
    )


def test_iam_user_smtp_credentials(world: World, smtp: SmtpListeners, tmp_path: Path) -> None:
    iam = world.openses.client("iam", world.delegate)
    iam.create_user(UserName="smtp-user")
    made = iam.create_access_key(UserName="smtp-user")["AccessKey"]
    user = AccessKey(
        made["AccessKeyId"], made["SecretAccessKey"], world.delegate.account_id, made["CreateDate"]
    )
    user_arn = f"arn:aws:iam::{world.delegate.account_id}:user/smtp-user"
    world.allow({"AWS": user_arn}, Action="ses:SendRawEmail")
    source = f"app@{world.domain}"
    data = message(source, f"X-SES-SOURCE-ARN: {world.arn()}")
    code, text = submit(smtp, user, source, data)
    assert (code, text) == (
        554,
        "Access denied: " + denied(user_arn, "ses:SendRawEmail", world.arn()),
    )
    iam.put_user_policy(
        UserName="smtp-user",
        PolicyName="smtp",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"ses:SendRawEmail","Resource":"*"}]}',
    )
    assert submit(smtp, user, source, data)[0] == 250
