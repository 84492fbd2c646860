"""Settings for ``openses serve`` and the operator commands, read once at start.

Every option is a command-line flag and an ``OPENSES_*`` environment variable (the flag wins);
nothing else in the code reads the environment.

| flag | variable | default |
| --- | --- | --- |
| ``--data-dir DIR`` | ``OPENSES_DATA_DIR`` | ``./openses-data`` (embedded SQLite) |
| ``--database-url URL`` | ``OPENSES_DATABASE_URL`` | unset: SQLite in the data dir |
| ``--http HOST:PORT`` | ``OPENSES_HTTP`` | ``127.0.0.1:8025`` |
| ``--public-url URL`` | ``OPENSES_PUBLIC_URL`` | ``http://<--http>`` |
| ``--dns-resolver HOST:PORT`` | ``OPENSES_DNS_RESOLVER`` | the system resolver |
| ``--admin-token TOKEN`` | ``OPENSES_ADMIN_TOKEN`` | unset: ``/_openses`` only from loopback |
| ``--verification-sender ADDR`` | ``OPENSES_VERIFICATION_SENDER`` | ``no-reply@openses.invalid`` |
| ``--domain-check-interval S`` | ``OPENSES_DOMAIN_CHECK_INTERVAL`` | ``60`` seconds |

First start on an empty store creates an account and prints its root credentials once, unless
``OPENSES_ROOT_ACCOUNT_ID`` / ``OPENSES_ROOT_ACCESS_KEY_ID`` / ``OPENSES_ROOT_SECRET_ACCESS_KEY``
fix them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HTTP = "127.0.0.1:8025"
DEFAULT_SMTP = "127.0.0.1:2587"  # STARTTLS, like SES's port 2587
DEFAULT_SMTPS = "127.0.0.1:2465"  # implicit TLS, like SES's port 2465
OFF = "off"


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the flag."""


@dataclass(frozen=True, slots=True)
class HostPort:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, flag: str) -> HostPort:
        host, colon, port = text.rpartition(":")
        if not colon or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ConfigError(f"{flag} must be HOST:PORT, not {text!r}")
        return cls(host.strip("[]") or "127.0.0.1", int(port))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class StoreSettings:
    data_dir: Path
    database_url: str | None


@dataclass(frozen=True, slots=True)
class RootCredentials:
    account_id: str | None
    access_key_id: str | None
    secret_access_key: str | None


@dataclass(frozen=True, slots=True)
class ServeSettings:
    store: StoreSettings
    http: HostPort
    public_url: str
    dns_resolver: HostPort | None
    admin_token: str | None
    verification_sender: str
    domain_check_interval: float
    root: RootCredentials
    smtp: HostPort | None = None  # STARTTLS submission listener
    smtps: HostPort | None = None  # implicit-TLS submission listener
    tls_cert: Path | None = None  # both or neither; a self-signed pair is made when neither
    tls_key: Path | None = None


def _pick(args: argparse.Namespace, env: Mapping[str, str], name: str) -> str | None:
    value = getattr(args, name, None)
    if value is not None:
        return str(value)
    return env.get(f"OPENSES_{name.upper()}")


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="directory of the embedded SQLite store")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL, e.g. postgresql://postgres@127.0.0.1:5432/test"
    )


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_arguments(parser)
    parser.add_argument("--http", help=f"HOST:PORT of the AWS API (default {DEFAULT_HTTP})")
    parser.add_argument("--public-url", help="base URL of links the service hands out")
    parser.add_argument("--dns-resolver", help="HOST:PORT of the DNS server for verification")
    parser.add_argument("--admin-token", help="token that opens /_openses to non-loopback callers")
    parser.add_argument("--verification-sender", help="From address of verification messages")
    parser.add_argument(
        "--domain-check-interval", type=float, help="seconds between pending-domain checks"
    )
    parser.add_argument(
        "--smtp", help=f"HOST:PORT of the STARTTLS SMTP interface (default {DEFAULT_SMTP}, or off)"
    )
    parser.add_argument(
        "--smtps", help=f"HOST:PORT of the implicit-TLS SMTP interface (default {DEFAULT_SMTPS})"
    )
    parser.add_argument("--tls-cert", help="PEM certificate for SMTP TLS (default: self-signed)")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")


def store_settings(args: argparse.Namespace, env: Mapping[str, str]) -> StoreSettings:
    data_dir = Path(_pick(args, env, "data_dir") or "openses-data")
    return StoreSettings(data_dir=data_dir, database_url=_pick(args, env, "database_url"))


def serve_settings(args: argparse.Namespace, env: Mapping[str, str]) -> ServeSettings:
    http = HostPort.parse(_pick(args, env, "http") or DEFAULT_HTTP, "--http")
    resolver_text = _pick(args, env, "dns_resolver")
    interval_text = _pick(args, env, "domain_check_interval") or "60"
    try:
        interval = float(interval_text)
    except ValueError:
        raise ConfigError(
            f"--domain-check-interval must be a number, not {interval_text!r}"
        ) from None
    if interval <= 0:
        raise ConfigError("--domain-check-interval must be positive")
    public_url = _pick(args, env, "public_url") or f"http://{http}"
    tls_cert, tls_key = _pick(args, env, "tls_cert"), _pick(args, env, "tls_key")
    if (tls_cert is None) != (tls_key is None):
        raise ConfigError("--tls-cert and --tls-key go together: give both or neither")
    return ServeSettings(
        store=store_settings(args, env),
        http=http,
        public_url=public_url.rstrip("/"),
        dns_resolver=HostPort.parse(resolver_text, "--dns-resolver") if resolver_text else None,
        admin_token=_pick(args, env, "admin_token"),
        verification_sender=_pick(args, env, "verification_sender") or "no-reply@openses.invalid",
        domain_check_interval=interval,
        root=RootCredentials(
            account_id=env.get("OPENSES_ROOT_ACCOUNT_ID"),
            access_key_id=env.get("OPENSES_ROOT_ACCESS_KEY_ID"),
            secret_access_key=env.get("OPENSES_ROOT_SECRET_ACCESS_KEY"),
        ),
        smtp=_listener(_pick(args, env, "smtp") or DEFAULT_SMTP, "--smtp"),
        smtps=_listener(_pick(args, env, "smtps") or DEFAULT_SMTPS, "--smtps"),
        tls_cert=Path(tls_cert) if tls_cert else None,
        tls_key=Path(tls_key) if tls_key else None,
    )


def _listener(text: str, flag: str) -> HostPort | None:
    return None if text.strip().lower() == OFF else HostPort.parse(text, flag)
