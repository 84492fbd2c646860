"""SMTP AUTH as SES does it: only after TLS, access key id + SMTP password, region by password."""

from __future__ import annotations

import base64
import logging
import smtplib

import pytest

from openses.smtp import SmtpListeners
from tests.wire.smtp.support import (
    DEFAULT_REGION,
    INACTIVE_KEY,
    INACTIVE_SECRET,
    MESSAGE,
    MESSAGE_ID,
    ROOT_KEY,
    ROOT_SECRET,
    UNKNOWN_KEY,
    USER,
    USER_KEY,
    USER_SECRET,
    FakeSmtpBackend,
    auth_login,
    auth_plain,
    derive_legacy_smtp_password,
    derive_smtp_password,
    implicit_client,
    in_thread,
    plain_auth,
    starttls_client,
    transaction,
    user_password,
)


async def test_starttls_then_auth_login_then_send(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        with starttls_client(listeners) as client:
            return auth_login(client, USER_KEY, user_password()), transaction(client, MESSAGE)

    auth, sent = await in_thread(conversation)
    assert auth == (235, b"Authentication successful")
    assert sent == (250, f"Ok {MESSAGE_ID}".encode())
    call = backend.last.call
    assert call.principal == USER
    assert call.region == DEFAULT_REGION
    assert call.source_ip == "127.0.0.1"
    assert call.secure_transport is True


async def test_auth_plain_with_and_without_initial_response(listeners: SmtpListeners) -> None:
    def conversation() -> list[tuple[int, bytes]]:
        with starttls_client(listeners) as first, starttls_client(listeners) as second:
            with_initial = auth_plain(first, USER_KEY, user_password())
            code, challenge = second.docmd("AUTH", "PLAIN")
            assert (code, challenge) == (334, b"")
            after_challenge = second.docmd(plain_auth(USER_KEY, user_password()))
            return [with_initial, after_challenge]

    assert await in_thread(conversation) == [(235, b"Authentication successful")] * 2


async def test_smtplib_login_works(listeners: SmtpListeners, backend: FakeSmtpBackend) -> None:
    def conversation() -> dict[str, tuple[int, bytes]]:
        with starttls_client(listeners) as client:
            client.login(ROOT_KEY, derive_smtp_password(ROOT_SECRET, DEFAULT_REGION))
            return client.sendmail("sender@example.com", ["a@example.net"], MESSAGE)

    assert await in_thread(conversation) == {}
    assert backend.last.call.principal.access_key_id == ROOT_KEY


async def test_no_auth_before_starttls(listeners: SmtpListeners, backend: FakeSmtpBackend) -> None:
    assert listeners.starttls_port is not None
    port = listeners.starttls_port

    def conversation() -> tuple[dict[str, str], tuple[int, bytes], tuple[int, bytes]]:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.ehlo("client.test")
            features = dict(client.esmtp_features)
            auth = auth_plain(client, USER_KEY, user_password())
            mail = client.docmd("MAIL", "FROM:<sender@example.com>")
            return features, auth, mail

    features, auth, mail = await in_thread(conversation)
    assert "starttls" in features
    assert "auth" not in features
    assert auth == (530, b"Must issue a STARTTLS command first")
    assert mail == (530, b"Must issue a STARTTLS command first")
    assert backend.keys.lookups == []


async def test_auth_is_advertised_after_starttls_plain_and_login_only(
    listeners: SmtpListeners,
) -> None:
    def conversation() -> dict[str, str]:
        with starttls_client(listeners) as client:
            return dict(client.esmtp_features)

    features = await in_thread(conversation)
    assert sorted(features["auth"].split()) == ["LOGIN", "PLAIN"]
    assert "starttls" not in features


@pytest.mark.parametrize(
    ("user", "password"),
    [
        pytest.param(USER_KEY, derive_smtp_password(ROOT_SECRET, DEFAULT_REGION), id="wrong"),
        pytest.param(USER_KEY, USER_SECRET, id="secret-key-itself"),
        pytest.param(UNKNOWN_KEY, derive_smtp_password(USER_SECRET, DEFAULT_REGION), id="unknown"),
        pytest.param(
            INACTIVE_KEY, derive_smtp_password(INACTIVE_SECRET, DEFAULT_REGION), id="inactive"
        ),
        pytest.param(USER_KEY, "not base64 at all!", id="garbage"),
        pytest.param(USER_KEY, derive_smtp_password(USER_SECRET, "sa-east-1"), id="unknown-region"),
        pytest.param("", derive_smtp_password(USER_SECRET, DEFAULT_REGION), id="empty-user"),
    ],
)
async def test_bad_credentials_get_535(
    listeners: SmtpListeners, backend: FakeSmtpBackend, user: str, password: str
) -> None:
    def conversation() -> tuple[tuple[int, bytes], tuple[int, bytes], tuple[int, bytes]]:
        with starttls_client(listeners) as client:
            plain = auth_plain(client, user, password)
            login = auth_login(client, user, password) if user else plain
            mail = client.docmd("MAIL", "FROM:<sender@example.com>")
            return plain, login, mail

    plain, login, mail = await in_thread(conversation)
    assert plain == (535, b"Authentication Credentials Invalid")
    assert login == (535, b"Authentication Credentials Invalid")
    assert mail == (530, b"Authentication required")
    assert backend.submissions == []


async def test_non_ascii_credentials_get_535(listeners: SmtpListeners) -> None:
    blob = base64.b64encode("\0clé\0pässword".encode()).decode("ascii")

    def conversation() -> tuple[int, bytes]:
        with starttls_client(listeners) as client:
            return client.docmd("AUTH", f"PLAIN {blob}")

    assert await in_thread(conversation) == (535, b"Authentication Credentials Invalid")


async def test_key_lookup_failure_is_a_temporary_auth_failure(
    listeners: SmtpListeners, backend: FakeSmtpBackend, caplog: pytest.LogCaptureFixture
) -> None:
    backend.lookup_error = ConnectionError("database down")

    def conversation() -> tuple[int, bytes]:
        with starttls_client(listeners) as client:
            return auth_plain(client, USER_KEY, user_password())

    with caplog.at_level(logging.ERROR, logger="openses.smtp"):
        assert await in_thread(conversation) == (454, b"Temporary authentication failure")
    assert any(
        record.exc_info for record in caplog.records if record.name == "openses.smtp.session"
    )


@pytest.mark.parametrize(
    ("password", "region"),
    [
        pytest.param(
            derive_smtp_password(USER_SECRET, DEFAULT_REGION), DEFAULT_REGION, id="default"
        ),
        pytest.param(derive_smtp_password(USER_SECRET, "eu-west-1"), "eu-west-1", id="other"),
        pytest.param(derive_smtp_password(USER_SECRET, "us-east-1"), "us-east-1", id="first"),
        pytest.param(derive_legacy_smtp_password(USER_SECRET), DEFAULT_REGION, id="legacy-v2"),
    ],
)
async def test_the_password_selects_the_region(
    listeners: SmtpListeners, backend: FakeSmtpBackend, password: str, region: str
) -> None:
    def conversation() -> tuple[int, bytes]:
        with starttls_client(listeners) as client:
            assert auth_login(client, USER_KEY, password)[0] == 235
            return transaction(client, MESSAGE)

    assert (await in_thread(conversation))[0] == 250
    assert backend.last.call.region == region
    assert backend.last.call.principal == USER


async def test_mail_rcpt_data_before_auth_get_530(
    listeners: SmtpListeners, backend: FakeSmtpBackend
) -> None:
    def conversation() -> list[tuple[int, bytes]]:
        with starttls_client(listeners) as client, implicit_client(listeners) as implicit:
            return [
                client.docmd("MAIL", "FROM:<sender@example.com>"),
                client.docmd("RCPT", "TO:<rcpt@example.net>"),
                client.docmd("DATA"),
                implicit.docmd("MAIL", "FROM:<sender@example.com>"),
            ]

    assert await in_thread(conversation) == [(530, b"Authentication required")] * 4
    assert backend.submissions == []


async def test_second_auth_is_refused(listeners: SmtpListeners) -> None:
    def conversation() -> tuple[int, bytes]:
        with starttls_client(listeners) as client:
            assert auth_plain(client, USER_KEY, user_password())[0] == 235
            return auth_plain(client, ROOT_KEY, derive_smtp_password(ROOT_SECRET, DEFAULT_REGION))

    assert (await in_thread(conversation))[0] == 503


async def test_implicit_tls_port(listeners: SmtpListeners, backend: FakeSmtpBackend) -> None:
    def conversation() -> tuple[dict[str, str], tuple[int, bytes], tuple[int, bytes]]:
        with implicit_client(listeners) as client:
            features = dict(client.esmtp_features)
            auth = auth_login(client, USER_KEY, derive_smtp_password(USER_SECRET, "eu-west-1"))
            return features, auth, transaction(client, MESSAGE)

    features, auth, sent = await in_thread(conversation)
    assert sorted(features["auth"].split()) == ["LOGIN", "PLAIN"]
    assert "starttls" not in features
    assert auth == (235, b"Authentication successful")
    assert sent == (250, f"Ok {MESSAGE_ID}".encode())
    assert backend.last.call.region == "eu-west-1"
    assert backend.last.call.secure_transport is True
    assert backend.last.call.source_ip == "127.0.0.1"


async def test_failed_auth_can_be_retried_on_the_same_connection(
    listeners: SmtpListeners,
) -> None:
    def conversation() -> list[tuple[int, bytes]]:
        with starttls_client(listeners) as client:
            return [
                auth_plain(client, USER_KEY, "wrong"),
                auth_plain(client, USER_KEY, user_password()),
            ]

    assert await in_thread(conversation) == [
        (535, b"Authentication Credentials Invalid"),
        (235, b"Authentication successful"),
    ]
