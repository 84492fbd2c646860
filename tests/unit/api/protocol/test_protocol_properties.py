"""Property tests: random valid inputs and results round-trip through botocore and our codecs."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.api.protocol.protocol_oracle import (
    botocore_reads,
    operation,
    round_trip_request,
    serialize_result,
)
from tests.unit.api.protocol.shape_strategies import for_shape

REQUESTS = [
    ("ses", "SendEmail"),
    ("ses", "SendRawEmail"),
    ("ses", "SendBulkTemplatedEmail"),
    ("ses", "SetIdentityNotificationTopic"),
    ("ses", "CreateReceiptRule"),
    ("iam", "CreateUser"),
    ("iam", "ListAccessKeys"),
    ("sns", "Publish"),
    ("sdb", "BatchPutAttributes"),
    ("sesv2", "SendEmail"),
    ("sesv2", "CreateEmailIdentity"),
    ("sesv2", "CreateEmailIdentityPolicy"),
    ("sesv2", "PutEmailIdentityDkimSigningAttributes"),
    ("sesv2", "ListSuppressedDestinations"),
    ("sesv2", "CreateContact"),
]

RESPONSES = [
    ("ses", "GetIdentityVerificationAttributes"),
    ("ses", "GetSendStatistics"),
    ("ses", "DescribeReceiptRuleSet"),
    ("iam", "ListUsers"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("sts", "AssumeRole"),
    ("sns", "ListSubscriptions"),
    ("sdb", "Select"),
    ("sesv2", "GetEmailIdentity"),
    ("sesv2", "GetAccount"),
    ("sesv2", "GetConfigurationSet"),
    ("sesv2", "ListSuppressedDestinations"),
]

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(("service", "name"), REQUESTS)
@PROPERTY
@given(data=st.data())
def test_random_valid_requests_read_back_exactly(service: str, name: str, data: Any) -> None:
    shape = operation(service, name).input_shape
    assert shape is not None
    params = data.draw(for_shape(shape), label="params")
    parsed = round_trip_request(service, name, params)
    assert parsed.params == params


@pytest.mark.parametrize(("service", "name"), RESPONSES)
@PROPERTY
@given(data=st.data())
def test_random_results_read_back_exactly_by_botocore(service: str, name: str, data: Any) -> None:
    shape = operation(service, name).output_shape
    assert shape is not None
    result = data.draw(for_shape(shape, xml_safe=True), label="result")
    assert botocore_reads(service, name, serialize_result(service, name, result)) == result
