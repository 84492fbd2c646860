"""SES's rules for DKIM settings: key lengths, checks and their 72 hours, inheritance."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from openses.domain.dkim.settings import (
    DkimSettings,
    DkimStatus,
    easy_dkim,
    effective,
    external_dkim,
    key_length_problem,
    replica_dkim,
    replica_origin,
    replica_region,
    rotated,
    switch_only,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
H = timedelta(hours=1)
TOKENS = ("t1", "t2", "t3")


def easy(bits: int = 2048, **changes: object) -> DkimSettings:
    settings = easy_dkim(
        switch_only("1", "us-east-1", "example.com", True, T0), TOKENS, "K0", bits, T0
    )
    return replace(settings, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "bits", "at", "allowed"),
    [
        pytest.param(easy(2048), 2048, T0, False, id="same-length"),
        pytest.param(easy(2048), 1024, T0, True, id="first-change-downgrade"),
        pytest.param(easy(1024), 2048, T0, True, id="first-change-upgrade"),
        pytest.param(
            easy(1024, length_changed_at=T0, downgraded_at=T0),
            2048,
            T0 + 23 * H,
            False,
            id="second-in-24h",
        ),
        pytest.param(
            easy(1024, length_changed_at=T0, downgraded_at=T0),
            2048,
            T0 + 24 * H,
            True,
            id="after-24h",
        ),
        pytest.param(
            easy(1024, length_changed_at=T0, downgraded_at=None),
            2048,
            T0 + H,
            False,
            id="upgrade-soon-after-a-change",
        ),
        pytest.param(
            easy(2048, length_changed_at=T0),
            1024,
            T0 + H,
            True,
            id="first-downgrade-soon-after-an-upgrade",
        ),
        pytest.param(
            easy(2048, length_changed_at=T0 + 2 * H, downgraded_at=T0),
            1024,
            T0 + 3 * H,
            False,
            id="second-downgrade-in-24h",
        ),
        pytest.param(
            easy(2048, length_changed_at=T0 + 25 * H, downgraded_at=T0),
            1024,
            T0 + 26 * H,
            True,
            id="downgrade-a-day-after-the-last",
        ),
    ],
)
def test_key_length_changes(settings: DkimSettings, bits: int, at: datetime, allowed: bool) -> None:
    assert (key_length_problem(settings, bits, at) is None) is allowed


def test_rotation_moves_to_the_next_token_and_keeps_the_old_key() -> None:
    first = easy(2048)
    assert (first.active, first.signing_selector, first.signing_key) == (0, "t1", "K0")
    second = rotated(first, "K1", 1024, T0 + H)
    assert (second.active, second.signing_selector, second.signing_key) == (1, "t2", "K1")
    assert second.private_keys == ("K0", "K1", None)
    assert (second.current_key_length, second.next_key_length) == (1024, 1024)
    assert second.downgraded_at == second.length_changed_at == second.key_generated_at == T0 + H
    third = rotated(second, "K2", 2048, T0 + 30 * H)
    assert third.private_keys == ("K0", "K1", "K2")
    assert third.downgraded_at == T0 + H  # an upgrade is not a downgrade
    fourth = rotated(third, "K3", 1024, T0 + 60 * H)
    assert (fourth.active, fourth.private_keys) == (0, ("K3", "K1", "K2"))


@pytest.mark.parametrize(
    ("status", "found", "at", "expected"),
    [
        pytest.param(DkimStatus.PENDING, True, T0 + H, DkimStatus.SUCCESS, id="found"),
        pytest.param(DkimStatus.PENDING, False, T0 + H, DkimStatus.PENDING, id="not-yet"),
        pytest.param(DkimStatus.PENDING, None, T0 + H, DkimStatus.TEMPORARY_FAILURE, id="dns-down"),
        pytest.param(
            DkimStatus.TEMPORARY_FAILURE, False, T0 + H, DkimStatus.PENDING, id="dns-back"
        ),
        pytest.param(DkimStatus.PENDING, False, T0 + 72 * H, DkimStatus.FAILED, id="72h-passed"),
        pytest.param(
            DkimStatus.TEMPORARY_FAILURE, None, T0 + 73 * H, DkimStatus.FAILED, id="down-72h"
        ),
        pytest.param(DkimStatus.PENDING, True, T0 + 80 * H, DkimStatus.SUCCESS, id="late-find"),
        pytest.param(DkimStatus.SUCCESS, False, T0 + H, DkimStatus.SUCCESS, id="success-stays"),
        pytest.param(DkimStatus.FAILED, True, T0 + H, DkimStatus.FAILED, id="failed-stays"),
    ],
)
def test_checks(status: DkimStatus, found: bool | None, at: datetime, expected: DkimStatus) -> None:
    checked = easy(status=status).checked(found, at)
    assert checked.status is expected
    if status in (DkimStatus.PENDING, DkimStatus.TEMPORARY_FAILURE):
        assert checked.checked_at == at
    if expected is DkimStatus.SUCCESS and status is not DkimStatus.SUCCESS:
        assert checked.succeeded_at == at


def test_failed_check_restarts_and_pending_runs_out() -> None:
    failed = easy(status=DkimStatus.FAILED)
    restarted = failed.restarted(T0 + 100 * H)
    assert (restarted.status, restarted.check_started_at) == (DkimStatus.PENDING, T0 + 100 * H)
    assert easy().restarted(T0 + H) == easy()
    assert easy().as_of(T0 + 71 * H).status is DkimStatus.PENDING
    assert easy().as_of(T0 + 72 * H).status is DkimStatus.FAILED
    assert easy(status=DkimStatus.SUCCESS).as_of(T0 + 1000 * H).status is DkimStatus.SUCCESS


def test_switching_methods_keeps_the_switch_and_starts_a_check() -> None:
    base = switch_only("1", "us-east-1", "example.com", False, T0)
    external = external_dkim(base, "sel", "PEM", T0 + H)
    assert (external.origin, external.selectors, external.signing_key) == (
        "EXTERNAL",
        ("sel",),
        "PEM",
    )
    assert (external.signing_enabled, external.status) == (False, DkimStatus.PENDING)
    assert external.tokens == ()
    replica = replica_dkim(external, "eu-west-1", T0 + 2 * H)
    assert (replica.origin, replica.replica_of, replica.selectors) == (
        "AWS_SES_EU_WEST_1",
        "eu-west-1",
        (),
    )
    assert replica.check_started_at == T0 + 2 * H


@pytest.mark.parametrize(
    ("origin", "region"),
    [
        ("AWS_SES_US_EAST_1", "us-east-1"),
        ("AWS_SES_AP_SOUTHEAST_5", "ap-southeast-5"),
        ("AWS_SES_US_GOV_WEST_1", "us-gov-west-1"),
        ("AWS_SES", None),
        ("EXTERNAL", None),
        (None, None),
    ],
)
def test_replica_origins(origin: str | None, region: str | None) -> None:
    assert replica_region(origin) == region
    if region is not None:
        assert replica_origin(region) == origin


ADDRESS_ON = switch_only("1", "r", "a@x.example", True, T0)
SUB_OFF = switch_only("1", "r", "x.example", False, T0)
DOMAIN = easy()
DOMAIN_OFF = replace(easy(), signing_enabled=False)


@pytest.mark.parametrize(
    ("chain", "enabled", "holder"),
    [
        pytest.param([], False, None, id="nothing"),
        pytest.param([DOMAIN], True, DOMAIN, id="domain"),
        pytest.param([ADDRESS_ON, DOMAIN_OFF], True, DOMAIN_OFF, id="address-overrides-switch"),
        pytest.param([SUB_OFF, DOMAIN], False, DOMAIN, id="subdomain-switches-off"),
        pytest.param([ADDRESS_ON, SUB_OFF, DOMAIN], True, DOMAIN, id="most-specific-switch"),
        pytest.param([ADDRESS_ON], True, None, id="switch-without-dkim"),
    ],
)
def test_effective(chain: list[DkimSettings], enabled: bool, holder: DkimSettings | None) -> None:
    assert effective(chain) == (enabled, holder)
