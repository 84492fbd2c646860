"""``--service-dkim-domain`` / ``-selector`` / ``-key`` (and their ``OPENSES_*`` variables):
off unless a domain is given, names checked, the selector and key only with a domain."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from openses.config import (
    ConfigError,
    ServiceDkimSettings,
    add_serve_arguments,
    serve_settings,
)


def parse(args: list[str], env: dict[str, str] | None = None) -> ServiceDkimSettings | None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return serve_settings(parser.parse_args(args), env or {}).delivery.service_dkim


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        pytest.param([], {}, None, id="default-off"),
        pytest.param(
            ["--service-dkim-domain", "Mail.Platform.Example."],
            {},
            ServiceDkimSettings("mail.platform.example", "openses", None),
            id="domain-normalized",
        ),
        pytest.param(
            [],
            {
                "OPENSES_SERVICE_DKIM_DOMAIN": "mail.platform.example",
                "OPENSES_SERVICE_DKIM_SELECTOR": "s2026.eu",
                "OPENSES_SERVICE_DKIM_KEY": "/etc/openses/dkim.pem",
            },
            ServiceDkimSettings("mail.platform.example", "s2026.eu", Path("/etc/openses/dkim.pem")),
            id="variables",
        ),
        pytest.param(
            ["--service-dkim-domain", "flag.example"],
            {"OPENSES_SERVICE_DKIM_DOMAIN": "variable.example"},
            ServiceDkimSettings("flag.example"),
            id="flag-wins",
        ),
    ],
)
def test_the_setting(
    args: list[str], env: dict[str, str], expected: ServiceDkimSettings | None
) -> None:
    assert parse(args, env) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--service-dkim-domain", "localhost"],
            "--service-dkim-domain must be a DNS domain name",
            id="one-label",
        ),
        pytest.param(
            ["--service-dkim-domain", "bad..example"],
            "--service-dkim-domain must be a DNS domain name",
            id="empty-label",
        ),
        pytest.param(
            ["--service-dkim-domain", "ok.example", "--service-dkim-selector", "no_underscores"],
            "--service-dkim-selector must be a DNS domain name",
            id="bad-selector",
        ),
        pytest.param(
            ["--service-dkim-selector", "s1"],
            "need --service-dkim-domain",
            id="selector-without-domain",
        ),
        pytest.param(
            ["--service-dkim-key", "/k.pem"], "need --service-dkim-domain", id="key-without-domain"
        ),
    ],
)
def test_refused(args: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse(args)
