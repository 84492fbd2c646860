"""Where the Ed25519 key of Easy DKIM lives among the three token slots, and where a key-length
change puts the new RSA key while it is there (``domain/dkim/slots.py``).

Keys are stand-in strings here (``R…`` is RSA, ``E…`` Ed25519), read by ``kind``; one test
reads real PEM keys.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.dkim import PrivateKey, private_key_pem
from openses.domain.dkim.keys import KeyAlgorithm
from openses.domain.dkim.settings import (
    DkimSettings,
    easy_dkim,
    external_dkim,
    key_length_problem,
    replica_dkim,
    rotated,
    switch_only,
)
from openses.domain.dkim.slots import (
    ed25519_placement,
    ed25519_slot,
    rotation_slot,
    with_ed25519,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
H = timedelta(hours=1)
TOKENS = ("t0", "t1", "t2")
BASE = switch_only("1", "us-east-1", "example.com", True, T0)


def kind(pem: str) -> KeyAlgorithm:
    return KeyAlgorithm.ED25519_SHA256 if pem.startswith("E") else KeyAlgorithm.RSA_SHA256


def easy(keys: tuple[str | None, ...], active: int, made: datetime = T0) -> DkimSettings:
    return replace(
        easy_dkim(BASE, TOKENS, "R0", 2048, T0),
        private_keys=keys,
        active=active,
        key_generated_at=made,
    )


# ------------------------------------------------------------------------ which slot is it


@pytest.mark.parametrize(
    ("settings", "slot"),
    [
        pytest.param(easy(("R0", None, None), 0), None, id="rsa-only"),
        pytest.param(easy(("R0", None, "E"), 0), 2, id="ed25519-in-2"),
        pytest.param(easy(("R1", "E", "R0"), 0), 1, id="ed25519-between-rsa"),
        pytest.param(easy(("E", "R0", None), 0), None, id="active-slot-never-counts"),
        pytest.param(external_dkim(BASE, "sel", "E", T0), None, id="byodkim-is-not-easy-dkim"),
    ],
)
def test_ed25519_slot(settings: DkimSettings, slot: int | None) -> None:
    assert ed25519_slot(settings, kind) == slot


def test_real_keys_are_told_apart_by_their_pem(keys: dict[str, PrivateKey]) -> None:
    rsa_pem, ed_pem = private_key_pem(keys["rsa1024"]), private_key_pem(keys["ed25519"])
    assert ed25519_slot(easy((rsa_pem, rsa_pem, ed_pem), 1)) == 2
    assert ed25519_slot(easy((rsa_pem, None, rsa_pem), 0)) is None
    placed = with_ed25519(easy((rsa_pem, None, None), 0), ed_pem, T0 + H)
    assert placed.private_keys == (rsa_pem, ed_pem, None)


# -------------------------------------------------------------------- where a new one goes


@pytest.mark.parametrize(
    ("settings", "at", "slot"),
    [
        pytest.param(easy(("R0", None, None), 0), T0, 1, id="fresh-setup-lowest-empty"),
        pytest.param(easy(("R0", "R1", None), 1), T0, 2, id="after-one-change"),
        pytest.param(easy((None, "R1", "R0"), 1), T0, 0, id="empty-slot-before-active"),
        pytest.param(easy(("R0", "R1", "R2"), 1), T0 + 23 * H, None, id="full-young"),
        pytest.param(easy(("R0", "R1", "R2"), 1), T0 + 24 * H, 2, id="full-a-day-old"),
        pytest.param(easy(("R0", "R1", "R2"), 2), T0 + 30 * H, 0, id="full-wraps-around"),
        pytest.param(easy(("R0", "E", None), 0), T0, None, id="already-has-one"),
        pytest.param(external_dkim(BASE, "sel", "R", T0), T0, None, id="byodkim"),
        pytest.param(replica_dkim(BASE, "eu-west-1", T0), T0, None, id="replica"),
        pytest.param(BASE, T0, None, id="switch-only"),
    ],
)
def test_ed25519_placement(settings: DkimSettings, at: datetime, slot: int | None) -> None:
    assert ed25519_placement(settings, at, kind) == slot


def test_with_ed25519_fills_the_slot_or_changes_nothing() -> None:
    fresh = easy(("R0", None, None), 0)
    placed = with_ed25519(fresh, "E", T0 + H, kind)
    assert placed.private_keys == ("R0", "E", None)
    assert (placed.active, placed.selectors, placed.updated_at) == (0, TOKENS, T0 + H)
    assert placed.current_key_length == fresh.current_key_length
    full = easy(("R0", "R1", "R2"), 1)
    assert with_ed25519(full, "E", T0 + H, kind) is full
    assert with_ed25519(placed, "E2", T0 + H, kind) is placed  # one at most


# ------------------------------------------------------------------ key-length changes


@pytest.mark.parametrize(
    ("settings", "at", "slot"),
    [
        pytest.param(easy(("R0", None, None), 0), T0, 1, id="no-ed25519-next-slot"),
        pytest.param(easy(("R0", "R1", "R2"), 2), T0, 0, id="no-ed25519-wraps"),
        pytest.param(easy(("R0", "E", None), 0), T0, 2, id="skips-ed25519-into-empty"),
        pytest.param(easy(("R1", "E", "R0"), 0), T0 + 24 * H, 2, id="overwrites-day-old-rsa"),
        pytest.param(easy(("R0", "R1", "E"), 0), T0 + 25 * H, 1, id="ed25519-after-active"),
        pytest.param(
            easy(("R1", "E", "R0"), 0), T0 + 23 * H, 1, id="fresh-rsa-kept-ed25519-overwritten"
        ),
    ],
)
def test_rotation_slot(settings: DkimSettings, at: datetime, slot: int) -> None:
    assert rotation_slot(settings, at, kind) == slot


def test_rotated_into_the_given_slot() -> None:
    settings = easy(("R0", "E", None), 0)
    changed = rotated(settings, "R1", 1024, T0 + H, slot=rotation_slot(settings, T0 + H, kind))
    assert (changed.private_keys, changed.active) == (("R0", "E", "R1"), 2)
    assert (changed.current_key_length, changed.key_generated_at) == (1024, T0 + H)
    assert rotated(settings, "R1", 1024, T0 + H).private_keys == ("R0", "R1", None)


# ------------------------------------------------------- the rules over long histories


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["change", "ensure"]), st.integers(min_value=0, max_value=50)),
        max_size=40,
    ),
    at_setup=st.booleans(),
)
def test_histories_keep_rsa_keys_a_day_and_ed25519_out_of_the_active_slot(
    steps: list[tuple[str, int]], at_setup: bool
) -> None:
    """Whatever key-length changes SES allows and whenever keys are asked for: the active key
    is RSA, there is at most one Ed25519 key, and a retired RSA key stays published at least a
    day after it stopped signing."""
    now = T0
    state = easy_dkim(BASE, TOKENS, "R0", 2048, now)
    made = 0
    if at_setup:
        state = with_ed25519(state, "E0", now, kind)
    retired: dict[str, datetime] = {}
    for action, hours in steps:
        now += hours * H
        before = state
        if action == "ensure":
            made += 1
            state = with_ed25519(state, f"E{made}", now, kind)
        else:
            bits = 1024 if state.current_key_length == 2048 else 2048
            if key_length_problem(state, bits, now) is not None:
                continue
            made += 1
            active_key = state.signing_key
            assert active_key is not None
            state = rotated(state, f"R{made}", bits, now, slot=rotation_slot(state, now, kind))
            retired[active_key] = now
        for old, new in zip(before.private_keys, state.private_keys, strict=True):
            if old is not None and old != new and kind(old) is KeyAlgorithm.RSA_SHA256:
                assert now - retired[old] >= 24 * H, (old, retired[old], now)
        assert state.signing_key is not None
        assert kind(state.signing_key) is KeyAlgorithm.RSA_SHA256
        assert sum(1 for key in state.private_keys if key and key.startswith("E")) <= 1
