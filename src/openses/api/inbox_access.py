"""Who may open the web inbox from a browser (docs/decisions/0015-web-inbox.md).

The outbox's rule holds (``allowed`` in ``api/admin.py``: loopback callers, or
``Authorization: Bearer <admin token>``), with two additions a browser needs:

- **A session cookie** for operators on other machines, who cannot make a browser send a
  bearer header: posting the admin token to the sign-in form sets ``openses_inbox`` =
  ``<expiry>.<HMAC-SHA256(admin token, expiry)>`` (HttpOnly, SameSite=Strict, Secure over
  HTTPS, path ``/_openses/inbox``, 12 hours). Nothing is stored server-side; changing the token
  ends every session. The form is refused unless its ``Origin`` is the inbox's own.
- **A Host check for loopback callers**, against DNS rebinding: a web page whose name an
  attacker points at 127.0.0.1 reaches a loopback listener from the victim's own browser, as a
  loopback caller. Pages are served to a loopback caller only when its ``Host`` names this
  machine (``localhost``, ``*.localhost``, a loopback address) or the ``--public-url`` host.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime
from urllib.parse import urlsplit

SESSION_COOKIE = "openses_inbox"
SESSION_PATH = "/_openses/inbox"
SESSION_SECONDS = 12 * 3600
_PURPOSE = b"openses web inbox session\n"


def session_value(admin_token: str, expires: int) -> str:
    """The cookie value of a session ending at ``expires`` (epoch seconds)."""
    mac = hmac.new(admin_token.encode(), _PURPOSE + str(expires).encode(), hashlib.sha256)
    return f"{expires}.{mac.hexdigest()}"


def new_session(admin_token: str, now: datetime) -> str:
    return session_value(admin_token, int(now.timestamp()) + SESSION_SECONDS)


def session_valid(admin_token: str | None, cookie: str | None, now: datetime) -> bool:
    """Whether ``cookie`` is a session this server's token signed and that has not expired;
    compared in constant time."""
    if not admin_token or not cookie:
        return False
    expires_text, _, _ = cookie.partition(".")
    if not expires_text.isascii() or not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expected = session_value(admin_token, int(expires_text))
    if not hmac.compare_digest(cookie.encode(), expected.encode()):
        return False
    return int(expires_text) > now.timestamp()


def token_matches(admin_token: str | None, given: str) -> bool:
    """Whether the sign-in form was given the admin token (constant time)."""
    if not admin_token:
        return False
    return hmac.compare_digest(given.encode(), admin_token.encode())


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without its port, lower-cased (``[::1]:80`` → ``::1``)."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    name, colon, port = value.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        value = name
    return value.rstrip(".")


def names_this_machine(host_header: str | None, public_url: str) -> bool:
    """Whether a loopback caller's ``Host`` names this machine or the public URL's host (a
    request without ``Host`` comes from no browser, and passes)."""
    if host_header is None:
        return True
    name = host_name(host_header)
    if name == "localhost" or name.endswith(".localhost") or is_loopback(name):
        return True
    public = urlsplit(public_url).hostname
    return public is not None and name == public.lower().rstrip(".")


def same_origin(origin: str | None, scheme: str, host_header: str | None) -> bool:
    """Whether a form post's ``Origin`` is the origin it was posted to (a post without one,
    or with ``null``, is refused: browsers send it on every POST)."""
    if not origin or not host_header or origin == "null":
        return False
    return origin.lower().rstrip("/") == f"{scheme}://{host_header}".lower()
