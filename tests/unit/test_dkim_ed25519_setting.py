"""``--dkim-ed25519`` / ``OPENSES_DKIM_ED25519``: off unless asked for, the flag over the
variable, and a variable that is not a boolean refused naming the option."""

from __future__ import annotations

import argparse

import pytest

from openses.config import ConfigError, add_serve_arguments, serve_settings


def parse(args: list[str], env: dict[str, str]) -> bool:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return serve_settings(parser.parse_args(args), env).dkim_ed25519


@pytest.mark.parametrize(
    ("args", "env", "on"),
    [
        pytest.param([], {}, False, id="default-off"),
        pytest.param(["--dkim-ed25519"], {}, True, id="flag"),
        pytest.param([], {"OPENSES_DKIM_ED25519": "true"}, True, id="variable-true"),
        pytest.param([], {"OPENSES_DKIM_ED25519": " ON "}, True, id="variable-on"),
        pytest.param([], {"OPENSES_DKIM_ED25519": "1"}, True, id="variable-1"),
        pytest.param([], {"OPENSES_DKIM_ED25519": "no"}, False, id="variable-no"),
        pytest.param([], {"OPENSES_DKIM_ED25519": ""}, False, id="variable-empty"),
        pytest.param(
            ["--no-dkim-ed25519"], {"OPENSES_DKIM_ED25519": "yes"}, False, id="flag-wins-off"
        ),
        pytest.param(["--dkim-ed25519"], {"OPENSES_DKIM_ED25519": "0"}, True, id="flag-wins-on"),
    ],
)
def test_the_setting(args: list[str], env: dict[str, str], on: bool) -> None:
    assert parse(args, env) is on


def test_a_variable_that_is_no_boolean_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"OPENSES_DKIM_ED25519 \(--dkim-ed25519\) must be"):
        parse([], {"OPENSES_DKIM_ED25519": "maybe"})
