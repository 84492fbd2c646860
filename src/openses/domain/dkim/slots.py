"""Which Easy DKIM token slot holds which key when an Ed25519 key signs beside the RSA key
(the operator's ``--dkim-ed25519`` option; RFC 8463).

Easy DKIM has three tokens, each a selector with one key slot (:mod:`.settings`). RSA alone
rotates through all three (:func:`~openses.domain.dkim.settings.rotated`), so a retired key
stays published for two more key-length changes, which is always at least 24 hours. With the
option on, one of the three slots holds an Ed25519 key, which the owner's three CNAMEs already
publish (no new DNS record for the owner):

* the Ed25519 key never takes the active (signing RSA) slot, and there is at most one;
* it goes into an empty slot (the lowest), or, when all three hold keys, into the slot RSA's
  own rotation would overwrite next, once the active key is a day old (every retired key has
  then been out of use for a day);
* a key-length change puts the new RSA key in the slot that is neither active nor Ed25519 (RSA
  alternates between two slots) — unless that slot's key was retired less than a day ago (a
  first downgrade right after another change), when the new RSA key takes the Ed25519 slot: a
  retired RSA key always stays published for a day, and the Ed25519 key is made again later
  by the rule above.

A slot's key type is read from its PEM text by ``algorithm_of`` (:func:`pem_algorithm`, which
loads the key; callers on hot paths pass a cached one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from openses.domain.dkim.keys import KeyAlgorithm, key_algorithm, load_private_key
from openses.domain.dkim.settings import DkimSettings

RETIRED_KEY_KEPT = timedelta(hours=24)
"""How long a retired RSA key stays published at least before its slot takes another key."""

AlgorithmOf = Callable[[str], KeyAlgorithm]


def pem_algorithm(pem: str) -> KeyAlgorithm:
    """The algorithm of a stored (trusted) PEM key."""
    return key_algorithm(load_private_key(pem, trusted=True))


def ed25519_slot(settings: DkimSettings, algorithm_of: AlgorithmOf = pem_algorithm) -> int | None:
    """The Easy DKIM slot holding the Ed25519 key (never the active slot), or None."""
    if not settings.easy:
        return None
    for slot, pem in enumerate(settings.private_keys):
        if (
            slot != settings.active
            and pem is not None
            and algorithm_of(pem) is KeyAlgorithm.ED25519_SHA256
        ):
            return slot
    return None


def ed25519_placement(
    settings: DkimSettings, now: datetime, algorithm_of: AlgorithmOf = pem_algorithm
) -> int | None:
    """The slot a new Ed25519 key may take now: None for settings that are not Easy DKIM or
    already have one, and while every other slot holds a key retired less than a day ago."""
    if not settings.easy or ed25519_slot(settings, algorithm_of) is not None:
        return None
    others = _others(settings)
    empty = sorted(slot for slot in others if settings.private_keys[slot] is None)
    if empty:
        return empty[0]
    if others and _retired_for_a_day(settings, now):
        return others[0]  # the next slot, which RSA's own rotation would overwrite next
    return None


def with_ed25519(
    settings: DkimSettings,
    key_pem: str,
    now: datetime,
    algorithm_of: AlgorithmOf = pem_algorithm,
) -> DkimSettings:
    """``settings`` with the Ed25519 key ``key_pem`` in the slot :func:`ed25519_placement`
    gives; the same settings when it gives none."""
    slot = ed25519_placement(settings, now, algorithm_of)
    if slot is None:
        return settings
    keys = list(settings.private_keys)
    keys[slot] = key_pem
    return replace(settings, private_keys=tuple(keys), updated_at=now)


def rotation_slot(
    settings: DkimSettings, now: datetime, algorithm_of: AlgorithmOf = pem_algorithm
) -> int:
    """The slot the new RSA key of a key-length change goes into while the Ed25519 option is
    on (see the module docstring); with no Ed25519 key, the next slot as without it."""
    ed25519 = ed25519_slot(settings, algorithm_of)
    others = [slot for slot in _others(settings) if slot != ed25519]
    if ed25519 is None or not others:
        return (settings.active + 1) % len(settings.selectors)
    candidate = others[0]
    if settings.private_keys[candidate] is None or _retired_for_a_day(settings, now):
        return candidate
    return ed25519


def _others(settings: DkimSettings) -> list[int]:
    """The slots other than the active one, in rotation order (the next one first)."""
    count = len(settings.selectors)
    return [(settings.active + step) % count for step in range(1, count)]


def _retired_for_a_day(settings: DkimSettings, now: datetime) -> bool:
    """Whether every retired key has been out of use for a day: each was retired when the
    active key was made, or before."""
    made = settings.key_generated_at
    return made is None or now >= made + RETIRED_KEY_KEPT
