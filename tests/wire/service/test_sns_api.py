"""The SNS-compatible topic service through boto3, with a real HTTP endpoint on loopback.

Deliveries are driven by running the worker's rounds explicitly (``deliver``) at chosen times,
so retries and their back-off are checked without waiting. Every message the endpoint gets is
checked with an independent signature verifier (``sns_world.verify_signature``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from openses.domain.accounts import AccessKey
from openses.services.topics import publish_as_service
from tests.support.openses_server import Running
from tests.wire.service.sns_world import Endpoint, Received, deliver, verify_signature


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with Endpoint() as running:
        yield running


@pytest.fixture(autouse=True)
def drained(openses: Running) -> Iterator[None]:
    """Each test starts with an empty delivery queue: what one leaves behind (an
    UnsubscribeConfirmation to an endpoint that is gone) is sent, or given up, after it."""
    yield
    later = datetime.now(UTC)
    for _ in range(10):
        later += timedelta(hours=1)
        if deliver(openses, later) == 0:
            break


@pytest.fixture
def owner(openses: Running) -> AccessKey:
    return openses.new_account()


def sns(openses: Running, key: AccessKey) -> Any:
    return openses.client("sns", key)


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return (
        error["Code"],
        error["Message"],
        caught.value.response["ResponseMetadata"]["HTTPStatusCode"],
    )


def subscribed(openses: Running, client: Any, topic: str, endpoint: Endpoint, **extra: Any) -> str:
    """Subscribe ``endpoint``, check its signed SubscriptionConfirmation, confirm it by GETting
    the SubscribeURL as a subscriber would; the subscription's ARN."""
    answer = client.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url, **extra)
    assert answer["SubscriptionArn"] == "pending confirmation"
    assert deliver(openses) == 1
    confirmation = endpoint.next()
    message = confirmation.json()
    assert message["Type"] == "SubscriptionConfirmation"
    verify_signature(message)
    confirmed = httpx.get(message["SubscribeURL"])
    assert confirmed.status_code == 200, confirmed.text
    arn = confirmed.text.split("<SubscriptionArn>")[1].split("</SubscriptionArn>")[0]
    assert arn.startswith(f"{topic}:")
    return arn


def notification(received: Received) -> dict[str, Any]:
    message = received.json()
    assert message["Type"] == "Notification"
    verify_signature(message)
    return message


# ------------------------------------------------------------------------------- topics


def test_topic_lifecycle(openses: Running, owner: AccessKey) -> None:
    client = sns(openses, owner)
    arn = client.create_topic(Name="orders")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{owner.account_id}:orders"
    assert client.create_topic(Name="orders")["TopicArn"] == arn  # idempotent
    assert [t["TopicArn"] for t in client.list_topics()["Topics"]] == [arn]

    attributes = client.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["Owner"] == owner.account_id
    assert attributes["SubscriptionsConfirmed"] == "0"
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Condition"] == {
        "StringEquals": {"AWS:SourceOwner": owner.account_id}
    }
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["http"][
        "defaultHealthyRetryPolicy"
    ] == {
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 3,
        "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "backoffFunction": "linear",
    }

    client.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Ord")
    assert client.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Ord"
    code, message, status = error_of(
        client.create_topic, Name="orders", Attributes={"DisplayName": "other"}
    )
    assert (code, status) == ("InvalidParameter", 400)
    assert "already exists with different attributes" in message

    client.delete_topic(TopicArn=arn)
    client.delete_topic(TopicArn=arn)  # deleting a missing topic is not an error
    assert client.list_topics()["Topics"] == []
    assert error_of(client.get_topic_attributes, TopicArn=arn) == (
        "NotFound",
        "Topic does not exist",
        404,
    )


@pytest.mark.parametrize(
    ("call", "kwargs", "message"),
    [
        ("create_topic", {"Name": "bad name"}, "Invalid parameter: Topic Name"),
        ("create_topic", {"Name": "q.fifo"}, "FIFO topics are not supported"),
        (
            "create_topic",
            {"Name": "t", "Attributes": {"KmsMasterKeyId": "alias/x"}},
            "KmsMasterKeyId is not supported by this server",
        ),
        ("create_topic", {"Name": "t", "Tags": [{"Key": "k", "Value": "v"}]}, "Tags"),
        ("get_topic_attributes", {"TopicArn": "not-an-arn"}, "Invalid parameter: TopicArn"),
    ],
    ids=["name", "fifo", "kms", "tags", "arn"],
)
def test_topic_parameters_are_checked(
    openses: Running, owner: AccessKey, call: str, kwargs: dict[str, Any], message: str
) -> None:
    code, text, status = error_of(getattr(sns(openses, owner), call), **kwargs)
    assert (code, status) == ("InvalidParameter", 400)
    assert message in text


def test_topic_policy_is_validated(openses: Running, owner: AccessKey) -> None:
    client = sns(openses, owner)
    arn = client.create_topic(Name="guarded")["TopicArn"]
    for bad, expected in [
        ("{not json", "Policy Error"),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": arn}
                    ],
                }
            ),
            "Policy statement action out of service scope!",
        ),
    ]:
        code, message, _ = error_of(
            client.set_topic_attributes, TopicArn=arn, AttributeName="Policy", AttributeValue=bad
        )
        assert code == "InvalidParameter"
        assert expected in message


# ------------------------------------------------------------- subscribe and deliver


def test_confirmation_then_signed_notifications(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="news")["TopicArn"]
    client.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    pending = client.list_subscriptions()["Subscriptions"]
    assert [s["SubscriptionArn"] for s in pending] == ["PendingConfirmation"]
    assert client.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    client.publish(TopicArn=topic, Message="before confirmation")  # reaches nobody

    assert deliver(openses) == 1
    confirmation = endpoint.next()
    assert confirmation.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert confirmation.headers["x-amz-sns-topic-arn"] == topic
    assert confirmation.headers["content-type"] == "text/plain; charset=UTF-8"
    body = confirmation.json()
    assert confirmation.headers["x-amz-sns-message-id"] == body["MessageId"]
    assert body["Message"] == (
        f"You have chosen to subscribe to the topic {topic}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    verify_signature(body)
    assert body["SigningCertURL"].startswith(f"{openses.base_url}/sns/")
    assert body["SigningCertURL"].endswith(".pem")

    arn = client.confirm_subscription(TopicArn=topic, Token=body["Token"])["SubscriptionArn"]
    assert [s["SubscriptionArn"] for s in client.list_subscriptions()["Subscriptions"]] == [arn]
    assert client.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == [
        {
            "SubscriptionArn": arn,
            "Owner": owner.account_id,
            "Protocol": "http",
            "Endpoint": endpoint.url,
            "TopicArn": topic,
        }
    ]

    message_id = client.publish(
        TopicArn=topic,
        Message="Grüße ✓\nline two",
        Subject="Hello",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
    )["MessageId"]
    assert deliver(openses) == 1
    received = endpoint.next()
    assert received.headers["x-amz-sns-message-type"] == "Notification"
    assert received.headers["x-amz-sns-subscription-arn"] == arn
    message = notification(received)
    assert message["MessageId"] == message_id
    assert message["Message"] == "Grüße ✓\nline two"
    assert message["Subject"] == "Hello"
    assert message["SignatureVersion"] == "1"
    assert message["MessageAttributes"] == {"kind": {"Type": "String", "Value": "greeting"}}
    assert message["UnsubscribeURL"].startswith(f"{openses.base_url}/sns/?Action=Unsubscribe")

    client.set_topic_attributes(
        TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2"
    )
    client.publish(TopicArn=topic, Message="sha256")
    deliver(openses)
    second = notification(endpoint.next())
    assert (second["SignatureVersion"], second["Message"]) == ("2", "sha256")
    assert "Subject" not in second
    assert endpoint.nothing_more()


def test_json_message_structure_picks_the_protocols_message(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="structured")["TopicArn"]
    subscribed(openses, client, topic, endpoint)
    client.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "for everyone", "http": "for http"}),
    )
    deliver(openses)
    assert notification(endpoint.next())["Message"] == "for http"
    code, message, _ = error_of(
        client.publish, TopicArn=topic, MessageStructure="json", Message='{"http": "x"}'
    )
    assert (code, message) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body",
    )


def test_raw_message_delivery(openses: Running, owner: AccessKey, endpoint: Endpoint) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="raw")["TopicArn"]
    arn = subscribed(openses, client, topic, endpoint, Attributes={"RawMessageDelivery": "true"})
    assert (
        client.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["RawMessageDelivery"]
        == "true"
    )
    client.publish(TopicArn=topic, Message='{"just": "the message"}', Subject="ignored")
    deliver(openses)
    received = endpoint.next()
    assert received.body == '{"just": "the message"}'
    assert received.headers["x-amz-sns-rawdelivery"] == "true"
    assert received.headers["x-amz-sns-message-type"] == "Notification"

    client.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="false"
    )
    client.publish(TopicArn=topic, Message="wrapped again")
    deliver(openses)
    assert notification(endpoint.next())["Message"] == "wrapped again"


def test_failed_deliveries_are_retried_with_back_off(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="flaky")["TopicArn"]
    subscribed(openses, client, topic, endpoint)
    endpoint.statuses = [500]
    message_id = client.publish(TopicArn=topic, Message="try again")["MessageId"]
    now = datetime.now(UTC)
    assert deliver(openses, now) == 1
    first = endpoint.next()
    assert deliver(openses, now + timedelta(seconds=19)) == 0  # SNS's default: 20 s apart
    assert deliver(openses, now + timedelta(seconds=21)) == 1
    retried = notification(endpoint.next())
    assert retried["MessageId"] == first.json()["MessageId"] == message_id
    assert deliver(openses, now + timedelta(seconds=60)) == 0  # delivered: nothing left

    endpoint.statuses = [503, 503, 503, 503]  # the first attempt and all three retries fail
    client.publish(TopicArn=topic, Message="never arrives")
    at = now + timedelta(seconds=100)
    for _ in range(4):
        assert deliver(openses, at) == 1
        endpoint.next()
        at += timedelta(seconds=21)
    assert deliver(openses, at + timedelta(hours=1)) == 0  # given up after numRetries

    endpoint.statuses = [404]  # a 4xx is the endpoint's answer: not retried, as SNS does
    client.publish(TopicArn=topic, Message="refused")
    assert deliver(openses, at) == 1
    endpoint.next()
    assert deliver(openses, at + timedelta(hours=1)) == 0


def test_topic_delivery_policy_changes_the_schedule(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="patient")["TopicArn"]
    policy = {
        "http": {
            "defaultHealthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 5, "maxDelayTarget": 5}
        }
    }
    client.set_topic_attributes(
        TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
    )
    subscribed(openses, client, topic, endpoint)
    endpoint.statuses = [500, 500]
    client.publish(TopicArn=topic, Message="m")
    now = datetime.now(UTC)
    assert deliver(openses, now) == 1
    assert deliver(openses, now + timedelta(seconds=6)) == 1
    assert deliver(openses, now + timedelta(hours=1)) == 0  # one retry, then dropped
    code, message, _ = error_of(
        client.set_topic_attributes,
        TopicArn=topic,
        AttributeName="DeliveryPolicy",
        AttributeValue='{"http": {"defaultHealthyRetryPolicy": {"numRetries": 500}}}',
    )
    assert code == "InvalidParameter"
    assert "numRetries" in message


def test_unsubscribe_link_confirms_and_can_be_undone(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="leaving")["TopicArn"]
    arn = subscribed(openses, client, topic, endpoint)
    client.publish(TopicArn=topic, Message="one")
    deliver(openses)
    unsubscribe_url = notification(endpoint.next())["UnsubscribeURL"]

    gone = httpx.get(unsubscribe_url)
    assert gone.status_code == 200
    assert "<UnsubscribeResponse" in gone.text
    assert client.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    assert deliver(openses) == 1
    farewell = endpoint.next()
    assert farewell.headers["x-amz-sns-subscription-arn"] == arn
    body = farewell.json()
    assert body["Type"] == "UnsubscribeConfirmation"
    assert body["Message"].startswith(f"You have chosen to deactivate subscription {arn}.")
    verify_signature(body)

    client.publish(TopicArn=topic, Message="not for you")
    assert deliver(openses) == 0
    again = httpx.get(unsubscribe_url)
    assert again.status_code == 404
    assert "<Code>NotFound</Code>" in again.text

    assert httpx.get(body["SubscribeURL"]).status_code == 200  # restores the subscription
    client.publish(TopicArn=topic, Message="welcome back")
    deliver(openses)
    assert notification(endpoint.next())["Message"] == "welcome back"

    client.unsubscribe(SubscriptionArn=arn)
    assert client.list_subscriptions()["Subscriptions"] == []


def test_delete_topic_removes_its_subscriptions(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="short-lived")["TopicArn"]
    arn = subscribed(openses, client, topic, endpoint)
    client.publish(TopicArn=topic, Message="queued, never sent")
    client.delete_topic(TopicArn=topic)
    assert client.list_subscriptions()["Subscriptions"] == []
    assert deliver(openses) == 0
    assert error_of(client.get_subscription_attributes, SubscriptionArn=arn)[0] == "NotFound"


def test_only_http_and_https_endpoints(openses: Running, owner: AccessKey) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="protocols")["TopicArn"]
    code, message, status = error_of(
        client.subscribe, TopicArn=topic, Protocol="email", Endpoint="me@example.com"
    )
    assert (code, status) == ("InvalidParameter", 400)
    assert "email is not supported by this server; supported: http, https" in message
    code, message, _ = error_of(
        client.subscribe, TopicArn=topic, Protocol="https", Endpoint="http://127.0.0.1/x"
    )
    assert "must be an https:// URL" in message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"Message": ""}, "Invalid parameter: Empty message"),
        ({"Message": "m", "Subject": "line\nbreak"}, "Invalid parameter: Subject"),
        ({"Message": "m", "PhoneNumber": "+15555550100"}, "SMS is not supported"),
        (
            {"Message": "m", "TargetArn": "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/a/b"},
            "platform application endpoints are not supported",
        ),
        ({"Message": "x" * (256 * 1024 + 1)}, "Invalid parameter: Message too long"),
    ],
    ids=["empty", "subject", "sms", "target", "size"],
)
def test_publish_parameters_are_checked(
    openses: Running, owner: AccessKey, kwargs: dict[str, Any], message: str
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="checked")["TopicArn"]
    if "PhoneNumber" not in kwargs and "TargetArn" not in kwargs:
        kwargs = {"TopicArn": topic, **kwargs}
    code, text, _ = error_of(client.publish, **kwargs)
    assert code == "InvalidParameter"
    assert message in text


# --------------------------------------------------------------------------- access


def test_other_accounts_need_the_topic_policy(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    client = sns(openses, owner)
    topic = client.create_topic(Name="shared")["TopicArn"]
    other = openses.new_account()
    stranger = sns(openses, other)
    code, message, status = error_of(stranger.publish, TopicArn=topic, Message="hi")
    assert (code, status) == ("AuthorizationError", 403)
    assert message == (
        f"User: arn:aws:iam::{other.account_id}:root is not authorized to perform: "
        f"SNS:Publish on resource: {topic}"
    )
    assert (
        error_of(stranger.subscribe, TopicArn=topic, Protocol="http", Endpoint=endpoint.url)[0]
        == "AuthorizationError"
    )

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": other.account_id},
                "Action": ["SNS:Publish", "SNS:Subscribe"],
                "Resource": topic,
            }
        ],
    }
    client.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    stranger.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    deliver(openses)
    confirmation = endpoint.next().json()
    arn = stranger.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])[
        "SubscriptionArn"
    ]
    assert stranger.list_subscriptions()["Subscriptions"][0]["Owner"] == other.account_id
    stranger.publish(TopicArn=topic, Message="from the other account")
    deliver(openses)
    assert notification(endpoint.next())["Message"] == "from the other account"
    client.unsubscribe(SubscriptionArn=arn)  # the topic owner may remove it too


def test_iam_users_need_sns_permissions(openses: Running, owner: AccessKey) -> None:
    iam = openses.client("iam", owner)
    iam.create_user(UserName="publisher")
    key = iam.create_access_key(UserName="publisher")["AccessKey"]
    user = openses.client("sns", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert error_of(user.create_topic, Name="t")[0] == "AuthorizationError"
    topic = sns(openses, owner).create_topic(Name="t")["TopicArn"]
    iam.put_user_policy(
        UserName="publisher",
        PolicyName="publish",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}],
            }
        ),
    )
    assert user.publish(TopicArn=topic, Message="allowed")["MessageId"]
    assert error_of(user.delete_topic, TopicArn=topic)[0] == "AuthorizationError"


def test_ses_publishes_when_the_topic_policy_lets_it(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    """The interface SES's notifications use: the owner's topic (default policy) accepts SES
    publishing for the owner's identities; a delegate's topic only with a statement of its own."""
    client = sns(openses, owner)
    own_topic = client.create_topic(Name="ses-events")["TopicArn"]
    subscribed(openses, client, own_topic, endpoint)
    delegate = openses.new_account()
    delegate_client = sns(openses, delegate)
    delegate_topic = delegate_client.create_topic(Name="for-ses")["TopicArn"]
    identity = f"arn:aws:ses:us-east-1:{owner.account_id}:identity/example.com"

    def publish(topic: str, account: str, source_arn: str = identity) -> bool:
        async def run() -> bool:
            store = openses.application.store
            async with store.transaction() as tx:
                return await publish_as_service(
                    tx,
                    topic_arn=topic,
                    message='{"notificationType":"Bounce"}',
                    subject=None,
                    service="ses.amazonaws.com",
                    source_account=account,
                    source_arn=source_arn,
                    now=datetime.now(UTC),
                )

        return openses.run(run())

    assert publish(own_topic, owner.account_id)
    deliver(openses)
    assert notification(endpoint.next())["Message"] == '{"notificationType":"Bounce"}'
    assert not publish(delegate_topic, owner.account_id)  # the default policy: owner only
    assert not publish(own_topic.replace("ses-events", "missing"), owner.account_id)

    statement = {
        "Sid": "AllowSES",
        "Effect": "Allow",
        "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": delegate_topic,
        "Condition": {
            "StringEquals": {"aws:SourceAccount": owner.account_id, "aws:SourceArn": identity}
        },
    }
    delegate_client.set_topic_attributes(
        TopicArn=delegate_topic,
        AttributeName="Policy",
        AttributeValue=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    assert publish(delegate_topic, owner.account_id)
    assert not publish(delegate_topic, owner.account_id, identity.replace("example", "other"))
    assert not publish(delegate_topic, delegate.account_id)


def test_the_worker_loop_delivers_by_itself(
    openses: Running, owner: AccessKey, endpoint: Endpoint
) -> None:
    """``openses serve`` runs ``deliver_forever``; a subscription's confirmation and a publish
    reach the endpoint without anyone asking (the loop wakes when the API queues work)."""
    topics = openses.application.services.topics

    async def start() -> asyncio.Task[None]:
        return asyncio.create_task(topics.deliver_forever(lambda: datetime.now(UTC), poll=30))

    task = openses.run(start())
    try:
        client = sns(openses, owner)
        topic = client.create_topic(Name="looped")["TopicArn"]
        client.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
        token = endpoint.next().json()["Token"]  # well before the 30-second poll
        client.confirm_subscription(TopicArn=topic, Token=token)
        client.publish(TopicArn=topic, Message="on its own")
        assert notification(endpoint.next())["Message"] == "on its own"
    finally:

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        openses.run(stop())


def test_a_service_key_publishes_only_as_the_topic_policy_allows(
    openses: Running, owner: AccessKey
) -> None:
    """A service principal (``openses admin service-key``) is judged by the topic policy
    alone, with the ``aws:SourceAccount`` / ``aws:SourceArn`` it acts for."""
    client = sns(openses, owner)
    own = client.create_topic(Name="for-services")["TopicArn"]
    accounts = openses.application.services.accounts
    source = f"arn:aws:ses:us-east-1:{owner.account_id}:identity/example.com"
    key = openses.run(
        accounts.create_service_key(
            datetime.now(UTC),
            account_id=owner.account_id,
            service="ses.amazonaws.com",
            source_arn=source,
        )
    )
    service = sns(openses, key)
    assert service.publish(TopicArn=own, Message="default policy: the owner's resources")
    assert error_of(service.create_topic, Name="mine")[0] == "AuthorizationError"  # no IAM
    client.set_topic_attributes(
        TopicArn=own,
        AttributeName="Policy",
        AttributeValue=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ses.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": own,
                        "Condition": {"ArnLike": {"aws:SourceArn": source.replace("example", "x")}},
                    }
                ],
            }
        ),
    )
    assert error_of(service.publish, TopicArn=own, Message="m")[0] == "AuthorizationError"
