"""The dates and ids OpenSES writes into messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openses.domain.messages import message_id, message_id_header, rfc5322_date

ZONES = [UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=13, minutes=45))]


@settings(max_examples=500)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(ZONES),
    )
)
def test_rfc5322_date_is_format_datetime_in_utc(now: datetime) -> None:
    assert rfc5322_date(now) == format_datetime(now.astimezone(UTC))


@pytest.mark.parametrize(
    "now",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 2, 29, 0, 0, tzinfo=UTC),
        datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
        datetime(2025, 3, 4, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # the day before
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ]
    + [datetime(2025, 1, day, tzinfo=UTC) for day in range(1, 8)]  # every weekday
    + [datetime(2025, month, 1, tzinfo=UTC) for month in range(1, 13)],  # every month
)
def test_rfc5322_date_on_edges(now: datetime) -> None:
    assert rfc5322_date(now) == format_datetime(now.astimezone(UTC))


def test_message_ids() -> None:
    now = datetime(2025, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)
    value = message_id(now, "0f8fad5b-d9cb-469f-a165-70867728950e")
    assert value == "010001955f8c0993-0f8fad5b-d9cb-469f-a165-70867728950e-000000"
    assert message_id_header(value, "us-east-1") == f"<{value}@email.amazonses.com>"
    assert message_id_header(value, "eu-west-1") == f"<{value}@eu-west-1.amazonses.com>"
