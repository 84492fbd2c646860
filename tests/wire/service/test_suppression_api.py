"""The account-level suppression list and its settings, over boto3 (SES v2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from openses.domain.feedback_settings import Suppression, SuppressionReason
from tests.support.openses_server import Running

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def error_of(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def stored(openses: Running, key: AccessKey, *entries: tuple[str, str, float]) -> None:
    """Entries as the feedback side adds them: with their own times, message and feedback ids."""

    async def put() -> None:
        async with openses.application.store.transaction() as tx:
            for address, reason, minutes in entries:
                await tx.put_suppression(
                    Suppression(
                        key.account_id,
                        "us-east-1",
                        address,
                        SuppressionReason(reason),
                        T0 + timedelta(minutes=minutes),
                        message_id=f"0100-{address}",
                        feedback_id=f"feedback-{address}",
                    )
                )

    openses.run(put())


def listed(sesv2: Any, **params: Any) -> list[str]:
    found = sesv2.list_suppressed_destinations(**params)["SuppressedDestinationSummaries"]
    return [entry["EmailAddress"] for entry in found]


def test_put_get_and_delete(openses: Running) -> None:
    sesv2 = openses.client("sesv2", openses.new_account(production=True))
    before = datetime.now(UTC) - timedelta(seconds=1)
    sesv2.put_suppressed_destination(EmailAddress=" Reader@Example.COM ", Reason="BOUNCE")
    found = sesv2.get_suppressed_destination(EmailAddress="Reader@example.com")
    entry = found["SuppressedDestination"]
    assert (entry["EmailAddress"], entry["Reason"]) == ("Reader@example.com", "BOUNCE")
    assert before <= entry["LastUpdateTime"] <= datetime.now(UTC) + timedelta(seconds=1)
    assert "Attributes" not in entry  # added by hand
    sesv2.put_suppressed_destination(EmailAddress="Reader@example.com", Reason="COMPLAINT")
    again = sesv2.get_suppressed_destination(EmailAddress="Reader@EXAMPLE.com")
    assert again["SuppressedDestination"]["Reason"] == "COMPLAINT"
    # the local part keeps its case: a different spelling is a different entry
    assert error_of(sesv2.get_suppressed_destination, EmailAddress="reader@example.com") == (
        "NotFoundException",
        "Email address reader@example.com does not exist on your suppression list.",
    )
    sesv2.delete_suppressed_destination(EmailAddress="Reader@example.com")
    assert error_of(sesv2.delete_suppressed_destination, EmailAddress="Reader@example.com") == (
        "NotFoundException",
        "Email address Reader@example.com does not exist on your suppression list.",
    )
    assert listed(sesv2) == []


def test_entries_added_by_feedback_say_which_message(openses: Running) -> None:
    key = openses.new_account()
    stored(openses, key, ("bounced@example.net", "BOUNCE", 0))
    sesv2 = openses.client("sesv2", key)
    entry = sesv2.get_suppressed_destination(EmailAddress="bounced@example.net")[
        "SuppressedDestination"
    ]
    assert entry["Attributes"] == {
        "MessageId": "0100-bounced@example.net",
        "FeedbackId": "feedback-bounced@example.net",
    }
    assert entry["LastUpdateTime"] == T0


def test_bad_requests(openses: Running) -> None:
    sandboxed = openses.client("sesv2", openses.new_account())
    code, message = error_of(
        sandboxed.put_suppressed_destination, EmailAddress="a@example.com", Reason="BOUNCE"
    )
    assert code == "BadRequestException"
    assert "production access" in message
    sesv2 = openses.client("sesv2", openses.new_account(production=True))
    for address in ("not-an-address", "@example.com", "a b@example.com"):
        code, message = error_of(
            sesv2.put_suppressed_destination, EmailAddress=address, Reason="BOUNCE"
        )
        assert (code, message) == ("BadRequestException", f"Invalid email address <{address}>.")
    code, _ = error_of(
        sesv2.put_suppressed_destination, EmailAddress="a@example.com", Reason="SPAM"
    )
    assert code == "BadRequestException"
    code, message = error_of(
        sesv2.put_suppressed_destination,
        EmailAddress="a@example.com",
        Reason="BOUNCE",
        TenantName="tenant",
    )
    assert (code, message) == ("BadRequestException", "Tenants are not supported by OpenSES.")
    assert listed(sesv2) == []


def test_listing_filters_and_pages(openses: Running) -> None:
    key = openses.new_account()
    stored(
        openses,
        key,
        ("c@example.com", "BOUNCE", 0),
        ("a@example.com", "COMPLAINT", 10),
        ("b@example.com", "BOUNCE", 10),
        ("d@example.com", "BOUNCE", 20),
    )
    sesv2 = openses.client("sesv2", key)
    assert listed(sesv2) == ["c@example.com", "a@example.com", "b@example.com", "d@example.com"]
    assert listed(sesv2, Reasons=["COMPLAINT"]) == ["a@example.com"]
    assert listed(sesv2, Reasons=["BOUNCE", "COMPLAINT"]) == listed(sesv2)
    assert listed(sesv2, StartDate=T0 + timedelta(minutes=5)) == [
        "a@example.com",
        "b@example.com",
        "d@example.com",
    ]
    assert listed(sesv2, EndDate=T0 + timedelta(minutes=10), Reasons=["BOUNCE"]) == [
        "c@example.com",
        "b@example.com",
    ]
    pages, token = [], None
    while True:
        answer = sesv2.list_suppressed_destinations(
            PageSize=3, **({"NextToken": token} if token else {})
        )
        pages.append([e["EmailAddress"] for e in answer["SuppressedDestinationSummaries"]])
        token = answer.get("NextToken")
        if token is None:
            break
    assert pages == [["c@example.com", "a@example.com", "b@example.com"], ["d@example.com"]]
    assert error_of(sesv2.list_suppressed_destinations, NextToken="garbage!") == (
        "InvalidNextTokenException",
        "The NextToken provided is invalid.",
    )
    for size in (0, 1001):
        code, _ = error_of(sesv2.list_suppressed_destinations, PageSize=size)
        assert code == "BadRequestException"


def test_lists_belong_to_one_account_and_region(openses: Running) -> None:
    key, other = openses.new_account(production=True), openses.new_account(production=True)
    east = openses.client("sesv2", key)
    east.put_suppressed_destination(EmailAddress="x@example.com", Reason="BOUNCE")
    west = openses.client("sesv2", key, region="us-west-2")
    assert listed(west) == []
    code, _ = error_of(west.get_suppressed_destination, EmailAddress="x@example.com")
    assert code == "NotFoundException"
    assert listed(openses.client("sesv2", other)) == []
    assert listed(east) == ["x@example.com"]


def test_suppression_attributes(openses: Running) -> None:
    key = openses.new_account()
    sesv2 = openses.client("sesv2", key)

    def reasons(client: Any = sesv2) -> list[str]:
        found: list[str] = client.get_account()["SuppressionAttributes"]["SuppressedReasons"]
        return found

    assert reasons() == ["BOUNCE", "COMPLAINT"]  # on for both, as for new SES accounts
    sesv2.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT"])
    assert reasons() == ["COMPLAINT"]
    sesv2.put_account_suppression_attributes(SuppressedReasons=[])  # off
    assert reasons() == []
    assert reasons(openses.client("sesv2", key, region="eu-west-1")) == ["BOUNCE", "COMPLAINT"]
    sesv2.put_account_suppression_attributes(SuppressedReasons=["BOUNCE", "COMPLAINT", "BOUNCE"])
    assert reasons() == ["BOUNCE", "COMPLAINT"]
    code, message = error_of(
        sesv2.put_account_suppression_attributes,
        SuppressedReasons=["BOUNCE"],
        ValidationAttributes={"ConditionThreshold": {"ConditionThresholdEnabled": "ENABLED"}},
    )
    assert code == "BadRequestException"
    assert "ValidationAttributes" in message
    assert reasons() == ["BOUNCE", "COMPLAINT"]
