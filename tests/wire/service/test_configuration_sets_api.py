"""Configuration sets and their event destinations over SES v1 and SESv2, with boto3.

Every scenario uses fresh accounts on the module's live server (SQLite and PostgreSQL).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from tests.support.openses_server import Running
from tests.wire.service.test_sending_api import error_of

_counter = itertools.count()
ONLY = "only alphanumeric ASCII characters, '_', and '-' are allowed."


@pytest.fixture
def key(openses: Running) -> AccessKey:
    return openses.new_account(production=True)


def ses(openses: Running, key: AccessKey, region: str = "us-east-1") -> Any:
    return openses.client("ses", key, region)


def sesv2(openses: Running, key: AccessKey, region: str = "us-east-1") -> Any:
    return openses.client("sesv2", key, region)


def topic(key: AccessKey, region: str = "us-east-1", name: str = "ses-events") -> str:
    return f"arn:aws:sns:{region}:{key.account_id}:{name}"


def v1_destination(key: AccessKey, name: str = "to-sns", **changes: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "Enabled": True,
        "MatchingEventTypes": ["bounce", "complaint"],
        "SNSDestination": {"TopicARN": topic(key)},
        **changes,
    }


# ---------------------------------------------------------------------------------- v1


def test_v1_create_describe_list_delete(openses: Running, key: AccessKey) -> None:
    client = ses(openses, key)
    client.create_configuration_set(ConfigurationSet={"Name": "marketing"})
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set(ConfigurationSet={"Name": "marketing"})
    assert error_of(raised) == (
        "ConfigurationSetAlreadyExists",
        "Configuration set <marketing> already exists.",
        400,
    )
    described = client.describe_configuration_set(
        ConfigurationSetName="marketing",
        ConfigurationSetAttributeNames=[
            "eventDestinations",
            "trackingOptions",
            "deliveryOptions",
            "reputationOptions",
        ],
    )
    assert described["ConfigurationSet"] == {"Name": "marketing"}
    assert described["EventDestinations"] == []
    assert "TrackingOptions" not in described
    assert described["DeliveryOptions"] == {"TlsPolicy": "Optional"}
    assert described["ReputationOptions"] == {
        "SendingEnabled": True,
        "ReputationMetricsEnabled": False,
    }
    bare = client.describe_configuration_set(ConfigurationSetName="marketing")
    assert "EventDestinations" not in bare
    assert "ReputationOptions" not in bare
    assert client.list_configuration_sets()["ConfigurationSets"] == [{"Name": "marketing"}]
    client.delete_configuration_set(ConfigurationSetName="marketing")
    assert client.list_configuration_sets()["ConfigurationSets"] == []
    with pytest.raises(ClientError) as raised:
        client.describe_configuration_set(ConfigurationSetName="marketing")
    assert error_of(raised) == (
        "ConfigurationSetDoesNotExist",
        "Configuration set <marketing> does not exist.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        client.delete_configuration_set(ConfigurationSetName="marketing")
    assert error_of(raised)[0] == "ConfigurationSetDoesNotExist"


def test_v1_names_are_checked(openses: Running, key: AccessKey) -> None:
    client = ses(openses, key)
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set(ConfigurationSet={"Name": "a.b"})
    assert error_of(raised) == (
        "InvalidConfigurationSet",
        f"Invalid configuration set name <a.b>: {ONLY}",
        400,
    )
    with pytest.raises(ClientError) as raised:
        client.describe_configuration_set(ConfigurationSetName="x" * 65)
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Configuration set name cannot exceed 64 characters.",
        400,
    )


def test_v1_list_pages(openses: Running, key: AccessKey) -> None:
    client = ses(openses, key)
    names = ["e", "a", "d", "b", "c"]
    for name in names:
        client.create_configuration_set(ConfigurationSet={"Name": name})
    seen: list[str] = []
    token: dict[str, str] = {}
    while True:
        reply = client.list_configuration_sets(MaxItems=2, **token)
        assert len(reply["ConfigurationSets"]) <= 2
        seen += [entry["Name"] for entry in reply["ConfigurationSets"]]
        if "NextToken" not in reply:
            break
        token = {"NextToken": reply["NextToken"]}
    assert seen == sorted(names)
    # another region has its own sets
    assert ses(openses, key, "eu-west-1").list_configuration_sets()["ConfigurationSets"] == []


def test_v1_event_destinations(openses: Running, key: AccessKey) -> None:
    client = ses(openses, key)
    client.create_configuration_set(ConfigurationSet={"Name": "events"})
    client.create_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestination=v1_destination(key)
    )
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestination=v1_destination(key)
        )
    assert error_of(raised) == (
        "EventDestinationAlreadyExists",
        "Event destination <to-sns> already exists in configuration set <events>.",
        400,
    )
    described = client.describe_configuration_set(
        ConfigurationSetName="events", ConfigurationSetAttributeNames=["eventDestinations"]
    )
    assert described["EventDestinations"] == [v1_destination(key)]
    changed = v1_destination(key, Enabled=False, MatchingEventTypes=["send", "renderingFailure"])
    client.update_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestination=changed
    )
    described = client.describe_configuration_set(
        ConfigurationSetName="events", ConfigurationSetAttributeNames=["eventDestinations"]
    )
    assert described["EventDestinations"] == [changed]
    with pytest.raises(ClientError) as raised:
        client.update_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestination=v1_destination(key, "other")
        )
    assert error_of(raised) == (
        "EventDestinationDoesNotExist",
        "Event destination <other> does not exist in configuration set <events>.",
        400,
    )
    client.delete_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestinationName="to-sns"
    )
    with pytest.raises(ClientError) as raised:
        client.delete_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestinationName="to-sns"
        )
    assert error_of(raised)[0] == "EventDestinationDoesNotExist"
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="missing", EventDestination=v1_destination(key)
        )
    assert error_of(raised)[0] == "ConfigurationSetDoesNotExist"


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        pytest.param(
            {
                "SNSDestination": None,
                "CloudWatchDestination": {
                    "DimensionConfigurations": [
                        {
                            "DimensionName": "campaign",
                            "DimensionValueSource": "messageTag",
                            "DefaultDimensionValue": "none",
                        }
                    ]
                },
            },
            "InvalidCloudWatchDestination",
            "Amazon CloudWatch event destinations are not supported by OpenSES; only Amazon "
            "SNS event destinations are.",
            id="cloudwatch",
        ),
        pytest.param(
            {
                "SNSDestination": None,
                "KinesisFirehoseDestination": {
                    "IAMRoleARN": "arn:aws:iam::123456789012:role/firehose",
                    "DeliveryStreamARN": "arn:aws:firehose:us-east-1:123456789012:stream/s",
                },
            },
            "InvalidFirehoseDestination",
            "Amazon Kinesis Data Firehose event destinations are not supported by OpenSES; "
            "only Amazon SNS event destinations are.",
            id="firehose",
        ),
        pytest.param(
            {"SNSDestination": {"TopicARN": "arn:aws:sqs:us-east-1:123456789012:queue"}},
            "InvalidSNSDestination",
            "Invalid SNS topic ARN <arn:aws:sqs:us-east-1:123456789012:queue>.",
            id="not-a-topic",
        ),
        pytest.param(
            {"SNSDestination": {"TopicARN": "arn:aws:sns:eu-west-1:123456789012:t"}},
            "InvalidSNSDestination",
            "SNS topic <arn:aws:sns:eu-west-1:123456789012:t> must be in the configuration "
            "set's region (us-east-1).",
            id="topic-in-another-region",
        ),
        pytest.param(
            {"MatchingEventTypes": []},
            "InvalidParameterValue",
            "Event destination <to-sns> must match at least one event type.",
            id="no-event-types",
        ),
    ],
)
def test_v1_refused_destinations(
    openses: Running, key: AccessKey, changes: dict[str, Any], code: str, message: str
) -> None:
    client = ses(openses, key)
    client.create_configuration_set(ConfigurationSet={"Name": "events"})
    spec = {k: v for k, v in v1_destination(key, **changes).items() if v is not None}
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestination=spec
        )
    assert error_of(raised) == (code, message, 400)
    described = client.describe_configuration_set(
        ConfigurationSetName="events", ConfigurationSetAttributeNames=["eventDestinations"]
    )
    assert described["EventDestinations"] == []


def test_v1_at_most_ten_destinations(openses: Running, key: AccessKey) -> None:
    client = ses(openses, key)
    client.create_configuration_set(ConfigurationSet={"Name": "many"})
    for index in range(10):
        client.create_configuration_set_event_destination(
            ConfigurationSetName="many", EventDestination=v1_destination(key, f"d{index}")
        )
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="many", EventDestination=v1_destination(key, "d10")
        )
    assert error_of(raised) == (
        "LimitExceeded",
        "Maximum number of event destinations (10) for configuration set <many> exceeded.",
        400,
    )


def test_v1_switches_and_delivery_options(openses: Running, key: AccessKey) -> None:
    client = ses(openses, key)
    client.create_configuration_set(ConfigurationSet={"Name": "switches"})
    client.update_configuration_set_sending_enabled(ConfigurationSetName="switches", Enabled=False)
    client.update_configuration_set_reputation_metrics_enabled(
        ConfigurationSetName="switches", Enabled=True
    )
    client.put_configuration_set_delivery_options(
        ConfigurationSetName="switches", DeliveryOptions={"TlsPolicy": "Require"}
    )
    described = client.describe_configuration_set(
        ConfigurationSetName="switches",
        ConfigurationSetAttributeNames=["deliveryOptions", "reputationOptions"],
    )
    assert described["DeliveryOptions"] == {"TlsPolicy": "Require"}
    assert described["ReputationOptions"] == {
        "SendingEnabled": False,
        "ReputationMetricsEnabled": True,
    }
    got = sesv2(openses, key).get_configuration_set(ConfigurationSetName="switches")
    assert got["SendingOptions"] == {"SendingEnabled": False}
    assert got["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"}
    with pytest.raises(ClientError) as raised:
        client.update_configuration_set_sending_enabled(ConfigurationSetName="nope", Enabled=True)
    assert error_of(raised)[0] == "ConfigurationSetDoesNotExist"


def test_an_iam_user_needs_permission_on_the_set(openses: Running, key: AccessKey) -> None:
    iam = openses.client("iam", key)
    name = f"cs-user{next(_counter)}"
    iam.create_user(UserName=name)
    made = iam.create_access_key(UserName=name)["AccessKey"]
    user = AccessKey(
        made["AccessKeyId"], made["SecretAccessKey"], key.account_id, made["CreateDate"]
    )
    arn = f"arn:aws:ses:us-east-1:{key.account_id}:configuration-set/team"
    with pytest.raises(ClientError) as raised:
        ses(openses, user).create_configuration_set(ConfigurationSet={"Name": "team"})
    user_arn = f"arn:aws:iam::{key.account_id}:user/{name}"
    assert error_of(raised) == (
        "AccessDenied",
        f"User: {user_arn} is not authorized to perform: ses:CreateConfigurationSet on "
        f"resource: {arn}",
        403,
    )
    iam.put_user_policy(
        UserName=name,
        PolicyName="sets",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        f'"Action":"ses:*ConfigurationSet","Resource":"{arn}"}}]}}',
    )
    ses(openses, user).create_configuration_set(ConfigurationSet={"Name": "team"})
    assert sesv2(openses, user).get_configuration_set(ConfigurationSetName="team")[
        "ConfigurationSetName"
    ] == ("team")


# ---------------------------------------------------------------------------------- v2


def test_v2_create_with_every_supported_option(openses: Running, key: AccessKey) -> None:
    client = sesv2(openses, key)
    fresh_start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    client.create_configuration_set(
        ConfigurationSetName="full",
        DeliveryOptions={"TlsPolicy": "REQUIRE", "MaxDeliverySeconds": 600},
        ReputationOptions={"ReputationMetricsEnabled": True, "LastFreshStart": fresh_start},
        SendingOptions={"SendingEnabled": False},
        SuppressionOptions={"SuppressedReasons": ["COMPLAINT"]},
        Tags=[{"Key": "team", "Value": "mail ops"}, {"Key": "env", "Value": ""}],
    )
    got = client.get_configuration_set(ConfigurationSetName="full")
    assert got["ConfigurationSetName"] == "full"
    assert got["DeliveryOptions"] == {"TlsPolicy": "REQUIRE", "MaxDeliverySeconds": 600}
    assert got["ReputationOptions"] == {
        "ReputationMetricsEnabled": True,
        "LastFreshStart": fresh_start,
    }
    assert got["SendingOptions"] == {"SendingEnabled": False}
    assert got["SuppressionOptions"] == {"SuppressedReasons": ["COMPLAINT"]}
    assert got["Tags"] == [{"Key": "team", "Value": "mail ops"}, {"Key": "env", "Value": ""}]
    client.create_configuration_set(ConfigurationSetName="plain")
    plain = client.get_configuration_set(ConfigurationSetName="plain")
    assert plain["SendingOptions"] == {"SendingEnabled": True}
    assert plain["DeliveryOptions"] == {"TlsPolicy": "OPTIONAL"}
    assert "SuppressionOptions" not in plain
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set(ConfigurationSetName="plain")
    assert error_of(raised) == (
        "AlreadyExistsException",
        "Configuration set <plain> already exists.",
        400,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            {"TrackingOptions": {"CustomRedirectDomain": "t.example.com"}},
            "TrackingOptions is not supported by OpenSES.",
            id="tracking",
        ),
        pytest.param(
            {"VdmOptions": {"DashboardOptions": {"EngagementMetrics": "ENABLED"}}},
            "VdmOptions is not supported by OpenSES.",
            id="vdm",
        ),
        pytest.param(
            {"DeliveryOptions": {"SendingPoolName": "dedicated"}},
            "SendingPoolName is not supported by OpenSES.",
            id="ip-pool",
        ),
        pytest.param(
            {"SuppressionOptions": {"SuppressionScope": "TENANT"}},
            "SuppressionScope TENANT is not supported by OpenSES.",
            id="tenant-scope",
        ),
        pytest.param(
            {"ConfigurationSetName": "a b"},
            f"Invalid configuration set name <a b>: {ONLY}",
            id="bad-name",
        ),
        pytest.param(
            {"Tags": [{"Key": "aws:team", "Value": "x"}]},
            "Invalid tag key <aws:team>: the aws: prefix is reserved for AWS.",
            id="aws-tag",
        ),
    ],
)
def test_v2_refusals_on_create(
    openses: Running, key: AccessKey, extra: dict[str, Any], message: str
) -> None:
    client = sesv2(openses, key)
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set(**{"ConfigurationSetName": "refused", **extra})
    assert error_of(raised) == ("BadRequestException", message, 400)
    assert client.list_configuration_sets()["ConfigurationSets"] == []


def test_v2_get_list_delete_and_not_found(openses: Running, key: AccessKey) -> None:
    client = sesv2(openses, key)
    for name in ("c", "a", "b"):
        client.create_configuration_set(ConfigurationSetName=name)
    first = client.list_configuration_sets(PageSize=2)
    assert first["ConfigurationSets"] == ["a", "b"]
    second = client.list_configuration_sets(PageSize=2, NextToken=first["NextToken"])
    assert second["ConfigurationSets"] == ["c"]
    assert "NextToken" not in second
    assert ses(openses, key).list_configuration_sets()["ConfigurationSets"] == [
        {"Name": "a"},
        {"Name": "b"},
        {"Name": "c"},
    ]
    client.delete_configuration_set(ConfigurationSetName="b")
    with pytest.raises(ClientError) as raised:
        client.get_configuration_set(ConfigurationSetName="b")
    assert error_of(raised) == ("NotFoundException", "Configuration set <b> does not exist.", 404)
    with pytest.raises(ClientError) as raised:
        client.delete_configuration_set(ConfigurationSetName="b")
    assert error_of(raised)[0] == "NotFoundException"


def test_v2_event_destinations(openses: Running, key: AccessKey) -> None:
    client = sesv2(openses, key)
    client.create_configuration_set(ConfigurationSetName="events")
    definition = {
        "Enabled": True,
        "MatchingEventTypes": ["BOUNCE", "DELIVERY_DELAY", "SEND"],
        "SnsDestination": {"TopicArn": topic(key)},
    }
    client.create_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestinationName="sns", EventDestination=definition
    )
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestinationName="sns", EventDestination=definition
        )
    assert error_of(raised)[:2] == (
        "AlreadyExistsException",
        "Event destination <sns> already exists in configuration set <events>.",
    )
    listed = client.get_configuration_set_event_destinations(ConfigurationSetName="events")
    assert listed["EventDestinations"] == [
        {
            "Name": "sns",
            "Enabled": True,
            "MatchingEventTypes": ["SEND", "BOUNCE", "DELIVERY_DELAY"],
            "SnsDestination": {"TopicArn": topic(key)},
        }
    ]
    # v1 sees the same destination in its own spelling
    described = ses(openses, key).describe_configuration_set(
        ConfigurationSetName="events", ConfigurationSetAttributeNames=["eventDestinations"]
    )
    assert described["EventDestinations"][0]["MatchingEventTypes"] == [
        "send",
        "bounce",
        "deliveryDelay",
    ]
    client.update_configuration_set_event_destination(
        ConfigurationSetName="events",
        EventDestinationName="sns",
        EventDestination={**definition, "Enabled": False, "MatchingEventTypes": ["COMPLAINT"]},
    )
    listed = client.get_configuration_set_event_destinations(ConfigurationSetName="events")
    assert listed["EventDestinations"][0]["Enabled"] is False
    assert listed["EventDestinations"][0]["MatchingEventTypes"] == ["COMPLAINT"]
    client.delete_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestinationName="sns"
    )
    with pytest.raises(ClientError) as raised:
        client.delete_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestinationName="sns"
        )
    assert error_of(raised)[:2] == (
        "NotFoundException",
        "Event destination <sns> does not exist in configuration set <events>.",
    )
    with pytest.raises(ClientError) as raised:
        client.get_configuration_set_event_destinations(ConfigurationSetName="nope")
    assert error_of(raised)[0] == "NotFoundException"


@pytest.mark.parametrize(
    ("member", "value", "service"),
    [
        (
            "EventBridgeDestination",
            {"EventBusArn": "arn:aws:events:us-east-1:1:event-bus/default"},
            "Amazon EventBridge",
        ),
        (
            "PinpointDestination",
            {"ApplicationArn": "arn:aws:mobiletargeting:us-east-1:1:apps/a"},
            "Amazon Pinpoint",
        ),
        (
            "KinesisFirehoseDestination",
            {"IamRoleArn": "r", "DeliveryStreamArn": "s"},
            "Amazon Kinesis Data Firehose",
        ),
    ],
)
def test_v2_other_destination_types_are_refused(
    openses: Running, key: AccessKey, member: str, value: dict[str, str], service: str
) -> None:
    client = sesv2(openses, key)
    client.create_configuration_set(ConfigurationSetName="events")
    with pytest.raises(ClientError) as raised:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="events",
            EventDestinationName="other",
            EventDestination={"Enabled": True, "MatchingEventTypes": ["BOUNCE"], member: value},
        )
    assert error_of(raised) == (
        "BadRequestException",
        f"{service} event destinations are not supported by OpenSES; only Amazon SNS event "
        "destinations are.",
        400,
    )


def test_v2_put_options(openses: Running, key: AccessKey) -> None:
    client = sesv2(openses, key)
    client.create_configuration_set(ConfigurationSetName="opts")
    client.put_configuration_set_sending_options(ConfigurationSetName="opts", SendingEnabled=False)
    client.put_configuration_set_reputation_options(
        ConfigurationSetName="opts", ReputationMetricsEnabled=True
    )
    client.put_configuration_set_delivery_options(
        ConfigurationSetName="opts", TlsPolicy="REQUIRE", MaxDeliverySeconds=300
    )
    client.put_configuration_set_suppression_options(
        ConfigurationSetName="opts", SuppressedReasons=[]
    )
    got = client.get_configuration_set(ConfigurationSetName="opts")
    assert got["SendingOptions"] == {"SendingEnabled": False}
    assert got["ReputationOptions"] == {"ReputationMetricsEnabled": True}
    assert got["DeliveryOptions"] == {"TlsPolicy": "REQUIRE", "MaxDeliverySeconds": 300}
    assert got["SuppressionOptions"] == {"SuppressedReasons": []}
    client.put_configuration_set_suppression_options(
        ConfigurationSetName="opts", SuppressedReasons=["BOUNCE", "COMPLAINT"]
    )
    got = client.get_configuration_set(ConfigurationSetName="opts")
    assert got["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    client.put_configuration_set_suppression_options(ConfigurationSetName="opts")
    assert "SuppressionOptions" not in client.get_configuration_set(ConfigurationSetName="opts")
    with pytest.raises(ClientError) as raised:
        client.put_configuration_set_delivery_options(
            ConfigurationSetName="opts", SendingPoolName="pool"
        )
    assert error_of(raised)[:2] == (
        "BadRequestException",
        "SendingPoolName is not supported by OpenSES.",
    )
    with pytest.raises(ClientError) as raised:
        client.put_configuration_set_sending_options(ConfigurationSetName="gone")
    assert error_of(raised)[0] == "NotFoundException"
