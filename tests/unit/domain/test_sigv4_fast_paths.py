"""The shortcuts of :mod:`openses.domain.sigv4` answer exactly as the general code they skip.

Each shortcut is pinned to a reference (the general code path, or the plain definition it
stands for) over hand-picked edge cases and generated inputs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain import sigv4
from openses.domain.sigv4 import (
    AMZ_DATE_FORMAT,
    amz_time,
    canonical_headers,
    canonical_query,
    canonical_uri,
    parse_authorization,
)

PROPERTY = settings(max_examples=300, deadline=None)


# ----------------------------------------------------------------------------- amz_time


def strptime_reading(text: str) -> datetime | None:
    if re.fullmatch(r"[0-9]{8}T[0-9]{6}Z", text) is None:
        return None
    try:
        return datetime.strptime(text, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def test_amz_time_reads_every_boundary_as_strptime() -> None:
    parts = itertools.product(
        ["0000", "0001", "1900", "2000", "2023", "2024", "9999"],
        ["00", "01", "02", "04", "12", "13", "99"],
        ["00", "01", "28", "29", "30", "31", "32"],
        ["00", "09", "23", "24", "25", "99"],
        ["00", "59", "60"],
        ["00", "59", "60", "61"],
    )
    for year, month, day, hour, minute, second in parts:
        text = f"{year}{month}{day}T{hour}{minute}{second}Z"
        got, expected = amz_time(text), strptime_reading(text)
        assert got == expected, text
        assert got is None or got.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "20260101T120000",
        "20260101T120000z",
        "20260101t120000Z",
        "2026-01-01T12:00:00Z",
        "20260101T120000+0000",
        "20260101T1200000Z",
        "\u0662\u0660\u0662\u06660101T120000Z",
        " 20260101T120000Z",
        "20260101T120000Z\n",
    ],
)
def test_amz_time_refuses_other_shapes(text: str) -> None:
    assert amz_time(text) is None
    assert strptime_reading(text) is None


@PROPERTY
@given(text=st.from_regex(r"[0-9]{8}T[0-9]{6}Z", fullmatch=True))
def test_generated_amz_dates_read_as_strptime(text: str) -> None:
    assert amz_time(text) == strptime_reading(text)


# ------------------------------------------------------------------ signed headers


@pytest.mark.parametrize(
    "signed",
    [
        "host;x-amz-date",
        "Host;X-Amz-Date",
        "HOST;CONTENT-TYPE",
        "host;x-ÄBC",
        "host;ΣΑΣ;x",
        "host;İ",
    ],
)
def test_signed_headers_are_lower_cased_one_by_one(signed: str) -> None:
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ses/aws4_request, "
        f"SignedHeaders={signed}, Signature=" + "ab" * 32
    )
    info = parse_authorization(
        (("Host", "h"), ("X-Amz-Date", "20260101T120000Z"), ("Authorization", authorization))
    )
    assert info.signed_headers == tuple(name.lower() for name in signed.split(";"))


# ------------------------------------------------------------------ canonical forms


def regex_canonical_headers(headers: Sequence[tuple[str, str]], signed: Sequence[str]) -> str:
    """The definition: every value's whitespace runs collapsed by the regex, then trimmed."""
    values: dict[str, list[str]] = {name: [] for name in signed}
    for name, value in headers:
        found = values.get(name.lower())
        if found is not None:
            found.append(re.sub(r"\s+", " ", value, flags=re.ASCII).strip())
    return "".join(f"{name}:{','.join(values[name])}\n" for name in signed)


HEADER_VALUES = [
    "plain",
    " padded ",
    "a  b",
    "a \t b",
    "a\tb",
    "line\r\n folded",
    "x\x0by\x0cz",
    "\u00a0nbsp\u00a0",
    "a\u2003b",
    "a\x1cb",
    "a\x85b",
    "",
    "   ",
    "é  è",
]


@pytest.mark.parametrize("value", HEADER_VALUES)
def test_header_values_are_trimmed_as_the_definition_says(value: str) -> None:
    headers = (("Host", "h"), ("X-Custom", value), ("x-custom", value[::-1]))
    signed = ("host", "x-custom")
    assert canonical_headers(headers, signed) == regex_canonical_headers(headers, signed)


@PROPERTY
@given(value=st.text(alphabet=st.sampled_from(" \t\r\n\x0b\x0c\x1c\x85\u00a0\u2003ab"), max_size=8))
def test_generated_header_values_are_trimmed_as_the_definition_says(value: str) -> None:
    headers = (("Host", "h"), ("X-Custom", value))
    signed = ("host", "x-custom")
    assert canonical_headers(headers, signed) == regex_canonical_headers(headers, signed)


def test_root_path_and_empty_query_are_their_own_canonical_forms() -> None:
    assert canonical_uri("/") == quote(sigv4._remove_dot_segments("/"), safe="/~") == "/"
    assert canonical_query("") == ""
