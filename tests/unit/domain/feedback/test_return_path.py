"""The per-message return path and recovering the message id from addresses and headers."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openses.domain.feedback import (
    is_message_id,
    message_id_from_header,
    message_id_from_return_path,
    return_path,
)
from openses.domain.messages import message_id

MID = "0100018e9a3b2c1d-1b2c3d4e-5f60-4718-89ab-cdef01234567-000000"
DOMAIN = "bounces.openses.example"


def test_build() -> None:
    assert return_path(MID, DOMAIN) == f"{MID}@{DOMAIN}"
    assert return_path(MID.upper(), "Bounces.OpenSES.example.") == f"{MID}@Bounces.OpenSES.example"


@pytest.mark.parametrize(
    ("mid", "domain"),
    [
        ("not-an-id", DOMAIN),
        (MID + "x", DOMAIN),
        (MID, ""),
        (MID, "bad domain"),
        (MID, "a..b"),
        (MID, "evil@example"),
    ],
)
def test_build_refuses(mid: str, domain: str) -> None:
    with pytest.raises(ValueError, match="not"):
        return_path(mid, domain)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (f"{MID}@{DOMAIN}", MID),
        (f"<{MID}@{DOMAIN}>", MID),
        (f"  <{MID}@{DOMAIN}>  ", MID),
        (f"{MID}@BOUNCES.OPENSES.EXAMPLE", MID),
        (f"{MID}@{DOMAIN}.", MID),
        (f"{MID.upper()}@{DOMAIN}", MID),
        (f"{MID}@other.example", None),
        (f"{MID}@sub.{DOMAIN}", None),
        (f"{MID}@{DOMAIN}x", None),
        (f"{MID}+tag@{DOMAIN}", None),
        (f'"{MID}"@{DOMAIN}', None),
        (f"x{MID}@{DOMAIN}", None),
        (f"{MID[:-1]}1@{DOMAIN}", None),  # the suffix must be -000000
        (f"{MID.replace('-', '_')}@{DOMAIN}", None),
        (f"0100018e9a3b2c1g-1b2c3d4e-5f60-4718-89ab-cdef01234567-000000@{DOMAIN}", None),
        (f"0100018e9a3b2c1-1b2c3d4e-5f60-4718-89ab-cdef01234567-000000@{DOMAIN}", None),
        (f"{MID}@", None),
        (MID, None),
        ("", None),
        (f"postmaster@{DOMAIN}", None),
        (f"{MID}@{DOMAIN}@{DOMAIN}", None),
    ],
)
def test_recover(address: str, expected: str | None) -> None:
    assert message_id_from_return_path(address, DOMAIN) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"<{MID}@email.amazonses.com>", MID),
        (f"<{MID}@us-west-2.amazonses.com>", MID),
        (f" <{MID}@email.amazonses.com> ", MID),
        (f"{MID}@email.amazonses.com", MID),
        (f"<{MID.upper()}@email.amazonses.com>", MID),
        ("<custom-message-ID@example.com>", None),
        (f"<x{MID}@email.amazonses.com>", None),
        (f"<{MID}>", None),
        ("", None),
    ],
)
def test_from_header(value: str, expected: str | None) -> None:
    assert message_id_from_header(value) == expected


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1)), st.uuids())
def test_round_trip_with_our_own_ids(when: datetime, unique: UUID) -> None:
    mid = message_id(when.replace(tzinfo=UTC), str(unique))
    assert is_message_id(mid)
    assert message_id_from_return_path(return_path(mid, DOMAIN), DOMAIN) == mid
    assert message_id_from_header(f"<{mid}@email.amazonses.com>") == mid
