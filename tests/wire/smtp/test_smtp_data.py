"""DATA: the exact bytes reach the backend, and every service error gets SES's reply."""

from __future__ import annotations

import logging

import pytest

from openses.services.errors import (
    AccessDenied,
    InvalidParameter,
    LimitExceeded,
    MessageRejected,
    MessageTooLarge,
    NotFound,
    SendingPaused,
    Throttled,
)
from openses.smtp import SmtpListeners
from tests.wire.smtp.support import (
    MESSAGE,
    MESSAGE_ID,
    NOW,
    USER,
    FakeSmtpBackend,
    in_thread,
    logged_in,
    transaction,
)

DENIED = (
    "User `arn:aws:iam::123456789012:user/delegate' is not authorized to perform "
    "`ses:SendRawEmail' on resource `arn:aws:ses:us-east-1:888888888888:identity/example.com'"
)
UNVERIFIED = (
    "Email address is not verified. The following identities failed the check in region "
    "US-WEST-2: sender@example.com"
)


async def test_backend_gets_exact_bytes_envelope_and_call(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    message = (
        b"From: sender@example.com\r\n"
        b"To: a@example.net\r\n"
        b"Subject: =?utf-8?q?caf=C3=A9?=\r\n"
        b"X-SES-SOURCE-ARN: arn:aws:ses:us-west-2:888888888888:identity/example.com\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"caf\xc3\xa9 \xe2\x82\xac and a raw latin-1 byte \xe9\r\n"
        b".a line that starts with a dot\r\n"
        b"..two dots\r\n"
        b".\tdot-tab\r\n"
        b"trailing spaces   \r\n"
        b"\r\n"
        b"\r\n"
    )
    recipients = ["a@example.net", "b@example.org"]

    def conversation() -> tuple[int, bytes]:
        with logged_in(listeners) as client:
            assert client.mail("sender@example.com", ["BODY=8BITMIME"])[0] == 250
            for recipient in recipients:
                assert client.rcpt(recipient)[0] == 250
            return client.data(message)

    assert await in_thread(conversation) == (250, f"Ok {MESSAGE_ID}".encode())
    submission = backend.last
    assert submission.data == message
    assert submission.mail_from == "sender@example.com"
    assert submission.recipients == tuple(recipients)
    assert submission.call.principal == USER
    assert submission.call.now == NOW
    assert submission.call.user_agent is None


async def test_several_messages_on_one_connection(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    second = MESSAGE.replace(b"hello", b"again")

    def conversation() -> list[tuple[int, bytes]]:
        with logged_in(listeners) as client:
            return [transaction(client, MESSAGE), transaction(client, second)]

    assert [code for code, _ in await in_thread(conversation)] == [250, 250]
    assert [submission.data for submission in backend.submissions] == [MESSAGE, second]


@pytest.mark.parametrize(
    ("error", "reply"),
    [
        pytest.param(AccessDenied(DENIED), f"554 Access denied: {DENIED}", id="access-denied"),
        pytest.param(
            MessageRejected(UNVERIFIED), f"554 Message rejected: {UNVERIFIED}", id="rejected"
        ),
        pytest.param(
            InvalidParameter("Duplicate header 'From'."),
            "554 Transaction failed: Duplicate header 'From'.",
            id="invalid-parameter",
        ),
        pytest.param(
            SendingPaused("Sending paused for this account."),
            "554 Message rejected: Sending paused for this account.",
            id="sending-paused",
        ),
        pytest.param(
            Throttled("Maximum sending rate exceeded.", daily=False),
            "454 Throttling failure: Maximum sending rate exceeded",
            id="rate",
        ),
        pytest.param(
            Throttled("Daily message quota exceeded.", daily=True),
            "454 Throttling failure: Daily message quota exceeded",
            id="daily",
        ),
        pytest.param(
            MessageTooLarge("Message length is more than 40 MB"),
            "552 Message is too long.",
            id="too-large",
        ),
    ],
)
async def test_service_errors_get_ses_replies(
    listeners: SmtpListeners, backend: FakeSmtpBackend, error: Exception, reply: str
) -> None:
    backend.error = error

    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with logged_in(listeners) as client:
            failed = transaction(client, MESSAGE)
            backend.error = None
            return failed, transaction(client, MESSAGE)  # the session goes on

    failed, retried = await in_thread(conversation)
    code, text = reply.split(" ", 1)
    assert failed == (int(code), text.encode())
    assert retried[0] == 250
    assert len(backend.submissions) == 2


async def test_a_multiline_message_stays_one_reply_line(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    backend.error = MessageRejected("first line\r\n250 Ok injected")

    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with logged_in(listeners) as client:
            return transaction(client, MESSAGE), client.noop()

    failed, noop = await in_thread(conversation)
    assert failed == (554, b"Message rejected: first line 250 Ok injected")
    assert noop[0] == 250


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(RuntimeError("database password is hunter2"), id="crash"),
        pytest.param(NotFound("no such thing"), id="unmapped-service-error"),
        pytest.param(LimitExceeded("too many"), id="limit"),
    ],
)
async def test_unexpected_errors_are_451_and_logged(
    listeners: SmtpListeners,
    backend: FakeSmtpBackend,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    backend.error = error

    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with logged_in(listeners) as client:
            return transaction(client, MESSAGE), client.noop()

    with caplog.at_level(logging.ERROR, logger="openses.smtp"):
        failed, noop = await in_thread(conversation)
    assert failed == (451, b"Temporary service failure")
    assert noop[0] == 250
    logged = [record for record in caplog.records if record.name == "openses.smtp.handler"]
    assert logged
    assert logged[0].exc_info is not None
    assert logged[0].exc_info[1] is error
