"""Wire traits our services do not use yet, exercised through other AWS models.

REST-JSON: headers (strings, integers, timestamps, lists, JSON values, prefix maps),
query-string maps, payload members (blob, string, structure) and status-code members.
Query: flattened lists (SimpleDB). Each is checked against botocore's serializer (requests)
and parser (responses).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from openses.api.protocol.headers import split_header_list
from tests.unit.api.protocol.protocol_oracle import (
    botocore_reads,
    round_trip_request,
    serialize_result,
    wire_request,
)

WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "lambda",
        "Invoke",
        {
            "FunctionName": "fn:1",
            "InvocationType": "Event",
            "ClientContext": "e30=",
            "Payload": b'{"a": 1}\x00\xff',
            "Qualifier": "v1",
        },
    ),
    (
        "connect",
        "UpdateUserNotificationStatus",
        {
            "InstanceId": "i",
            "UserId": "u",
            "NotificationId": "n",
            "Status": "READ",
            "LastModifiedTime": WHEN,
        },
    ),
    (
        "entityresolution",
        "BatchDeleteUniqueId",
        {"workflowName": "w", "uniqueIds": ["a", "b,c", "d=e"]},
    ),
    (
        "amp",
        "ListScrapers",
        {"filters": {"status": ["ACTIVE", "CREATING"], "alias": ["x y"]}, "maxResults": 5},
    ),
    (
        "amplifyuibuilder",
        "CreateTheme",
        {
            "appId": "a",
            "environmentName": "e",
            "clientToken": "tok",
            "themeToCreate": {"name": "t", "values": [{"key": "k", "value": {"value": "v"}}]},
        },
    ),
    (
        "dataexchange",
        "SendApiAsset",
        {
            "Body": "hello ü",
            "QueryStringParameters": {"q": "1", "r": "a b"},
            "AssetId": "a",
            "DataSetId": "d",
            "RevisionId": "r",
            "RequestHeaders": {"k": "v"},
            "Method": "PUT",
        },
    ),
    (
        "appconfig",
        "GetHostedConfigurationVersion",
        {"ApplicationId": "a", "ConfigurationProfileId": "c", "VersionNumber": 3},
    ),
    (
        "lex-runtime",
        "PostContent",
        {
            "botName": "b",
            "botAlias": "a",
            "userId": "user",
            "sessionAttributes": {"x": "y", "n": [1, 2]},
            "contentType": "text/plain; charset=utf-8",
            "inputStream": b"hi",
        },
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    REQUESTS,
    ids=[f"{service}-{operation}" for service, operation, _ in REQUESTS],
)
def test_request_locations_read_back_exactly(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    assert round_trip_request(service, operation, params).params == params


def test_header_lists_are_quoted_as_botocore_quotes_them() -> None:
    wire = wire_request(
        "entityresolution", "BatchDeleteUniqueId", {"workflowName": "w", "uniqueIds": ["a", "b,c"]}
    )
    assert wire.headers["uniqueIds"] == 'a,"b,c"'
    assert split_header_list('a, "b,c" ,"d\\"e",,') == ["a", "b,c", 'd"e']


RESPONSES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "lambda",
        "Invoke",
        {
            "StatusCode": 202,
            "FunctionError": "Unhandled",
            "LogResult": "bG9n",
            "Payload": b'{"r": 2}',
            "ExecutedVersion": "$LATEST",
        },
        # botocore reads a non-streaming blob payload back as text
        {"Payload": '{"r": 2}'},
    ),
    (
        "mediastore-data",
        "DescribeObject",
        {
            "ETag": "e",
            "ContentType": "text/plain",
            "ContentLength": 12345678901,
            "LastModified": WHEN,
        },
        {},
    ),
    (
        "appconfig",
        "GetHostedConfigurationVersion",
        {"ApplicationId": "a", "VersionNumber": 3, "Content": b"abc", "ContentType": "x/y"},
        {"Content": "abc"},
    ),
    (
        "amplifyuibuilder",
        "CreateTheme",
        {
            "entity": {
                "appId": "a",
                "environmentName": "e",
                "id": "i",
                "name": "n",
                "createdAt": WHEN,
                "values": [],
            }
        },
        {},
    ),
    (
        "datazone",
        "GetLineageEvent",
        {"domainId": "d", "event": b"ev", "eventTime": WHEN, "createdAt": WHEN},
        {"event": "ev"},
    ),
    (
        "lex-runtime",
        "PostContent",
        {
            "contentType": "audio/mpeg",
            "sessionAttributes": {"a": "b"},
            "audioStream": b"x",
            "intentName": "i",
        },
        {"audioStream": "x"},
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "result", "differences"),
    RESPONSES,
    ids=[f"{service}-{operation}" for service, operation, _, _ in RESPONSES],
)
def test_response_locations_read_back(
    service: str, operation: str, result: dict[str, Any], differences: dict[str, Any]
) -> None:
    response = serialize_result(service, operation, result)
    assert botocore_reads(service, operation, response) == result | differences


def test_status_code_member_sets_the_status_and_header_members_keep_their_names() -> None:
    response = serialize_result("lambda", "Invoke", {"StatusCode": 202, "FunctionError": "x"})
    assert response.status == 202
    assert response.headers["X-Amz-Function-Error"] == "x"
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.body == b""


# ------------------------------------------------------------- Query: flattened lists (SimpleDB)


@pytest.mark.parametrize(
    "attributes",
    [[{"Name": "a", "Value": "1", "Replace": True}, {"Name": "b", "Value": ""}], []],
)
def test_query_flattened_list_requests(attributes: list[dict[str, Any]]) -> None:
    params = {"DomainName": "d", "ItemName": "i", "Attributes": attributes}
    wire = wire_request("sdb", "PutAttributes", params)
    assert (b"Attribute.1.Name=a" in wire.body) == bool(attributes)
    assert round_trip_request("sdb", "PutAttributes", params).params == params


@pytest.mark.parametrize(
    ("operation", "result"),
    [
        (
            "GetAttributes",
            {"Attributes": [{"Name": "a", "Value": "1"}, {"Name": "b", "Value": ""}]},
        ),
        ("Select", {"Items": [{"Name": "i", "Attributes": [{"Name": "a", "Value": "1"}]}]}),
    ],
)
def test_query_flattened_list_responses(operation: str, result: dict[str, Any]) -> None:
    response = serialize_result("sdb", operation, result)
    assert b"<Attribute><Name>a</Name>" in response.body
    assert botocore_reads("sdb", operation, response) == result
