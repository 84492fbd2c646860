"""The HTTP edge over a real socket: boto3 signs and parses, our app verifies and answers.

The handlers and the key store are fakes (``tests/wire/fakes.py``); what is under test is
the plumbing between them: protocol and service routing, SigV4, the request context, the
error envelopes, the body limit and the request id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from openses.api.app import DEFAULT_MAX_BODY_BYTES, QUERY_VERSIONS, create_app
from openses.api.dispatch import Dispatcher
from openses.api.protocol import ServiceRegistry
from tests.support.server import serve_in_thread
from tests.wire.fakes import (
    ACCOUNT,
    HANDLER_CLASSES,
    INACTIVE_KEY,
    INACTIVE_SECRET,
    ROOT,
    ROOT_KEY,
    ROOT_SECRET,
    SECRET_DETAIL,
    UNKNOWN_KEY,
    USER,
    USER_KEY,
    USER_SECRET,
    FakeAuthenticator,
    FakeClock,
    Recorder,
)

BODY_LIMIT = 64 * 1024
"""The test app's body limit (the default, ~60 MB, is too slow to exceed in every run)."""

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
"""One attempt, no retry (``max_attempts`` counts retries: 1 would still retry a 500 once)."""


async def extra_route(request: Request) -> Response:
    return PlainTextResponse("extra")


@dataclass
class Wire:
    base_url: str
    clock: FakeClock
    recorder: Recorder
    authenticator: FakeAuthenticator


@pytest.fixture(scope="module")
def registry() -> ServiceRegistry:
    return ServiceRegistry()


@pytest.fixture(scope="module")
def wire(registry: ServiceRegistry) -> Iterator[Wire]:
    recorder = Recorder()
    clock = FakeClock()
    authenticator = FakeAuthenticator()
    app = create_app(
        registry=registry,
        dispatcher=Dispatcher({name: cls(recorder) for name, cls in HANDLER_CLASSES.items()}),
        authenticator=authenticator,
        clock=clock,
        new_request_id=lambda: str(uuid.uuid4()),
        extra_routes=[Route("/_openses/extra", extra_route)],
        max_body_bytes=BODY_LIMIT,
    )
    with serve_in_thread(app) as base_url:
        yield Wire(base_url, clock, recorder, authenticator)


@pytest.fixture
def clock(wire: Wire) -> Iterator[FakeClock]:
    """The server's clock, for a test to move; put back afterwards."""
    yield wire.clock
    wire.clock.offset = timedelta(0)


ClientFactory = Callable[..., Any]


@pytest.fixture
def client(wire: Wire) -> Iterator[ClientFactory]:
    """``client("ses", key=..., secret=..., region=...)``: a boto3 client of the test server."""
    made: list[Any] = []

    def make(
        service: str,
        *,
        key: str = ROOT_KEY,
        secret: str = ROOT_SECRET,
        region: str = "us-east-1",
    ) -> Any:
        made.append(
            boto3.session.Session().client(
                service,
                endpoint_url=wire.base_url,
                region_name=region,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                config=NO_RETRIES,
            )
        )
        return made[-1]

    yield make
    for made_client in made:
        made_client.close()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
SES_QUOTA_FORM = b"Action=GetSendQuota&Version=2010-12-01"


def signed(
    wire: Wire,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    service: str = "ses",
    region: str = "us-east-1",
    key: str = ROOT_KEY,
    secret: str = ROOT_SECRET,
) -> httpx.Response:
    """A request signed by botocore's own signer, sent as it is (for what boto3 cannot send)."""
    url = wire.base_url + path
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    with httpx.Client() as http:
        return http.request(method, url, headers=dict(request.headers.items()), content=body)


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response: dict[str, Any] = raised.value.response
    error = response["Error"]
    return error["Code"], error["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def request_id_of(response: dict[str, Any]) -> str:
    metadata = response["ResponseMetadata"]
    header = metadata["HTTPHeaders"]["x-amzn-requestid"]
    assert header
    return str(header)


# ---------------------------------------------------------------------------- happy paths


def test_health(wire: Wire) -> None:
    answer = httpx.get(f"{wire.base_url}/_openses/health")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_extra_routes_are_matched_before_the_aws_catch_all(wire: Wire) -> None:
    answer = httpx.get(f"{wire.base_url}/_openses/extra")

    assert (answer.status_code, answer.text) == (200, "extra")


def test_ses_v1_answer_parses_in_boto3(wire: Wire, client: ClientFactory) -> None:
    response = client("ses").get_send_quota()

    assert (response["Max24HourSend"], response["MaxSendRate"]) == (200.0, 1.0)
    assert response["SentLast24Hours"] == 3.0
    assert response["ResponseMetadata"]["RequestId"] == request_id_of(response)


def test_the_handler_sees_the_request_context(wire: Wire, client: ClientFactory) -> None:
    response = client("ses", region="eu-west-3").get_send_quota()

    ctx = wire.recorder.last
    assert (ctx.service, ctx.operation, ctx.region) == ("ses", "GetSendQuota", "eu-west-3")
    assert ctx.principal == ROOT
    assert ctx.request_id == request_id_of(response)
    assert ctx.now in wire.clock.readings
    assert ctx.now.utcoffset() == timedelta(0)
    assert ctx.source_ip == "127.0.0.1"
    assert ctx.user_agent is not None
    assert "Boto3/" in ctx.user_agent
    assert ctx.secure_transport is False


def test_query_parameters_reach_the_handler(wire: Wire, client: ClientFactory) -> None:
    response = client("ses").list_identities(IdentityType="Domain", MaxItems=5)

    assert response["Identities"] == ["IdentityType=Domain", "MaxItems=5"]


def test_query_request_in_the_url(wire: Wire) -> None:
    answer = signed(wire, "GET", "/?Action=GetSendQuota&Version=2010-12-01")

    assert answer.status_code == 200
    assert "<Max24HourSend>200.0</Max24HourSend>" in answer.text


def test_sesv2_answer_parses_in_boto3(wire: Wire, client: ClientFactory) -> None:
    response = client("sesv2", region="ap-southeast-2").get_account()

    assert response["SendQuota"]["Max24HourSend"] == 200.0
    assert response["EnforcementStatus"] == "HEALTHY"
    assert wire.recorder.last.service == "sesv2"
    assert wire.recorder.last.region == "ap-southeast-2"
    assert wire.recorder.last.request_id == request_id_of(response)


@pytest.mark.parametrize(
    "identity", ["user+tag@example.com", "ünïcode@exämple.com", "a b%2F@example.com"]
)
def test_sesv2_path_labels_survive_encoding_and_signing(
    wire: Wire, client: ClientFactory, identity: str
) -> None:
    response = client("sesv2").get_email_identity(EmailIdentity=identity)

    assert response["Tags"] == [{"Key": "label", "Value": identity}]
    assert wire.recorder.last.operation == "GetEmailIdentity"


def test_sts_caller_identity_from_the_principal(wire: Wire, client: ClientFactory) -> None:
    root = client("sts").get_caller_identity()
    user = client("sts", key=USER_KEY, secret=USER_SECRET).get_caller_identity()

    assert (root["Account"], root["Arn"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root")
    assert (user["UserId"], user["Arn"]) == (USER.user_id, f"arn:aws:iam::{ACCOUNT}:user/alice")
    assert wire.recorder.last.principal == USER


def test_iam_answer_parses_in_boto3(wire: Wire, client: ClientFactory) -> None:
    response = client("iam", key=USER_KEY, secret=USER_SECRET).get_user()

    assert response["User"]["UserName"] == "alice"
    assert response["User"]["CreateDate"].year == 2024
    assert wire.recorder.last.service == "iam"


def test_query_service_falls_back_to_the_signing_scope(wire: Wire) -> None:
    answer = signed(
        wire, "POST", "/", body=b"Action=GetCallerIdentity", headers=FORM, service="sts"
    )

    assert answer.status_code == 200
    assert f"<Arn>arn:aws:iam::{ACCOUNT}:root</Arn>" in answer.text
    assert wire.recorder.last.service == "sts"


# ---------------------------------------------------------------------- handler errors


def test_ses_v1_modelled_error(wire: Wire, client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("ses").send_email(
            Source="sender@example.com",
            Destination={"ToAddresses": ["to@example.net"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        )

    assert error_of(raised) == (
        "MessageRejected",
        "Email address is not verified: sender@example.com",
        400,
    )
    assert raised.value.response["Error"]["Type"] == "Sender"
    assert raised.value.response["ResponseMetadata"]["RequestId"] == wire.recorder.last.request_id


def test_service_errors_are_worded_per_api(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("ses").delete_identity(Identity="example.com")

    code, message, status = error_of(raised)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:root is not authorized")


def test_sesv2_modelled_error(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("sesv2").delete_email_identity(EmailIdentity="nobody@example.com")

    assert error_of(raised) == (
        "NotFoundException",
        "Email identity nobody@example.com not found.",
        404,
    )
    headers = raised.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == "NotFoundException"
    assert headers["x-amzn-requestid"]


def test_sesv2_validation_error(wire: Wire) -> None:
    """boto3 validates before sending, so this request is sent as it is."""
    body = b'{"Content": {"Simple": {"Subject": {"Data": "s"}}}}'
    headers = {"Content-Type": "application/json"}
    answer = signed(wire, "POST", "/v2/email/outbound-emails", body=body, headers=headers)

    assert answer.status_code == 400
    assert answer.headers["x-amzn-errortype"] == "BadRequestException"
    assert "1 validation error detected" in answer.json()["message"]


@pytest.mark.parametrize("operation", ["list_templates", "get_send_statistics"])
def test_unimplemented_query_operation(client: ClientFactory, operation: str) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(client("ses"), operation)()

    code, message, status = error_of(raised)
    assert (code, status) == ("InvalidAction", 400)
    assert "is not supported by this server" in message


def test_unimplemented_iam_operation(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("iam").list_roles()

    assert error_of(raised) == (
        "InvalidAction",
        "Operation ListRoles is not supported by this server.",
        400,
    )


def test_unimplemented_rest_operation(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("sesv2").list_email_templates()

    assert error_of(raised) == (
        "NotImplementedException",
        "Operation ListEmailTemplates is not supported by this server.",
        501,
    )


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("ses", lambda c: c.verify_email_identity(EmailAddress="a@example.com")),
        ("sesv2", lambda c: c.create_email_identity(EmailIdentity="a@example.com")),
    ],
)
def test_a_crash_is_an_internal_failure_without_detail(
    wire: Wire, client: ClientFactory, caplog: pytest.LogCaptureFixture, service: str, call: Any
) -> None:
    with caplog.at_level(logging.ERROR, logger="openses.api"), pytest.raises(ClientError) as raised:
        call(client(service))

    code, message, status = error_of(raised)
    assert (code, status) == ("InternalFailure", 500)
    assert SECRET_DETAIL not in message
    assert "RuntimeError" not in message
    request_id = raised.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    logged = [r for r in caplog.records if r.name == "openses.api.app"]
    assert len(logged) == 1
    assert request_id in logged[0].getMessage()
    assert f"({service} " in logged[0].getMessage()
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], RuntimeError)


# ---------------------------------------------------------------------- authentication


@pytest.mark.parametrize("service", ["ses", "sesv2", "sts", "iam"])
def test_unknown_access_key(client: ClientFactory, service: str) -> None:
    calls = {
        "ses": lambda c: c.get_send_quota(),
        "sesv2": lambda c: c.get_account(),
        "sts": lambda c: c.get_caller_identity(),
        "iam": lambda c: c.get_user(),
    }
    with pytest.raises(ClientError) as raised:
        calls[service](client(service, key=UNKNOWN_KEY))

    assert error_of(raised) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
    )


def test_inactive_access_key(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as raised:
        client("ses", key=INACTIVE_KEY, secret=INACTIVE_SECRET).get_send_quota()

    assert error_of(raised)[0::2] == ("InvalidClientTokenId", 403)


@pytest.mark.parametrize("service", ["ses", "sesv2"])
def test_wrong_secret(client: ClientFactory, service: str) -> None:
    ses = client(service, secret="not-the-secret")
    with pytest.raises(ClientError) as raised:
        ses.get_send_quota() if service == "ses" else ses.get_account()

    code, message, status = error_of(raised)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_unsigned_query_request(wire: Wire) -> None:
    answer = httpx.post(wire.base_url, content=SES_QUOTA_FORM, headers=FORM)

    assert answer.status_code == 403
    assert "<Code>MissingAuthenticationToken</Code>" in answer.text
    assert "<Message>Request is missing Authentication Token</Message>" in answer.text
    assert answer.headers["x-amzn-requestid"]
    assert f"<RequestId>{answer.headers['x-amzn-requestid']}</RequestId>" in answer.text


def test_unsigned_rest_request(wire: Wire) -> None:
    answer = httpx.get(f"{wire.base_url}/v2/email/account")

    assert answer.status_code == 403
    assert answer.headers["x-amzn-errortype"] == "MissingAuthenticationToken"
    assert answer.json() == {"message": "Request is missing Authentication Token"}


def test_unsigned_request_to_an_unknown_path_learns_nothing(wire: Wire) -> None:
    answer = httpx.delete(f"{wire.base_url}/v2/email/no/such/thing")

    assert (answer.status_code, answer.headers["x-amzn-errortype"]) == (
        403,
        "MissingAuthenticationToken",
    )


def test_malformed_authorization(wire: Wire) -> None:
    headers = {**FORM, "Authorization": "AWS4-HMAC-SHA256 Credential=x", "X-Amz-Date": "x"}
    answer = httpx.post(wire.base_url, content=SES_QUOTA_FORM, headers=headers)

    assert answer.status_code == 400
    assert "<Code>IncompleteSignature</Code>" in answer.text


def test_clock_skew(client: ClientFactory, clock: FakeClock) -> None:
    clock.offset = timedelta(minutes=10)
    with pytest.raises(ClientError) as raised:
        client("ses").get_send_quota()

    code, message, status = error_of(raised)
    assert (code, status) == ("RequestTimeTooSkewed", 403)
    assert message.startswith("Signature expired")


def test_a_stale_request_is_refused_before_the_key_is_looked_up(
    wire: Wire, client: ClientFactory, clock: FakeClock
) -> None:
    clock.offset = timedelta(minutes=-10)
    wire.authenticator.lookups.clear()
    with pytest.raises(ClientError) as raised:
        client("ses", key=USER_KEY, secret=USER_SECRET).get_send_quota()

    assert error_of(raised)[0] == "RequestTimeTooSkewed"
    assert wire.authenticator.lookups == []


def test_signed_for_another_service(wire: Wire) -> None:
    answer = signed(wire, "POST", "/", body=SES_QUOTA_FORM, headers=FORM, service="iam")

    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
    assert "Credential should be scoped to correct service: 'ses'." in answer.text


def test_sesv2_is_signed_as_ses(wire: Wire) -> None:
    answer = signed(wire, "GET", "/v2/email/account", service="sesv2")

    assert answer.status_code == 403
    assert answer.headers["x-amzn-errortype"] == "SignatureDoesNotMatch"
    assert "scoped to correct service: 'ses'" in answer.json()["message"]


def test_unusable_region(wire: Wire) -> None:
    answer = signed(wire, "POST", "/", body=SES_QUOTA_FORM, headers=FORM, region="US:East")

    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
    assert "valid region" in answer.text


def test_session_tokens_are_refused(wire: Wire) -> None:
    headers = {**FORM, "X-Amz-Security-Token": "token"}
    answer = signed(wire, "POST", "/", body=SES_QUOTA_FORM, headers=headers)

    assert answer.status_code == 403
    assert "<Code>InvalidClientTokenId</Code>" in answer.text


# -------------------------------------------------------------------------- routing


def test_unknown_query_version(wire: Wire) -> None:
    body = b"Action=ListQueues&Version=2012-11-05"
    answer = signed(wire, "POST", "/", body=body, headers=FORM, service="sqs")

    assert answer.status_code == 400
    assert "<Code>NoSuchVersion</Code>" in answer.text


def test_no_version_and_a_foreign_signing_scope(wire: Wire) -> None:
    answer = signed(wire, "POST", "/", body=b"Action=ListQueues", headers=FORM, service="sqs")

    assert answer.status_code == 400
    assert "<Code>MissingParameter</Code>" in answer.text


def test_unknown_query_action(wire: Wire) -> None:
    body = b"Action=LaunchRocket&Version=2010-12-01"
    answer = signed(wire, "POST", "/", body=body, headers=FORM)

    assert answer.status_code == 400
    assert "<Code>InvalidAction</Code>" in answer.text


def test_neither_query_nor_rest(wire: Wire) -> None:
    answer = signed(wire, "PUT", "/", body=b"{}", headers={"Content-Type": "application/json"})

    assert answer.status_code == 404
    assert "<Code>UnknownOperationException</Code>" in answer.text


def test_unknown_rest_route(wire: Wire) -> None:
    answer = signed(wire, "GET", "/v2/email/no/such/thing")

    assert answer.status_code == 404
    assert answer.headers["x-amzn-errortype"] == "UnknownOperationException"


def test_rest_method_not_allowed(wire: Wire) -> None:
    answer = signed(wire, "DELETE", "/v2/email/account")

    assert answer.status_code == 405
    assert answer.headers["x-amzn-errortype"] == "MethodNotAllowedException"
    assert "allowed: GET" in answer.json()["message"]


def test_query_versions_match_the_models(registry: ServiceRegistry) -> None:
    for version, service in QUERY_VERSIONS.items():
        model = registry.service(service)
        assert (model.api_version, model.protocol) == (version, "query")


# ------------------------------------------------------------------------ body limit


def test_default_body_limit_fits_a_40_mb_raw_message() -> None:
    assert DEFAULT_MAX_BODY_BYTES >= 40 * 1024 * 1024 * 4 // 3 + 64 * 1024


def test_oversized_query_body_is_refused(wire: Wire) -> None:
    body = b"Action=SendRawEmail&Version=2010-12-01&RawMessage.Data=" + b"A" * BODY_LIMIT
    answer = signed(wire, "POST", "/", body=body, headers=FORM)

    assert answer.status_code == 413
    assert "<Code>RequestEntityTooLarge</Code>" in answer.text
    assert answer.headers["x-amzn-requestid"]


def test_oversized_streamed_body_is_refused(wire: Wire) -> None:
    def chunks() -> Any:
        for _ in range(4):
            yield b"A" * (BODY_LIMIT // 2)

    answer = httpx.post(f"{wire.base_url}/v2/email/outbound-emails", content=chunks())

    assert answer.status_code == 413
    assert answer.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"


def test_oversized_sesv2_message_through_boto3(client: ClientFactory) -> None:
    raw = b"Subject: big\r\n\r\n" + b"x" * BODY_LIMIT
    with pytest.raises(ClientError) as raised:
        client("sesv2").send_email(Content={"Raw": {"Data": raw}})

    assert error_of(raised)[0::2] == ("RequestEntityTooLargeException", 413)


def test_a_body_just_under_the_limit_is_accepted(wire: Wire, client: ClientFactory) -> None:
    raw = b"Subject: fits\r\n\r\n" + b"x" * (BODY_LIMIT // 2)
    response = client("sesv2").send_email(Content={"Raw": {"Data": raw}})

    assert response["MessageId"] == "m-1"
