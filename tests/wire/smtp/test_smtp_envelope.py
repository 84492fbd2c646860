"""The envelope: address syntax, the recipient limit, SIZE, extensions."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest

from openses.smtp import SmtpListeners
from tests.wire.smtp.support import (
    MESSAGE,
    FakeSmtpBackend,
    in_thread,
    logged_in,
    start,
    transaction,
)

TOO_MANY = (554, b"Transaction failed: Recipient count exceeds 50.")


async def test_ehlo_advertises_size_8bitmime_and_no_smtputf8(listeners: SmtpListeners) -> None:
    def conversation() -> tuple[str, dict[str, str]]:
        with logged_in(listeners) as client:
            assert client.ehlo_resp is not None
            return client.ehlo_resp.decode(), dict(client.esmtp_features)

    greeting, features = await in_thread(conversation)
    assert greeting.splitlines()[0] == "smtp.openses.test"
    assert features["size"] == "41943040"
    assert "8bitmime" in features
    assert "smtputf8" not in features


@pytest.mark.parametrize(
    ("argument", "reply"),
    [
        ("FROM:<no-at-sign>", b"<no-at-sign> Invalid email address"),
        ("FROM:<a@>", b"<a@> Invalid email address"),
        ("FROM:<@example.com>", b"<@example.com> Invalid email address"),
        ("FROM:<a..b@example.com>", b"<a..b@example.com> Invalid email address"),
        ("FROM:<a@-bad-.example>", b"<a@-bad-.example> Invalid email address"),
        ("FROM:<a@[192.0.2.1]>", b"<a@[192.0.2.1]> Invalid email address"),
        ("FROM:<>", b"<> Invalid email address"),
    ],
)
async def test_mail_from_syntax_553(listeners: SmtpListeners, argument: str, reply: bytes) -> None:
    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with logged_in(listeners) as client:
            refused = client.docmd("MAIL", argument)
            return refused, client.docmd("MAIL", "FROM:<ok@example.com>")

    refused, retried = await in_thread(conversation)
    assert refused == (553, reply)
    assert retried == (250, b"Ok")  # the refused MAIL left no transaction behind


@pytest.mark.parametrize(
    ("argument", "reply"),
    [
        ("TO:<postmaster>", b"<postmaster> address unknown"),
        ("TO:<x@>", b"<x@> address unknown"),
        ("TO:<a b@example.com>", b"<a b@example.com> address unknown"),
        ('TO:<"a b"@example.com>', b'<"a b"@example.com> address unknown'),
        ("TO:rcpt", b"<rcpt> address unknown"),
    ],
)
async def test_rcpt_to_syntax_553(
    listeners: SmtpListeners, backend: FakeSmtpBackend, argument: str, reply: bytes
) -> None:
    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with logged_in(listeners) as client:
            assert client.docmd("MAIL", "FROM:<ok@example.com>")[0] == 250
            refused = client.docmd("RCPT", argument)
            assert client.docmd("RCPT", "TO:<good@example.net>")[0] == 250
            return refused, client.data(MESSAGE)

    refused, sent = await in_thread(conversation)
    assert refused == (553, reply)
    assert sent[0] == 250
    assert backend.last.recipients == ("good@example.net",)


@pytest.mark.parametrize("argument", ["FROM user1@example.com", "FROM:<user1@example.com> x>"])
async def test_unparseable_mail_gets_501(listeners: SmtpListeners, argument: str) -> None:
    def conversation() -> tuple[int, bytes]:
        with logged_in(listeners) as client:
            return client.docmd("MAIL", argument)

    assert await in_thread(conversation) == (501, b"Invalid MAIL FROM address provided")


@pytest.mark.parametrize("argument", ["TO User2", "TO:<user2@example.com> junk>"])
async def test_unparseable_rcpt_gets_501(listeners: SmtpListeners, argument: str) -> None:
    def conversation() -> tuple[int, bytes]:
        with logged_in(listeners) as client:
            assert client.docmd("MAIL", "FROM:<ok@example.com>")[0] == 250
            return client.docmd("RCPT", argument)

    assert await in_thread(conversation) == (501, b"Invalid RCPT TO address provided")


async def test_valid_addresses_are_passed_as_given(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    recipients = ["Mixed.Case+tag@Example.NET", '"at@sign"@example.org', "x@xn--bcher-kva.ch"]

    def conversation() -> tuple[int, bytes]:
        with logged_in(listeners) as client:
            return transaction(
                client, MESSAGE, sender="bounce-handler@mail.example.com", recipients=recipients
            )

    assert (await in_thread(conversation))[0] == 250
    assert backend.last.mail_from == "bounce-handler@mail.example.com"
    assert backend.last.recipients == tuple(recipients)


async def test_51st_recipient_refused_and_the_transaction_with_it(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    addresses = [f"r{i}@example.net" for i in range(51)]

    def conversation() -> tuple[list[int], tuple[int, bytes], tuple[int, bytes], tuple[int, bytes]]:
        with logged_in(listeners) as client:
            assert client.mail("sender@example.com")[0] == 250
            codes = [client.rcpt(address)[0] for address in addresses[:50]]
            over = client.rcpt(addresses[50])
            data = client.docmd("DATA")
            # After RSET a new transaction within the limit goes through.
            assert client.rset()[0] == 250
            return codes, over, data, transaction(client, MESSAGE, recipients=addresses[:50])

    codes, over, data, retried = await in_thread(conversation)
    assert codes == [250] * 50
    assert over == TOO_MANY
    assert data == TOO_MANY
    assert retried[0] == 250
    assert len(backend.submissions) == 1
    assert backend.last.recipients == tuple(addresses[:50])


async def test_smtplib_sendmail_over_the_limit_sends_nothing(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    def conversation() -> None:
        with logged_in(listeners) as client:
            client.sendmail("sender@example.com", [f"r{i}@example.net" for i in range(60)], MESSAGE)

    with pytest.raises(smtplib.SMTPDataError) as raised:
        await in_thread(conversation)
    assert (raised.value.smtp_code, raised.value.smtp_error) == TOO_MANY
    assert backend.submissions == []


async def test_declared_size_over_the_limit_552(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    def conversation() -> list[tuple[int, bytes]]:
        with logged_in(listeners) as client:
            return [
                client.docmd("MAIL", "FROM:<sender@example.com> SIZE=41943041"),
                client.docmd("MAIL", "FROM:<sender@example.com> SIZE=41943040"),
            ]

    assert await in_thread(conversation) == [(552, b"Message is too long."), (250, b"Ok")]


async def test_actual_size_over_the_limit_552_even_when_size_lied(
    backend: FakeSmtpBackend, tls_dir: Path
) -> None:
    body = b"x" * 998 + b"\r\n"
    big = MESSAGE + body * 12  # about 12 kB against a 10,000-byte limit

    async with await start(backend, tls_dir, max_message_size=10_000) as listeners:

        def conversation() -> tuple[str, tuple[int, bytes], tuple[int, bytes]]:
            with logged_in(listeners) as client:
                size = client.esmtp_features["size"]
                assert client.docmd("MAIL", "FROM:<sender@example.com> SIZE=100")[0] == 250
                assert client.rcpt("rcpt@example.net")[0] == 250
                too_big = client.data(big)
                return size, too_big, transaction(client, MESSAGE)

        size, too_big, small = await in_thread(conversation)
    assert size == "10000"
    assert too_big == (552, b"Message is too long.")
    assert small[0] == 250
    assert [submission.data for submission in backend.submissions] == [MESSAGE]


async def test_body_8bitmime_is_accepted(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    def conversation() -> tuple[int, bytes]:
        with logged_in(listeners) as client:
            assert client.mail("sender@example.com", ["BODY=8BITMIME"]) == (250, b"Ok")
            assert client.rcpt("rcpt@example.net")[0] == 250
            return client.data(MESSAGE)

    assert (await in_thread(conversation))[0] == 250
    assert backend.last.mail_from == "sender@example.com"


async def test_smtputf8_is_refused(listeners: SmtpListeners) -> None:
    def conversation() -> tuple[int, bytes]:
        with logged_in(listeners) as client:
            return client.docmd("MAIL", "FROM:<sender@example.com> SMTPUTF8")

    code, _ = await in_thread(conversation)
    assert code == 501
