"""Read plans (the Query fast path) give exactly the general reader's answers, errors included.

Every case is read twice: as served (the operation's plan first, the general reader for what
it leaves) and by the general reader alone; the parameters (with their order) or the error
(code, message, status) must be the same. Cases marked ``taken`` must be answered by the plan
itself, so that the fast path is known to be exercised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, quote, unquote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openses.api.protocol import AwsError, query
from openses.api.protocol.query_plans import plan_for
from openses.api.protocol.query_plans import read as read_plan
from tests.unit.api.protocol.protocol_oracle import operation, service, wire_request
from tests.unit.api.protocol.shape_strategies import for_shape

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ordered(value: Any) -> Any:
    """``value`` with every dict as the list of its items, so that order is compared too."""
    if isinstance(value, dict):
        return [(key, ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def outcome(read: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("params", ordered(read()))
    except AwsError as error:
        return ("error", error.code, error.message, error.status)


@contextmanager
def general_reader_only() -> Iterator[None]:
    with mock.patch.object(query, "plan_for", return_value=None):
        yield


def read_both(service_name: str, body: str | bytes, query_string: str = "") -> tuple[Any, Any]:
    model = service(service_name)
    raw = body.encode("utf-8") if isinstance(body, str) else body

    def read() -> Any:
        return query.parse_request(model, body=raw, query_string=query_string).params

    served = outcome(read)
    with general_reader_only():
        general = outcome(read)
    return served, general


def taken_by_plan(service_name: str, operation_name: str, body: str) -> bool:
    plan = plan_for(operation(service_name, operation_name))
    return plan is not None and read_plan(plan, parse_qsl(body, keep_blank_values=True)) is not None


RAW = "RnJvbTogYUBleGFtcGxlLmNvbQ0KDQpoaQ0K"  # From: a@example.com / hi
SEND_RAW = f"Action=SendRawEmail&Version=2010-12-01&RawMessage.Data={RAW}"

#: (service, operation, body, taken by the plan)
CASES: list[tuple[str, str, str, bool]] = [
    # SendRawEmail as SDKs send it, and variations the plan reads itself
    (
        "ses",
        "SendRawEmail",
        "Action=SendRawEmail&Version=2010-12-01&Source=app%40bench.example"
        "&SourceArn=arn%3Aaws%3Ases%3Aus-east-1%3A111122223333%3Aidentity%2Fbench.example"
        f"&Destinations.member.1=someone%40example.net&RawMessage.Data={RAW}",
        True,
    ),
    ("ses", "SendRawEmail", SEND_RAW, True),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Source=a&Source=b", True),  # the later one wins
    ("ses", "SendRawEmail", f"{SEND_RAW}&Unknown=1&Unknown.x.y=2&=3&Action.x=4", True),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Source=", True),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Source=a+b+%2B%20c%C3%A9", True),
    (
        "ses",
        "SendRawEmail",
        f"{SEND_RAW}&Destinations.member.10=j&Destinations.member.2=b&Destinations.member.1=a"
        "&Destinations.member.0=z",
        True,
    ),
    (
        "ses",
        "SendRawEmail",
        f"{SEND_RAW}&Tags.member.2.Name=n2&Tags.member.2.Value=v2"
        "&Tags.member.1.Value=v1&Tags.member.1.Name=n1",
        True,
    ),
    ("ses", "SendRawEmail", f"Source=s&RawMessage.Data={RAW}&Action=SendRawEmail", True),
    # ... and the ones it leaves to the general reader
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations=", False),  # explicitly empty list
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations=x&Destinations.member.1=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member.01=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member.1=a&Destinations.member.01=b", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member.x=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.item.1=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member.1.x=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member.%EF%BC%91=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Destinations.member.1234567890=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Source.x=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Source.=a", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&RawMessage=x", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&RawMessage.Other=x", False),
    ("ses", "SendRawEmail", f"{SEND_RAW}&Tags.member.1.Name=n", False),  # Value required
    ("ses", "SendRawEmail", f"{SEND_RAW}&Tags.member.1.Other=n", False),
    ("ses", "SendRawEmail", "Action=SendRawEmail&RawMessage.Other=x", False),
    ("ses", "SendRawEmail", "Action=SendRawEmail", False),  # RawMessage required
    ("ses", "SendRawEmail", "Action=SendRawEmail&RawMessage.Data=%%%", False),  # not base64
    ("ses", "SendRawEmail", "Action=SendRawEmail&RawMessage.Data=QUJD=", True),
    ("ses", "SendRawEmail", "Action=SendRawEmail&RawMessage.Data=QU+JD", False),
    ("ses", "SendRawEmail", "Action=SendRawEmail&RawMessage.Data=", True),  # empty blob
    # requests that never reach a plan
    ("ses", "SendRawEmail", "Version=2010-12-01&Source=a", False),
    ("ses", "SendRawEmail", "Action=&Source=a", False),
    ("ses", "SendRawEmail", "Action=SendPigeon", False),
    ("ses", "SendRawEmail", "Action=ListIdentities&NextToken=%ff%fe", False),
    # other operations: constraints, nested structures, numbers, enums, maps, flattened lists
    (
        "ses",
        "SendEmail",
        "Action=SendEmail&Source=s%40example.com&Destination.ToAddresses.member.1=t%40x.net"
        "&Destination.CcAddresses.member.1=c%40x.net&Message.Subject.Data=Hi"
        "&Message.Subject.Charset=UTF-8&Message.Body.Text.Data=hello+world"
        "&Message.Body.Html.Data=%3Cp%3Ehi%3C%2Fp%3E&Tags.member.1.Name=k&Tags.member.1.Value=v",
        True,
    ),
    ("ses", "SendEmail", "Action=SendEmail&Source=s", False),
    ("ses", "SendEmail", "Action=SendEmail&Source=s&Destination.ToAddresses.member.1=t", False),
    ("ses", "ListIdentities", "Action=ListIdentities&MaxItems=10&IdentityType=Domain", True),
    ("ses", "ListIdentities", "Action=ListIdentities&MaxItems=1x", False),
    ("ses", "ListIdentities", "Action=ListIdentities&MaxItems=99999999999", False),
    ("ses", "ListIdentities", "Action=ListIdentities&IdentityType=Pigeon", False),
    ("ses", "ListIdentities", "Action=ListIdentities&MaxItems=-5", True),
    ("ses", "GetSendQuota", "Action=GetSendQuota&Version=2010-12-01", False),  # no input
    (
        "ses",
        "SetIdentityDkimEnabled",
        "Action=SetIdentityDkimEnabled&Identity=example.com&DkimEnabled=TRUE",
        True,
    ),
    (
        "ses",
        "SetIdentityDkimEnabled",
        "Action=SetIdentityDkimEnabled&Identity=e&DkimEnabled=1",
        False,
    ),
    (
        "ses",
        "PutIdentityPolicy",
        "Action=PutIdentityPolicy&Identity=example.com&PolicyName=p&Policy=%7B%7D",
        True,
    ),
    ("ses", "PutIdentityPolicy", "Action=PutIdentityPolicy&Identity=e&PolicyName=&Policy=x", False),
    (
        "ses",
        "PutIdentityPolicy",
        "Action=PutIdentityPolicy&Identity=e&PolicyName=a%2Fb&Policy=x",
        True,
    ),
    ("iam", "CreateUser", "Action=CreateUser&UserName=bob&Path=%2Fteam%2F", True),
    ("iam", "CreateUser", "Action=CreateUser&UserName=bob%21", False),  # pattern
    ("iam", "ListAccessKeys", "Action=ListAccessKeys&MaxItems=0", False),  # range
    ("iam", "ListAccessKeys", "Action=ListAccessKeys&MaxItems=100", True),
    (
        "sns",
        "Publish",
        "Action=Publish&TopicArn=arn&Message=m&MessageAttributes.entry.1.Name=a"
        "&MessageAttributes.entry.1.Value.DataType=String"
        "&MessageAttributes.entry.1.Value.StringValue=v",
        False,  # a map
    ),
    ("sns", "Publish", "Action=Publish&TopicArn=arn&Message=m", True),
    (
        "sdb",
        "BatchPutAttributes",
        "Action=BatchPutAttributes&DomainName=d&Item.1.ItemName=i&Item.1.Attribute.1.Name=n"
        "&Item.1.Attribute.1.Value=v",
        False,  # flattened lists
    ),
]


@pytest.mark.parametrize(
    ("service_name", "operation_name", "body", "taken"),
    CASES,
    ids=[f"{i}-{operation_name}" for i, (_, operation_name, _, _) in enumerate(CASES)],
)
def test_plan_answers_as_the_general_reader(
    service_name: str, operation_name: str, body: str, taken: bool
) -> None:
    served, general = read_both(service_name, body)
    assert served == general
    if served[0] == "params" or taken:
        assert taken_by_plan(service_name, operation_name, body) is taken


def test_query_string_and_body_combine_as_before() -> None:
    served, general = read_both("ses", "Source=body", query_string=f"{SEND_RAW}&Source=url")
    assert served == general
    assert dict(served[1])["Source"] == "body"


def test_validation_is_skipped_when_asked_as_before() -> None:
    model = service("ses")
    body = b"Action=PutIdentityPolicy&Identity=e&PolicyName=&Policy=x"
    served = query.parse_request(model, body=body, validate_input=False).params
    with general_reader_only():
        general = query.parse_request(model, body=body, validate_input=False).params
    assert (
        ordered(served)
        == ordered(general)
        == ordered({"Identity": "e", "PolicyName": "", "Policy": "x"})
    )


def test_every_query_operation_has_a_plan() -> None:
    for service_name in ("ses", "iam", "sts", "sns"):
        model = service(service_name)
        for name in model.operation_names:
            if model.operation_model(name).input_shape is not None:
                assert plan_for(model.operation_model(name)) is not None, name


# ------------------------------------------------------------------- generated requests

REQUESTS = [
    ("ses", "SendEmail"),
    ("ses", "SendRawEmail"),
    ("ses", "SendBulkTemplatedEmail"),
    ("ses", "CreateReceiptRule"),
    ("iam", "CreateUser"),
    ("iam", "PutUserPolicy"),
    ("sns", "Publish"),
    ("sdb", "BatchPutAttributes"),
]


@pytest.mark.parametrize(("service_name", "operation_name"), REQUESTS)
@PROPERTY
@given(data=st.data())
def test_generated_valid_requests_read_alike(
    service_name: str, operation_name: str, data: Any
) -> None:
    shape = operation(service_name, operation_name).input_shape
    assert shape is not None
    params = data.draw(for_shape(shape), label="params")
    request = wire_request(service_name, operation_name, params)
    served, general = read_both(service_name, request.body, request.query_string)
    assert served == general
    assert served[0] == "params"


#: Key parts and values that make every kind of key: members, list and map parts, positions
#: in and out of plain decimal, parts that name nothing.
KEY_PARTS = [
    "Source",
    "Destinations",
    "RawMessage",
    "Data",
    "Tags",
    "Name",
    "Value",
    "member",
    "entry",
    "key",
    "value",
    "1",
    "2",
    "0",
    "01",
    "10",
    "",
    "x",
    "Destination",
    "ToAddresses",
    "Message",
    "Subject",
    "Body",
    "Text",
    "MaxItems",
    "IdentityType",
    "MessageAttributes",
    "DataType",
    "StringValue",
    "BinaryValue",
]
VALUES = ["", "a", "QUJD", "QUJD=", "====", "%", "%zz", "%C3%A9", "%ff", "+", "12", "-1", "true"]


@st.composite
def forms(draw: st.DrawFn) -> str:
    action = draw(st.sampled_from(["SendRawEmail", "SendEmail", "ListIdentities", "Publish"]))
    pairs = [("Action", action)]
    for _ in range(draw(st.integers(0, 6))):
        key = ".".join(draw(st.lists(st.sampled_from(KEY_PARTS), min_size=1, max_size=5)))
        pairs.append((key, draw(st.sampled_from(VALUES))))
    draw(st.randoms()).shuffle(pairs)
    return "&".join(f"{quote(key)}={value}" for key, value in pairs)


@PROPERTY
@given(body=forms())
def test_generated_forms_read_alike(body: str) -> None:
    service_name = "sns" if "Action=Publish" in body else "ses"
    served, general = read_both(service_name, body)
    assert served == general


@PROPERTY
@given(pairs=st.lists(st.tuples(st.sampled_from(KEY_PARTS[:10]), st.text(max_size=6))))
def test_sdk_encoded_forms_read_alike(pairs: list[tuple[str, str]]) -> None:
    body = urlencode([("Action", "SendRawEmail"), ("RawMessage.Data", RAW), *pairs])
    served, general = read_both("ses", body)
    assert served == general


# ------------------------------------------------------------------------ form decoding

FORM_TEXTS = [
    "",
    "plain",
    "a+b",
    "%41%62",
    "%2b%2B%2f%2F%3d%3D",
    "%",
    "%4",
    "%zz",
    "%%41",
    "%C3%A9",
    "%c3%a9x%41",
    "é%41",
    "%é1",
    "%ff",
    "%7F%80",
    "a%2",
    "+%2B+",
    "%%341",
    "%34%%341",
    "%3A%%3A1",
    "%%3A1",
    "%3%3A",
    "%2541",
    "%253A",
    "%3A%41",
    "%3a%3A%3a",
    "arn%3Aaws%3Ases%3Aus-east-1%3A111122223333%3Aidentity%2Fbench.example",
]


@pytest.mark.parametrize("raw", FORM_TEXTS)
def test_form_text_reads_as_unquote(raw: str) -> None:
    assert form_text_outcome(raw) == unquote_outcome(raw)


@PROPERTY
@given(raw=st.text(alphabet=st.sampled_from("%+aZ0349fF7ABé\x00"), max_size=12))
def test_generated_form_text_reads_as_unquote(raw: str) -> None:
    assert form_text_outcome(raw) == unquote_outcome(raw)


def form_text_outcome(raw: str) -> tuple[str, str]:
    try:
        return ("text", query._form_text(raw))
    except UnicodeDecodeError as error:
        return ("error", str(error))


def unquote_outcome(raw: str) -> tuple[str, str]:
    try:
        return ("text", unquote(raw.replace("+", " "), encoding="utf-8", errors="strict"))
    except UnicodeDecodeError as error:
        return ("error", str(error))


# ------------------------------------------------------------ a model with every trait

SYNTHETIC_MODEL: dict[str, Any] = {
    "metadata": {
        "protocol": "query",
        "apiVersion": "2020-01-01",
        "serviceId": "Synthetic",
        "endpointPrefix": "synthetic",
        "signatureVersion": "v4",
    },
    "operations": {
        "Do": {
            "name": "Do",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "DoInput"},
        }
    },
    "shapes": {
        "DoInput": {
            "type": "structure",
            "required": ["Name"],
            "members": {
                "Name": {"shape": "Name"},
                "Free": {"shape": "Free"},
                "Count": {"shape": "Count"},
                "Ratio": {"shape": "Ratio"},
                "Flag": {"shape": "Flag"},
                "When": {"shape": "When"},
                "Blob": {"shape": "Blob"},
                "Kind": {"shape": "Kind"},
                "Items": {"shape": "Items"},
                "Renamed": {"shape": "Frees", "locationName": "Alias"},
                "Flat": {"shape": "FlatList", "flattened": True},
                "Map": {"shape": "Map"},
                "Node": {"shape": "Node"},
                "Twin": {"shape": "Free", "locationName": "Shared"},
                "Other": {"shape": "Free", "locationName": "Shared"},
                "Grid": {"shape": "Grid"},
            },
        },
        "Name": {"type": "string", "min": 1, "max": 5, "pattern": "[a-z]*"},
        "Free": {"type": "string"},
        "Count": {"type": "integer", "min": 1, "max": 10},
        "Ratio": {"type": "double"},
        "Flag": {"type": "boolean"},
        "When": {"type": "timestamp"},
        "Blob": {"type": "blob", "max": 3},
        "Kind": {"type": "string", "enum": ["a", "b"]},
        "Items": {"type": "list", "member": {"shape": "Name"}, "min": 1, "max": 2},
        "Frees": {"type": "list", "member": {"shape": "Free", "locationName": "item"}},
        "FlatList": {"type": "list", "member": {"shape": "Free", "locationName": "FlatItem"}},
        "Map": {"type": "map", "key": {"shape": "Free"}, "value": {"shape": "Free"}},
        "Node": {
            "type": "structure",
            "required": ["Value"],
            "members": {"Value": {"shape": "Free"}, "Next": {"shape": "Node"}},
        },
        "Grid": {"type": "list", "member": {"shape": "Frees"}},
    },
}
SYNTHETIC_PARTS = [
    *SYNTHETIC_MODEL["shapes"]["DoInput"]["members"],
    "Alias",
    "Shared",
    "FlatItem",
    "Value",
    "Next",
    "member",
    "item",
    "entry",
    "key",
    "value",
    "1",
    "2",
    "3",
    "01",
    "",
]
SYNTHETIC_VALUES = [
    *VALUES,
    "abc",
    "abcdef",
    "A",
    "5",
    "11",
    "1.5",
    "NaN",
    "false",
    "2024-01-02T03:04:05Z",
    "b",
]


@pytest.fixture(scope="module")
def synthetic() -> Any:
    import botocore.model  # noqa: PLC0415 - only this fixture builds a model by hand

    return botocore.model.ServiceModel(SYNTHETIC_MODEL, service_name="synthetic")


@st.composite
def synthetic_forms(draw: st.DrawFn) -> str:
    pairs = [("Action", "Do")]
    for _ in range(draw(st.integers(0, 6))):
        key = ".".join(draw(st.lists(st.sampled_from(SYNTHETIC_PARTS), min_size=1, max_size=5)))
        pairs.append((key, draw(st.sampled_from(SYNTHETIC_VALUES))))
    draw(st.randoms()).shuffle(pairs)
    return "&".join(f"{quote(key)}={value}" for key, value in pairs)


SYNTHETIC_CASES = [
    ("Name=ab&Count=3&Ratio=1.5&Flag=true&When=2024-01-02T03:04:05Z&Blob=QUJD&Kind=a", True),
    ("Name=ab&Items.member.2=b&Items.member.1=a", True),
    ("Name=ab&Items.member.1=a&Items.member.2=b&Items.member.3=c", False),  # too many
    ("Name=ab&Alias.item.1=x&Alias.item.2=y", True),
    ("Name=ab&Renamed.item.1=x", True),  # not the wire name: ignored
    ("Name=ab&Alias.member.1=x", False),
    ("Name=ab&Node.Value=a&Node.Next.Value=b&Node.Next.Next.Value=c", True),
    ("Name=ab&Node.Next.Value=b", False),  # Node.Value required
    ("Name=ab&Grid.member.1.item.2=b&Grid.member.1.item.1=a&Grid.member.2.item.1=c", True),
    ("Name=ab&Shared=x", False),  # two members travel as Shared
    ("Name=ab&FlatItem.1=x", False),
    ("Name=ab&Flat.1=x", False),
    ("Name=ab&Flat=", False),
    ("Name=ab&Map.entry.1.key=k&Map.entry.1.value=v", False),
    ("Name=ab&Map=", False),
    ("Name=AB", False),  # pattern
    ("Name=abcdef", False),  # length
    ("Name=ab&Count=11", False),
    ("Name=ab&Kind=c", False),
    ("Name=ab&Blob=QUJDRA%3D%3D", False),  # 4 bytes
    ("Name=ab&Ratio=NaN&Flag=FALSE", True),
    ("Count=3", False),
]


@pytest.mark.parametrize(("form", "taken"), SYNTHETIC_CASES)
def test_synthetic_model_reads_alike(synthetic: Any, form: str, taken: bool) -> None:
    body = f"Action=Do&{form}".encode()
    served = outcome(lambda: query.parse_request(synthetic, body=body).params)
    with general_reader_only():
        general = outcome(lambda: query.parse_request(synthetic, body=body).params)
    assert served == general
    plan = plan_for(synthetic.operation_model("Do"))
    assert plan is not None
    assert (read_plan(plan, parse_qsl(body.decode(), keep_blank_values=True)) is not None) is taken


@PROPERTY
@given(body=synthetic_forms())
def test_generated_synthetic_forms_read_alike(synthetic: Any, body: str) -> None:
    served = outcome(lambda: query.parse_request(synthetic, body=body.encode()).params)
    with general_reader_only():
        general = outcome(lambda: query.parse_request(synthetic, body=body.encode()).params)
    assert served == general
