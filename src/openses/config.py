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
| ``--roles LIST`` | ``OPENSES_ROLES`` | ``api,smtp,worker`` (what this process runs) |
| ``--delivery MODE`` | ``OPENSES_DELIVERY`` | ``capture`` (or ``smarthost``, ``direct``) |
| ``--smarthost HOST:PORT`` | ``OPENSES_SMARTHOST`` | unset (needed by ``smarthost``) |
| ``--smarthost-tls MODE`` | ``OPENSES_SMARTHOST_TLS`` | ``starttls`` (or ``tls``, ``none``) |
| ``--smarthost-user U`` | ``OPENSES_SMARTHOST_USER`` | unset: no AUTH |
| ``--smarthost-password P`` | ``OPENSES_SMARTHOST_PASSWORD`` | unset |
| ``--mx-port PORT`` | ``OPENSES_MX_PORT`` | ``25`` (``direct`` delivery's SMTP port) |
| ``--helo-name NAME`` | ``OPENSES_HELO_NAME`` | ``openses.localhost`` |
| ``--bounce-domain NAME`` | ``OPENSES_BOUNCE_DOMAIN`` | ``bounces.openses.invalid`` |
| ``--feedback-smtp HOST:PORT`` | ``OPENSES_FEEDBACK_SMTP`` | ``127.0.0.1:2525`` (or ``off``) |
| ``--delivery-poll S`` | ``OPENSES_DELIVERY_POLL`` | ``0.25`` seconds between idle polls |
| ``--delivery-lease S`` | ``OPENSES_DELIVERY_LEASE`` | ``300`` seconds a worker holds a job |
| ``--feedback-mx HOST`` | ``OPENSES_FEEDBACK_MX`` | ``feedback-smtp.{region}.openses.test`` |
| ``--sns-signing-key FILE`` | ``OPENSES_SNS_SIGNING_KEY`` | a pair made in ``<data-dir>/sns/`` |
| ``--sns-signing-cert FILE`` | ``OPENSES_SNS_SIGNING_CERT`` | (with the key: both or neither) |
| ``--dkim-zone NAME`` | ``OPENSES_DKIM_ZONE`` | ``dkim.openses.test`` (where DKIM CNAMEs point) |
| ``--dns HOST:PORT`` | ``OPENSES_DNS`` | ``off``: the DKIM zone's DNS server (UDP and TCP) |
| ``--dkim-ed25519`` | ``OPENSES_DKIM_ED25519`` | off: Easy DKIM also signs with Ed25519 |
| ``--service-dkim-domain NAME`` | ``OPENSES_SERVICE_DKIM_DOMAIN`` | off (service signature) |
| ``--service-dkim-selector S`` | ``OPENSES_SERVICE_DKIM_SELECTOR`` | ``openses`` |
| ``--service-dkim-key FILE`` | ``OPENSES_SERVICE_DKIM_KEY`` | a key made in ``<data-dir>/dkim/`` |

First start on an empty store creates an account and prints its root credentials once, unless
``OPENSES_ROOT_ACCOUNT_ID`` / ``OPENSES_ROOT_ACCESS_KEY_ID`` / ``OPENSES_ROOT_SECRET_ACCESS_KEY``
fix them.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openses.domain.feedback_settings import DEFAULT_FEEDBACK_MX

DEFAULT_HTTP = "127.0.0.1:8025"
DEFAULT_SMTP = "127.0.0.1:2587"  # STARTTLS, like SES's port 2587
DEFAULT_SMTPS = "127.0.0.1:2465"  # implicit TLS, like SES's port 2465
OFF = "off"
DEFAULT_DKIM_ZONE = "dkim.openses.test"  # .test never resolves publicly: deployments set their own
DEFAULT_SERVICE_DKIM_SELECTOR = "openses"


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


ROLES = ("api", "smtp", "worker")
DELIVERY_MODES = ("capture", "smarthost", "direct")
SMARTHOST_TLS = ("starttls", "tls", "none")
DEFAULT_FEEDBACK_SMTP = "127.0.0.1:2525"


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How accepted mail leaves (``capture`` keeps it in the outbox) and where feedback comes in."""

    mode: str = "capture"
    smarthost: HostPort | None = None
    smarthost_tls: str = "starttls"
    smarthost_user: str | None = None
    smarthost_password: str | None = None
    mx_port: int = 25
    helo_name: str = "openses.localhost"
    bounce_domain: str = "bounces.openses.invalid"
    feedback_smtp: HostPort | None = None
    poll: float = 0.25
    lease: float = 300.0  # seconds; a dead worker's jobs are taken over after this
    # The service's own DKIM signature and Feedback-ID on outgoing mail (None: off).
    service_dkim: ServiceDkimSettings | None = None


@dataclass(frozen=True, slots=True)
class ServiceDkimSettings:
    """The operator's signing domain, as SES signs with ``d=amazonses.com`` (``key_file`` None:
    a key made in the data directory on first start)."""

    domain: str
    selector: str = DEFAULT_SERVICE_DKIM_SELECTOR
    key_file: Path | None = None


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
    roles: frozenset[str] = frozenset(ROLES)
    delivery: DeliverySettings = DeliverySettings()
    # The MX host custom MAIL FROM domains must name; ``{region}`` is the identity's region.
    feedback_mx: str = DEFAULT_FEEDBACK_MX
    # The RSA key and certificate that sign SNS messages; both or neither (then made on start).
    sns_signing_key: Path | None = None
    sns_signing_cert: Path | None = None
    # The DNS zone whose ``<token>.<zone>`` TXT records publish Easy DKIM keys, and where this
    # process answers for it (None: it does not; another node or a DNS server of yours does).
    dkim_zone: str = DEFAULT_DKIM_ZONE
    dns: HostPort | None = None
    # Easy DKIM signs with an Ed25519 key too (a second signature, after the RSA one).
    dkim_ed25519: bool = False


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
    parser.add_argument("--roles", help="what this process runs: api,smtp,worker (default all)")
    parser.add_argument("--delivery", help="capture (default), smarthost or direct")
    parser.add_argument("--smarthost", help="HOST:PORT of the relay for --delivery smarthost")
    parser.add_argument("--smarthost-tls", help="starttls (default), tls or none")
    parser.add_argument("--smarthost-user", help="AUTH user name at the smarthost")
    parser.add_argument("--smarthost-password", help="AUTH password at the smarthost")
    parser.add_argument("--mx-port", type=int, help="SMTP port of direct delivery (default 25)")
    parser.add_argument("--helo-name", help="the name outbound SMTP sessions greet with")
    parser.add_argument("--bounce-domain", help="domain of the per-message return paths")
    parser.add_argument(
        "--feedback-smtp",
        help=f"HOST:PORT taking bounces and complaints (default {DEFAULT_FEEDBACK_SMTP}, or off)",
    )
    parser.add_argument("--delivery-poll", type=float, help="seconds between idle queue polls")
    parser.add_argument(
        "--delivery-lease", type=float, help="seconds a worker holds a job (default 300)"
    )
    parser.add_argument(
        "--feedback-mx",
        help="the MX host custom MAIL FROM domains must name; {region} is replaced "
        f"(default {DEFAULT_FEEDBACK_MX})",
    )
    parser.add_argument("--sns-signing-key", help="PEM RSA key signing SNS messages")
    parser.add_argument("--sns-signing-cert", help="PEM certificate of --sns-signing-key")
    parser.add_argument(
        "--dkim-zone",
        help=f"DNS zone publishing Easy DKIM public keys (default {DEFAULT_DKIM_ZONE})",
    )
    parser.add_argument("--dns", help="HOST:PORT to serve the DKIM zone on, UDP and TCP (or off)")
    parser.add_argument(
        "--dkim-ed25519",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Easy DKIM also signs with an Ed25519 key, after the RSA signature (default off)",
    )
    add_service_dkim_arguments(parser)


def add_service_dkim_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--service-dkim-domain",
        help="sign all outgoing mail with this domain too and add Feedback-ID (default off)",
    )
    parser.add_argument(
        "--service-dkim-selector",
        help=f"selector of the service signature (default {DEFAULT_SERVICE_DKIM_SELECTOR})",
    )
    parser.add_argument(
        "--service-dkim-key", help="PEM private key of the service signature (default: made)"
    )


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
    sns_key, sns_cert = _pick(args, env, "sns_signing_key"), _pick(args, env, "sns_signing_cert")
    if (sns_key is None) != (sns_cert is None):
        raise ConfigError(
            "--sns-signing-key and --sns-signing-cert go together: give both or neither"
        )
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
        roles=_roles(_pick(args, env, "roles")),
        delivery=delivery_settings(args, env),
        feedback_mx=_feedback_mx(_pick(args, env, "feedback_mx")),
        sns_signing_key=Path(sns_key) if sns_key else None,
        sns_signing_cert=Path(sns_cert) if sns_cert else None,
        dkim_zone=_dkim_zone(_pick(args, env, "dkim_zone")),
        dns=_listener(_pick(args, env, "dns") or OFF, "--dns"),
        dkim_ed25519=_switch(args, env, "dkim_ed25519"),
    )


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _switch(args: argparse.Namespace, env: Mapping[str, str], name: str) -> bool:
    """A boolean option: the flag (``--x`` / ``--no-x``) if given, else its variable."""
    given = getattr(args, name, None)
    if given is not None:
        return bool(given)
    text = env.get(f"OPENSES_{name.upper()}", "").strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    flag = "--" + name.replace("_", "-")
    raise ConfigError(f"OPENSES_{name.upper()} ({flag}) must be true or false, not {text!r}")


def _dkim_zone(text: str | None) -> str:
    return _dns_name(text or DEFAULT_DKIM_ZONE, "--dkim-zone", min_labels=2)


def _dns_name(text: str, flag: str, *, min_labels: int) -> str:
    name = text.strip().lower().removesuffix(".")
    labels = name.split(".")
    if len(name) > 200 or len(labels) < min_labels or not all(_is_label(x) for x in labels):
        raise ConfigError(f"{flag} must be a DNS domain name, not {text!r}")
    return name


def _is_label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and label.isascii()
        and label.replace("-", "").isalnum()
        and not label.startswith("-")
        and not label.endswith("-")
    )


def _feedback_mx(text: str | None) -> str:
    host = (text or DEFAULT_FEEDBACK_MX).strip().lower().removesuffix(".")
    if not host or any(c.isspace() or c in "/@:" for c in host):
        raise ConfigError(f"--feedback-mx must be a host name, not {text!r}")
    return host


def _roles(text: str | None) -> frozenset[str]:
    if text is None:
        return frozenset(ROLES)
    roles = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(roles - set(ROLES))
    if unknown or not roles:
        raise ConfigError(f"--roles takes a list of {', '.join(ROLES)}, not {text!r}")
    return roles


def _choice(value: str | None, choices: tuple[str, ...], default: str, flag: str) -> str:
    chosen = (value or default).strip().lower()
    if chosen not in choices:
        raise ConfigError(f"{flag} must be one of {', '.join(choices)}, not {value!r}")
    return chosen


def _positive(text: str | None, default: float, flag: str) -> float:
    try:
        value = float(text) if text is not None else default
    except ValueError:
        raise ConfigError(f"{flag} must be a number, not {text!r}") from None
    if value <= 0:
        raise ConfigError(f"{flag} must be positive")
    return value


def delivery_settings(args: argparse.Namespace, env: Mapping[str, str]) -> DeliverySettings:
    mode = _choice(_pick(args, env, "delivery"), DELIVERY_MODES, "capture", "--delivery")
    smarthost_text = _pick(args, env, "smarthost")
    smarthost = HostPort.parse(smarthost_text, "--smarthost") if smarthost_text else None
    if mode == "smarthost" and smarthost is None:
        raise ConfigError("--delivery smarthost needs --smarthost HOST:PORT")
    mx_port = int(_positive(_pick(args, env, "mx_port"), 25, "--mx-port"))
    if mx_port > 65535:
        raise ConfigError("--mx-port must be a port number")
    return DeliverySettings(
        mode=mode,
        smarthost=smarthost,
        smarthost_tls=_choice(
            _pick(args, env, "smarthost_tls"), SMARTHOST_TLS, "starttls", "--smarthost-tls"
        ),
        smarthost_user=_pick(args, env, "smarthost_user"),
        smarthost_password=_pick(args, env, "smarthost_password"),
        mx_port=mx_port,
        helo_name=_pick(args, env, "helo_name") or "openses.localhost",
        bounce_domain=(_pick(args, env, "bounce_domain") or "bounces.openses.invalid").lower(),
        feedback_smtp=_listener(
            _pick(args, env, "feedback_smtp") or DEFAULT_FEEDBACK_SMTP, "--feedback-smtp"
        ),
        poll=_positive(_pick(args, env, "delivery_poll"), 0.25, "--delivery-poll"),
        lease=_positive(_pick(args, env, "delivery_lease"), 300, "--delivery-lease"),
        service_dkim=service_dkim_settings(args, env),
    )


def service_dkim_settings(
    args: argparse.Namespace, env: Mapping[str, str]
) -> ServiceDkimSettings | None:
    domain_text = _pick(args, env, "service_dkim_domain")
    selector_text = _pick(args, env, "service_dkim_selector")
    key_text = _pick(args, env, "service_dkim_key")
    if domain_text is None:
        if selector_text is not None or key_text is not None:
            raise ConfigError(
                "--service-dkim-selector and --service-dkim-key need --service-dkim-domain"
            )
        return None
    domain = _dns_name(domain_text, "--service-dkim-domain", min_labels=2)
    selector = _dns_name(
        selector_text or DEFAULT_SERVICE_DKIM_SELECTOR, "--service-dkim-selector", min_labels=1
    )
    return ServiceDkimSettings(domain, selector, Path(key_text) if key_text else None)


def _listener(text: str, flag: str) -> HostPort | None:
    return None if text.strip().lower() == OFF else HostPort.parse(text, flag)
