"""Account state (quota, statistics, switches), IAM users and keys, STS, and authentication."""

from __future__ import annotations

import json

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.openses_server import Running


def test_new_accounts_start_in_the_sandbox(openses: Running) -> None:
    key = openses.new_account()
    quota = openses.client("ses", key).get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"], quota["SentLast24Hours"]) == (
        200.0,
        1.0,
        0.0,
    )
    account = openses.client("sesv2", key).get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["SendingEnabled"] is True
    assert account["EnforcementStatus"] == "HEALTHY"
    assert account["SendQuota"]["Max24HourSend"] == 200.0
    assert openses.client("ses", key).get_send_statistics()["SendDataPoints"] == []


def test_production_account_limits(openses: Running) -> None:
    quota = openses.client("ses", openses.new_account(production=True)).get_send_quota()
    assert quota["Max24HourSend"] == 50000.0
    assert quota["MaxSendRate"] == 14.0


def test_sending_switch_is_per_region(openses: Running) -> None:
    key = openses.new_account()
    east, west = openses.client("ses", key), openses.client("ses", key, region="eu-west-1")
    east.update_account_sending_enabled(Enabled=False)
    assert east.get_account_sending_enabled()["Enabled"] is False
    assert west.get_account_sending_enabled()["Enabled"] is True
    v2 = openses.client("sesv2", key)
    assert v2.get_account()["SendingEnabled"] is False
    v2.put_account_sending_attributes(SendingEnabled=True)
    assert east.get_account_sending_enabled()["Enabled"] is True


def test_caller_identity_of_root_and_user(openses: Running) -> None:
    root = openses.new_account()
    me = openses.client("sts", root).get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{root.account_id}:root"
    assert me["Account"] == root.account_id
    iam = openses.client("iam", root)
    user = iam.create_user(UserName="mailer", Path="/apps/")["User"]
    assert user["Arn"] == f"arn:aws:iam::{root.account_id}:user/apps/mailer"
    created = iam.create_access_key(UserName="mailer")["AccessKey"]
    as_user = openses.client(
        "sts", (created["AccessKeyId"], created["SecretAccessKey"])
    ).get_caller_identity()
    assert as_user["Arn"] == user["Arn"]
    assert as_user["UserId"] == user["UserId"]


def test_user_needs_its_policies_to_allow_ses(openses: Running) -> None:
    root = openses.new_account()
    iam = openses.client("iam", root)
    iam.create_user(UserName="app")
    key = iam.create_access_key(UserName="app")["AccessKey"]
    ses = openses.client("ses", (key["AccessKeyId"], key["SecretAccessKey"]))
    with pytest.raises(ClientError) as raised:
        ses.list_identities()
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:iam::{root.account_id}:user/app is not authorized to perform: "
        "ses:ListIdentities on resource: *"
    )
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ses:List*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="app", PolicyName="read", PolicyDocument=json.dumps(document))
    assert ses.list_identities()["Identities"] == []
    with pytest.raises(ClientError):
        ses.verify_domain_identity(Domain="not-allowed.example")
    got = iam.get_user_policy(UserName="app", PolicyName="read")
    assert got["PolicyDocument"] == document  # boto3 decodes IAM's URL-encoded document
    assert iam.list_user_policies(UserName="app")["PolicyNames"] == ["read"]
    with pytest.raises(ClientError) as raised:
        iam.put_user_policy(UserName="app", PolicyName="bad", PolicyDocument='{"Statement": []}')
    assert raised.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_user_policies_see_the_callers_userid(openses: Running) -> None:
    """``aws:userid`` is in the context of the caller's own IAM policies, as it is in the
    sending authorization context."""
    root = openses.new_account()
    iam = openses.client("iam", root)
    user_id = iam.create_user(UserName="keyed")["User"]["UserId"]
    key = iam.create_access_key(UserName="keyed")["AccessKey"]
    ses = openses.client("ses", (key["AccessKeyId"], key["SecretAccessKey"]))

    def allow_when(userid: str) -> None:
        statement = {
            "Effect": "Allow",
            "Action": "ses:ListIdentities",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:userid": userid}},
        }
        document = {"Version": "2012-10-17", "Statement": [statement]}
        iam.put_user_policy(UserName="keyed", PolicyName="p", PolicyDocument=json.dumps(document))

    allow_when("AIDASOMEONEELSE000000")
    with pytest.raises(ClientError):
        ses.list_identities()
    allow_when(user_id)
    assert ses.list_identities()["Identities"] == []


def test_deactivated_and_deleted_keys_stop_at_once(openses: Running) -> None:
    root = openses.new_account()
    iam = openses.client("iam", root)
    iam.create_user(UserName="temp")
    key = iam.create_access_key(UserName="temp")["AccessKey"]
    sts = openses.client("sts", (key["AccessKeyId"], key["SecretAccessKey"]))
    assert sts.get_caller_identity()["Account"] == root.account_id
    iam.update_access_key(UserName="temp", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"
    iam.update_access_key(UserName="temp", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert sts.get_caller_identity()["Account"] == root.account_id
    listed = iam.list_access_keys(UserName="temp")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(key["AccessKeyId"], "Active")]
    with pytest.raises(ClientError) as raised:
        iam.delete_user(UserName="temp")
    assert raised.value.response["Error"]["Code"] == "DeleteConflict"
    iam.delete_access_key(UserName="temp", AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"
    iam.delete_user(UserName="temp")
    assert iam.list_users()["Users"] == []


def test_iam_errors(openses: Running) -> None:
    iam = openses.client("iam", openses.new_account())
    iam.create_user(UserName="dup")
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName="dup")
    assert raised.value.response["Error"]["Code"] == "EntityAlreadyExists"
    with pytest.raises(ClientError) as raised:
        iam.get_user(UserName="ghost")
    assert raised.value.response["Error"]["Code"] == "NoSuchEntity"
    iam.create_access_key(UserName="dup")
    iam.create_access_key(UserName="dup")
    with pytest.raises(ClientError) as raised:
        iam.create_access_key(UserName="dup")
    assert raised.value.response["Error"]["Code"] == "LimitExceeded"


def test_users_are_per_account(openses: Running) -> None:
    alice, bob = openses.new_account(), openses.new_account()
    openses.client("iam", alice).create_user(UserName="shared-name")
    openses.client("iam", bob).create_user(UserName="shared-name")
    assert [u["UserName"] for u in openses.client("iam", bob).list_users()["Users"]] == [
        "shared-name"
    ]
    with pytest.raises(ClientError):
        openses.client("iam", bob).delete_access_key(
            UserName="shared-name", AccessKeyId=alice.access_key_id
        )


def test_authentication_failures(openses: Running) -> None:
    key = openses.new_account()
    with pytest.raises(ClientError) as raised:
        openses.client("ses", (key.access_key_id, "wrong-secret")).get_send_quota()
    assert raised.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as raised:
        openses.client("ses", ("AKIANOSUCHKEY0000000", "x")).get_send_quota()
    assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"
    unsigned = httpx.post(
        openses.base_url, data={"Action": "GetSendQuota", "Version": "2010-12-01"}
    )
    assert unsigned.status_code in (400, 403)
    assert "MissingAuthenticationToken" in unsigned.text


def test_unimplemented_operation_answers_not_supported(openses: Running) -> None:
    ses = openses.client("ses", openses.new_account())
    with pytest.raises(ClientError) as raised:
        ses.list_receipt_rule_sets()
    assert raised.value.response["Error"]["Code"] == "InvalidAction"
