"""The web inbox's access rules: session cookies, the Host guard, the Origin check, downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openses.api.inbox import download_name
from openses.api.inbox_access import (
    SESSION_SECONDS,
    host_name,
    names_this_machine,
    new_session,
    same_origin,
    session_valid,
    session_value,
    token_matches,
)

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
TOKEN = "s3cret-admin-token"
VALID = new_session(TOKEN, NOW)
EXPIRY = int(NOW.timestamp()) + SESSION_SECONDS


@pytest.mark.parametrize(
    ("token", "cookie", "at", "valid"),
    [
        (TOKEN, VALID, NOW, True),
        (TOKEN, VALID, NOW + timedelta(seconds=SESSION_SECONDS - 1), True),
        (TOKEN, VALID, NOW + timedelta(seconds=SESSION_SECONDS), False),  # expired
        ("another-token", VALID, NOW, False),  # the token changed: sessions end
        (None, VALID, NOW, False),  # no token configured: no sessions at all
        ("", VALID, NOW, False),
        (TOKEN, None, NOW, False),
        (TOKEN, "", NOW, False),
        (TOKEN, VALID[:-1] + ("0" if VALID[-1] != "0" else "1"), NOW, False),  # tampered
        (TOKEN, session_value(TOKEN, EXPIRY)[:20], NOW, False),  # truncated
        (TOKEN, f"{EXPIRY + 10**6}.{VALID.partition('.')[2]}", NOW, False),  # extended
        (TOKEN, TOKEN, NOW, False),  # the token itself is not a session
        (TOKEN, "٣٣٣.abc", NOW, False),  # non-ASCII digits
        (TOKEN, "9" * 40 + ".x", NOW, False),
        (TOKEN, "garbage", NOW, False),
    ],
    ids=["fresh", "last-second", "expired", "token-changed", "no-token", "empty-token",
         "no-cookie", "empty-cookie", "tampered", "truncated", "extended", "raw-token",
         "arabic-digits", "huge-expiry", "garbage"],
)  # fmt: skip
def test_session_cookie(token: str | None, cookie: str | None, at: datetime, valid: bool) -> None:
    assert session_valid(token, cookie, at) is valid


def test_the_session_cookie_does_not_carry_the_token() -> None:
    assert TOKEN not in VALID


@pytest.mark.parametrize(
    ("configured", "given", "matches"),
    [(TOKEN, TOKEN, True), (TOKEN, TOKEN + " ", False), (TOKEN, "", False), (None, "", False),
     (TOKEN, "ü", False)],
    ids=["same", "trailing-space", "empty", "none-configured", "non-ascii"],
)  # fmt: skip
def test_token_matches(configured: str | None, given: str, matches: bool) -> None:
    assert token_matches(configured, given) is matches


@pytest.mark.parametrize(
    ("host", "name"),
    [("localhost:8025", "localhost"), ("[::1]:8025", "::1"), ("[::1]", "::1"),
     ("Example.COM.", "example.com"), ("127.0.0.1", "127.0.0.1"), ("::1", "::1")],
)  # fmt: skip
def test_host_name(host: str, name: str) -> None:
    assert host_name(host) == name


@pytest.mark.parametrize(
    ("host", "public_url", "local"),
    [
        ("localhost:8025", "http://127.0.0.1:8025", True),
        ("app.localhost:8025", "http://127.0.0.1:8025", True),
        ("127.0.0.1:8025", "http://127.0.0.1:8025", True),
        ("127.8.9.10", "http://127.0.0.1:8025", True),
        ("[::1]:8025", "http://127.0.0.1:8025", True),
        ("openses.internal:8025", "https://OpenSES.internal", True),
        (None, "http://127.0.0.1:8025", True),
        ("evil.example:8025", "http://127.0.0.1:8025", False),  # a rebound name
        ("localhost.evil.example", "http://127.0.0.1:8025", False),
        ("10.0.0.5:8025", "http://127.0.0.1:8025", False),
        ("", "http://127.0.0.1:8025", False),
    ],
    ids=["localhost", "dot-localhost", "ipv4", "loopback-range", "ipv6", "public-url",
         "no-host", "rebound", "suffix-trick", "lan-address", "empty"],
)  # fmt: skip
def test_loopback_callers_must_name_this_machine(
    host: str | None, public_url: str, local: bool
) -> None:
    assert names_this_machine(host, public_url) is local


@pytest.mark.parametrize(
    ("origin", "scheme", "host", "same"),
    [
        ("http://127.0.0.1:8025", "http", "127.0.0.1:8025", True),
        ("HTTPS://Inbox.Example", "https", "inbox.example", True),
        ("http://evil.example", "http", "127.0.0.1:8025", False),
        ("http://127.0.0.1:8026", "http", "127.0.0.1:8025", False),
        ("https://127.0.0.1:8025", "http", "127.0.0.1:8025", False),
        ("null", "http", "127.0.0.1:8025", False),
        (None, "http", "127.0.0.1:8025", False),
        ("http://127.0.0.1:8025", "http", None, False),
    ],
    ids=["same", "case", "other-site", "other-port", "other-scheme", "null", "missing",
         "no-host"],
)  # fmt: skip
def test_the_sign_in_form_must_come_from_the_inbox(
    origin: str | None, scheme: str, host: str | None, same: bool
) -> None:
    assert same_origin(origin, scheme, host) is same


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        (None, 'attachment; filename="attachment-3"'),
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        ('a"b\r\nSet-Cookie: x=1.txt',
         "attachment; filename=\"a_b_Set-Cookie_ x_1.txt\"; "
         "filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%3D1.txt"),
        ("✓.png", "attachment; filename=\"_.png\"; filename*=UTF-8''%E2%9C%93.png"),
        ("...", "attachment; filename=\"attachment-3\"; filename*=UTF-8''..."),
    ],
    ids=["unnamed", "plain", "header-injection", "non-ascii", "only-dots"],
)  # fmt: skip
def test_download_names_cannot_break_the_header(filename: str | None, disposition: str) -> None:
    assert download_name(filename, 3) == disposition
    assert "\r" not in disposition
    assert "\n" not in disposition
