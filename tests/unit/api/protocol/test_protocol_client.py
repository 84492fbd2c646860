"""Real botocore clients talking to our codecs in-process: success and error, every protocol."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openses.api.protocol import AwsError, modelled_error
from tests.unit.api.protocol.protocol_oracle import in_process_client, service


class Recorder:
    """A handler that records what it was called with and answers a fixed result or error."""

    def __init__(self, result: dict[str, Any] | None = None, error: AwsError | None = None):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.result = result or {}
        self.error = error

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, params))
        if self.error is not None:
            raise self.error
        return self.result


def strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_ses_send_email_through_a_real_client() -> None:
    handler = Recorder({"MessageId": "m-1"})
    client = in_process_client("ses", handler)
    params = {
        "Source": "s@example.com",
        "Destination": {"ToAddresses": ["r@example.net"], "CcAddresses": []},
        "Message": {"Subject": {"Data": "S"}, "Body": {"Text": {"Data": "B"}}},
        "Tags": [{"Name": "n", "Value": "v"}],
    }
    assert strip(client.send_email(**params)) == {"MessageId": "m-1"}
    assert handler.calls == [("SendEmail", params)]


def test_ses_send_raw_email_blob_through_a_real_client() -> None:
    handler = Recorder({"MessageId": "m-2"})
    client = in_process_client("ses", handler)
    client.send_raw_email(RawMessage={"Data": b"\x00\xff\r\n"})
    assert handler.calls == [("SendRawEmail", {"RawMessage": {"Data": b"\x00\xff\r\n"}})]


def test_sesv2_identity_policy_through_a_real_client() -> None:
    handler = Recorder({"Policies": {"p": "{}"}, "IdentityType": "EMAIL_ADDRESS"})
    client = in_process_client("sesv2", handler)
    response = client.get_email_identity(EmailIdentity="user+tag@example.com")
    assert strip(response) == {"Policies": {"p": "{}"}, "IdentityType": "EMAIL_ADDRESS"}
    assert handler.calls == [("GetEmailIdentity", {"EmailIdentity": "user+tag@example.com"})]


def test_sesv2_query_string_members_through_a_real_client() -> None:
    handler = Recorder({"SuppressedDestinationSummaries": [], "NextToken": "n"})
    client = in_process_client("sesv2", handler)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    client.list_suppressed_destinations(Reasons=["BOUNCE"], StartDate=start, PageSize=5)
    assert handler.calls == [
        ("ListSuppressedDestinations", {"Reasons": ["BOUNCE"], "StartDate": start, "PageSize": 5})
    ]


def test_iam_and_sts_through_real_clients() -> None:
    created = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    key = {"UserName": "bob", "AccessKeyId": "AKIA1", "Status": "Active",
           "SecretAccessKey": "s", "CreateDate": created}  # fmt: skip
    iam = in_process_client("iam", Recorder({"AccessKey": key}))
    assert strip(iam.create_access_key(UserName="bob")) == {"AccessKey": key}
    identity = {"UserId": "AIDA1", "Account": "123456789012", "Arn": "arn:aws:iam::1:user/b"}
    sts = in_process_client("sts", Recorder(identity))
    assert strip(sts.get_caller_identity()) == identity


def test_query_modelled_error_becomes_the_clients_modelled_exception() -> None:
    error = modelled_error(service("ses"), "MessageRejected", "Email address is not verified.")
    client = in_process_client("ses", Recorder(error=error))
    with pytest.raises(client.exceptions.MessageRejected) as caught:
        client.send_raw_email(RawMessage={"Data": b"x"})
    assert caught.value.response["Error"] == {
        "Type": "Sender",
        "Code": "MessageRejected",
        "Message": "Email address is not verified.",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_query_modelled_error_fields_reach_the_client() -> None:
    error = modelled_error(service("ses"), "TemplateDoesNotExistException", "no", TemplateName="t")
    client = in_process_client("ses", Recorder(error=error))
    with pytest.raises(client.exceptions.TemplateDoesNotExistException) as caught:
        client.get_template(TemplateName="t")
    assert caught.value.response["TemplateName"] == "t"


def test_rest_json_modelled_error_becomes_the_clients_modelled_exception() -> None:
    error = modelled_error(service("sesv2"), "NotFoundException", "Email identity x not found.")
    client = in_process_client("sesv2", Recorder(error=error))
    with pytest.raises(client.exceptions.NotFoundException) as caught:
        client.get_email_identity(EmailIdentity="x")
    assert caught.value.response["Error"]["Message"] == "Email identity x not found."
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_iam_error_through_a_real_client() -> None:
    error = modelled_error(service("iam"), "NoSuchEntityException", "The user bob cannot be found.")
    client = in_process_client("iam", Recorder(error=error))
    with pytest.raises(client.exceptions.NoSuchEntityException) as caught:
        client.get_user(UserName="bob")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_validation_error_reaches_the_client_when_its_own_validation_is_off() -> None:
    handler = Recorder({"MessageId": "never"})
    client = in_process_client("ses", handler, validate=False)
    with pytest.raises(ClientError) as caught:
        client.send_email(Source="s@example.com")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert caught.value.response["Error"]["Message"] == (
        "2 validation errors detected: "
        "Value null at 'destination' failed to satisfy constraint: Member must not be null; "
        "Value null at 'message' failed to satisfy constraint: Member must not be null"
    )
    assert handler.calls == []
